import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { ManifestError } from '../../engine/errors/manifold-error.js';
import { loadManifestObject } from '../../engine/manifest/index.js';
import { propagateTypesAndParameters } from '../../engine/manifest/component-transformer.js';
import { parseRefPath, resolveReferences } from '../../engine/manifest/ref-resolver.js';
import type { ManifestProblem } from '../../engine/errors/manifold-error.js';

interface Case {
  id: string;
  input: { op: string; manifest?: unknown; path?: string; component?: Record<string, unknown>; use_parent_parameters?: boolean | null };
  expected: unknown;
}

const cases = JSON.parse(readFileSync(new URL('../airbyte-cases/refs-and-parameters.json', import.meta.url), 'utf8')) as Case[];

function run(c: Case): unknown {
  switch (c.input.op) {
    case 'resolve_references': {
      const problems: ManifestProblem[] = [];
      const out = resolveReferences(c.input.manifest, problems);
      if (problems.length > 0) throw new ManifestError(problems);
      return out;
    }
    case 'parse_ref_path':
      return parseRefPath(c.input.path!);
    case 'propagate_types_and_parameters':
      return propagateTypesAndParameters(c.input.component!, { useParentParameters: c.input.use_parent_parameters ?? undefined });
    default:
      throw new Error(`unhandled op ${c.input.op}`);
  }
}

function at(value: unknown, path: Array<string | number>): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)?.[k], value);
}

describe('Airbyte refs-and-parameters cases', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const expected = c.expected as Record<string, unknown>;
    if (expected && typeof expected === 'object' && expected.error === true) {
      expect(() => run(c)).toThrow(ManifestError);
      return;
    }
    const result = run(c);
    if (expected && typeof expected === 'object' && '$paths' in expected) {
      for (const [path, value] of expected.$paths as Array<[Array<string | number>, unknown]>) {
        expect(at(result, path)).toEqual(value);
      }
      return;
    }
    expect(result).toEqual(expected);
  });

  it('resolves the same way through the public loader', () => {
    const loaded = loadManifestObject({ limit: 50, dict: { limit: '#/limit' }, ref: { $ref: '#/dict', extra: 1 } });
    expect(loaded.root.ref).toEqual({ limit: 50, extra: 1 });
  });
});
