/**
 * docs/interpolation.md shows what templates evaluate to: every row of its example tables
 * (`| template | context | result |`) is evaluated here with the engine, "now" fixed as the page
 * says, so the reference cannot drift from the behaviour.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PyDate, PyDateTime, interpolate, setNowForTesting } from '../../engine/interpolation/index.js';
import { REPO } from '../helpers/cli.js';

const doc = readFileSync(join(REPO, 'docs/interpolation.md'), 'utf8');

interface Example {
  line: number;
  template: string;
  context: Record<string, unknown>;
  result: unknown;
}

/** A cell holds one `code span`; `\|` inside it is a literal pipe. */
function codeCell(cell: string): string {
  const match = /^`(.*)`$/.exec(cell.trim());
  if (!match) throw new Error(`expected a code span, got ${cell}`);
  return match[1]!.replace(/\\\|/g, '|');
}

function examples(): Example[] {
  const out: Example[] = [];
  const lines = doc.split('\n');
  let inTable = false;
  lines.forEach((text, index) => {
    if (/^\| template \| context \| result \|$/.test(text)) {
      inTable = true;
      return;
    }
    if (!text.startsWith('|')) inTable = false;
    if (!inTable || text.startsWith('|---')) return;
    const cells = text.slice(1, -1).split(/(?<!\\)\|/);
    if (cells.length !== 3) throw new Error(`docs/interpolation.md:${index + 1}: expected 3 cells`);
    out.push({
      line: index + 1,
      template: codeCell(cells[0]!),
      context: JSON.parse(codeCell(cells[1]!)) as Record<string, unknown>,
      result: JSON.parse(codeCell(cells[2]!)),
    });
  });
  return out;
}

/** Dates print as Python's str() would put them in a request. */
function printable(value: unknown): unknown {
  if (value instanceof PyDate || value instanceof PyDateTime) return value.isoformat();
  return value;
}

const all = examples();

beforeAll(() => setNowForTesting(new Date('2024-05-06T07:08:09Z')));
afterAll(() => setNowForTesting(undefined));

describe('docs/interpolation.md examples', () => {
  it('has examples for variables, macros and filters', () => {
    expect(all.length).toBeGreaterThanOrEqual(50);
  });

  it.each(all.map((example) => [`line ${example.line}: ${example.template}`, example] as const))('%s', (_name, example) => {
    const { config, ...rest } = example.context;
    expect(printable(interpolate(example.template, { config: (config ?? {}) as Record<string, unknown>, ...rest }))).toEqual(example.result);
  });
});
