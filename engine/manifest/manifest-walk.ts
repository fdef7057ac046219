/**
 * Shared by the authoring checks (templates, unknown keys): a walk over the loaded manifest's
 * component fields that skips what is data rather than components (spec, JSON schemas, metadata),
 * and the grouping that reports a problem in a `$ref`'d definition once, with every place it is used.
 */
import { distance } from 'fastest-levenshtein';
import type { ManifestProblem } from '../errors/manifold-error.js';
import { locationOf } from './locations.js';

type Mapping = Record<string, unknown>;

/** Fields whose values are data (JSON schemas, documentation), never components or templates. */
const DATA_FIELDS = new Set(['spec', 'metadata', 'schemas', 'description', 'title', 'examples']);

export interface Visit {
  parent: Mapping | unknown[];
  field: string | number;
  value: unknown;
}

/** Every (parent, field, value) under `root`, depth first, skipping data subtrees. */
export function* walkManifest(root: Mapping): Generator<Visit> {
  const seen = new Set<object>();
  function* walk(node: Mapping | unknown[]): Generator<Visit> {
    if (seen.has(node)) return;
    seen.add(node);
    const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    const inlineSchema = !Array.isArray(node) && node.type === 'InlineSchemaLoader';
    for (const [field, value] of entries) {
      if (typeof field === 'string' && (DATA_FIELDS.has(field) || (inlineSchema && field === 'schema'))) continue;
      yield { parent: node, field, value };
      if (value && typeof value === 'object') yield* walk(value as Mapping | unknown[]);
    }
  }
  yield* walk(root);
}

export interface PlacedProblem {
  message: string;
  parent: object;
  field?: string | number | undefined;
}

/**
 * One problem per (message, source position): a definition `$ref`'d by five streams is one
 * problem listing the five uses. Uses under `definitions` only count when nothing else uses it.
 */
export function groupByPlace(found: PlacedProblem[], file: string | undefined, severity: 'error' | 'warning'): ManifestProblem[] {
  const groups = new Map<string, { problem: ManifestProblem; uses: string[] }>();
  for (const f of found) {
    const loc = locationOf(f.parent, f.field) ?? {};
    const key = `${loc.file ?? file}:${loc.line}:${loc.column}:${f.message}`;
    const path = loc.path ?? (f.field !== undefined ? String(f.field) : '(root)');
    const group = groups.get(key);
    if (group) {
      if (!group.uses.includes(path)) group.uses.push(path);
      continue;
    }
    groups.set(key, { problem: { message: f.message, location: { ...loc, file: loc.file ?? file, path }, severity }, uses: [path] });
  }
  return [...groups.values()].map(({ problem, uses }) => {
    const real = uses.filter((u) => !u.startsWith('definitions.') && !u.startsWith('definitions['));
    const shown = real.length ? real : uses;
    const location = { ...problem.location, path: shown[0] };
    const message = shown.length > 1 ? `${problem.message} (used in ${shown.length} places: ${shown.join(', ')})` : problem.message;
    return { ...problem, message, location };
  });
}

/** Up to three known names close enough to an unknown one to be a likely misspelling. */
export function suggestNames(unknown: string, known: Iterable<string>): string[] {
  const lower = unknown.toLowerCase();
  const limit = Math.max(2, Math.floor(unknown.length / 3));
  return [...new Set(known)]
    .map((n) => ({ n, d: distance(lower, n.toLowerCase()) }))
    .filter((s) => s.d <= limit)
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((s) => s.n);
}
