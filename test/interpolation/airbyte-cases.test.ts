import { describe, it, expect, afterEach } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { InterpolatedBoolean, InterpolatedMapping, InterpolatedString, callMacro, interpolate, setNowForTesting } from '../../engine/interpolation/index.js';
import { PyDateTime, PyDate } from '../../engine/interpolation/datetime.js';
import { PyDuration } from '../../engine/interpolation/duration.js';
import { getGlobal, isMacro } from '../../engine/interpolation/macros.js';

interface Case {
  id: string;
  input: Record<string, unknown> & { op: string };
  expected: unknown;
}
const load = (f: string): Case[] => JSON.parse(readFileSync(new URL(`../airbyte-cases/${f}.json`, import.meta.url), 'utf8')) as Case[];
const all = ['interpolation', 'macros', 'filters', 'booleans'].flatMap(load);

/** Python values (datetime, timedelta) as the case files write them. */
function asCaseValue(v: unknown): unknown {
  if (v instanceof PyDateTime || v instanceof PyDate || v instanceof PyDuration) return v.isoformat();
  return v;
}

function dig(v: unknown, path: unknown): unknown {
  const keys = Array.isArray(path) ? path : String(path).split('/');
  return keys.reduce<unknown>((cur, k) => (cur as Record<string, unknown>)[String(k)], v);
}

function run(c: Case): unknown {
  const i = c.input;
  const config = (i.config ?? {}) as Record<string, unknown>;
  const context = (i.context ?? {}) as Record<string, unknown>;
  const parameters = (i.parameters ?? {}) as Record<string, unknown>;
  switch (i.op) {
    case 'jinja_eval':
      return interpolate(i.template as string, { config, ...context });
    case 'interpolated_string':
      return InterpolatedString.create(i.template, { parameters }).eval({ config, ...context });
    case 'interpolated_mapping':
    case 'interpolated_nested_mapping': {
      const result = new InterpolatedMapping(i.mapping, parameters).eval({ config, ...context });
      return i.op === 'interpolated_mapping' ? result[i.key as string] : dig(result, i.path);
    }
    case 'interpolated_boolean':
      return new InterpolatedBoolean(i.condition, parameters).eval({ config });
    case 'call_macro':
      return asCaseValue(callMacro(i.macro as string, (i.args ?? []) as unknown[], i.kwargs as Record<string, unknown> | undefined));
    case 'macro_exists':
      return isMacro(i.name as string) && getGlobal(i.name as string) !== undefined;
  }
  throw new Error(`op ${i.op} not handled`);
}

let passed = 0;
describe('Airbyte interpolation/macros/filters/booleans cases', () => {
  afterEach(() => setNowForTesting(undefined));
  it.each(all.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    if (c.input.now) setNowForTesting(new Date(c.input.now as string));
    const expected = c.expected as Record<string, unknown> | null;
    if (expected && typeof expected === 'object' && !Array.isArray(expected) && expected.error === true) {
      expect(() => run(c)).toThrow();
    } else if (expected && typeof expected === 'object' && !Array.isArray(expected) && '$type' in expected) {
      expect(typeof run(c)).toBe(expected.$type);
    } else {
      expect(run(c)).toEqual(c.expected);
    }
    passed++;
  });
  it('reports the pass rate', () => {
    // eslint-disable-next-line no-console
    console.log(`Airbyte interpolation cases passed: ${passed}/${all.length}`);
    expect(passed).toBe(all.length);
  });
});
