/** Loads Airbyte's conformance cases (test/airbyte-cases, see LICENSE-NOTICE.md there). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AirbyteCase {
  id: string;
  input: Record<string, unknown> & { op: string };
  expected: unknown;
  notes: string;
}

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'airbyte-cases');

export function loadCases(file: string, ...ops: string[]): AirbyteCase[] {
  const all = JSON.parse(readFileSync(join(dir, file), 'utf8')) as AirbyteCase[];
  return all.filter((c) => ops.includes(c.input.op));
}

export function isErrorCase(expected: unknown): expected is { error: true; contains?: string } {
  return typeof expected === 'object' && expected !== null && (expected as { error?: unknown }).error === true;
}

import { it } from '@jest/globals';

/** it.each over the cases, titled by case id. */
export function eachCase(cases: AirbyteCase[]) {
  return (title: string, fn: (id: string, c: AirbyteCase) => void) => {
    it.each(cases.map((c) => [c.id, c] as const))(title, fn);
  };
}
