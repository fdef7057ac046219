/**
 * Manifest loading: YAML (or an already-parsed object) → `$ref`s resolved → `$parameters`
 * propagated and default types filled. Problems are collected and thrown together.
 */
import { readFile } from 'node:fs/promises';
import { ManifestError, type ManifestProblem } from '../errors/manifold-error.js';
import type { ManifestNode } from '../registry.js';
import { propagateTypesAndParameters } from './component-transformer.js';
import { resolveReferences } from './ref-resolver.js';
import { parseManifestYaml } from './yaml-source.js';
import { validateManifest } from './validate.js';
import { DEFAULT_LIMITS, LimitExceededError, measureTree, type Limits } from '../limits/limits.js';
import { childPath, locationOf } from './locations.js';

/** The manifest budgets (see engine/limits): nesting depth and expanded size. */
export type ManifestLimits = Pick<Limits, 'maxManifestDepth' | 'maxManifestNodes' | 'maxYamlAliases'>;

export interface LoadedManifest {
  file?: string | undefined;
  /** The resolved tree: `$ref`s replaced, `$parameters` merged onto every component, types filled. */
  root: ManifestNode;
  /** Located problems that do not stop the manifest from running (a repeated YAML key). */
  warnings?: ManifestProblem[];
}

export async function loadManifestFile(path: string, limits: ManifestLimits = DEFAULT_LIMITS): Promise<LoadedManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ManifestError([{ message: `cannot read manifest: ${(e as Error).message}`, location: { file: path } }], path);
  }
  return loadManifestText(text, path, limits);
}

export function loadManifestText(text: string, file?: string, limits: ManifestLimits = DEFAULT_LIMITS): LoadedManifest {
  const warnings: ManifestProblem[] = [];
  // The YAML reader measured depth and size as it went; only the $ref expansion is left to measure.
  const loaded = loadParsed(parseManifestYaml(text, file, limits, warnings), file, limits, true);
  return warnings.length ? { ...loaded, warnings: uniqueProblems(warnings) } : loaded;
}

/** A mapping reached through several YAML aliases reports its repeated key once. */
function uniqueProblems(problems: ManifestProblem[]): ManifestProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.location.line}:${p.location.column}:${p.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** For manifests that arrive as data, e.g. `config.__injected_declarative_manifest`. */
export function loadManifestObject(obj: unknown, file?: string, limits: ManifestLimits = DEFAULT_LIMITS): LoadedManifest {
  return loadParsed(obj, file, limits, false);
}

function loadParsed(obj: unknown, file: string | undefined, limits: ManifestLimits, measured: boolean): LoadedManifest {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    const got = obj === null ? 'nothing' : Array.isArray(obj) ? 'a list' : typeof obj;
    throw new ManifestError([{ message: `a manifest must be a mapping (type: DeclarativeSource, ...), got ${got}`, location: { file } }], file);
  }
  // Data manifests (JSON, injected in a config) are measured as they come; YAML ones were measured
  // while parsed. Then again once `$ref`s are expanded: each expansion is copied by later stages.
  if (!measured) checkSize(obj, file, limits, 'as written');
  const problems: ManifestProblem[] = [];
  let resolved: Record<string, unknown>;
  try {
    resolved = resolveReferences(obj, problems) as Record<string, unknown>;
  } catch (e) {
    // A chain of `$ref`s nests as deep as it is long.
    if (!(e instanceof RangeError)) throw e;
    throw sizeError('maxManifestDepth', limits, 'its $ref chains nest too deep to expand', file, undefined);
  }
  checkSize(resolved, file, limits, 'once its $refs are expanded');
  if (problems.length > 0) {
    // Report the rest of the manifest's problems too, not just the broken references — but not
    // the follow-on complaints about the very nodes whose references are broken.
    let more: ManifestProblem[] = [];
    try {
      if (!('type' in resolved)) resolved.type = 'DeclarativeSource';
      const partial = propagateTypesAndParameters(resolved) as ManifestNode;
      const broken = problems.map((p) => p.location.path ?? '').filter(Boolean);
      more = validateManifest({ file, root: partial }).filter((p) => !broken.some((b) => (p.location.path ?? '').startsWith(b)));
    } catch {
      // The partial tree may be too broken to check; the reference problems still stand.
    }
    throw new ManifestError(withFile([...problems, ...more], file), file);
  }
  // Airbyte treats a manifest without a root `type` as a source; the default matters because the
  // children's default types are looked up from it.
  if (!('type' in resolved)) resolved.type = 'DeclarativeSource';
  const root = propagateTypesAndParameters(resolved) as ManifestNode;
  return { file, root };
}

function withFile(problems: ManifestProblem[], file: string | undefined): ManifestProblem[] {
  return problems.map((p) => (p.location.file || !file ? p : { ...p, location: { ...p.location, file } }));
}

function checkSize(tree: unknown, file: string | undefined, limits: ManifestLimits, when: string): void {
  const measured = measureTree(tree, limits.maxManifestDepth, limits.maxManifestNodes);
  if (!measured.exceeded) return;
  const path = measured.path ?? [];
  if (measured.exceeded === 'depth') {
    throw sizeError('maxManifestDepth', limits, `the manifest nests more than ${limits.maxManifestDepth} levels deep ${when}`, file, locate(tree, path));
  }
  throw sizeError('maxManifestNodes', limits, `the manifest has more than ${limits.maxManifestNodes} nodes ${when}`, file, locate(tree, path));
}

function sizeError(
  limit: keyof ManifestLimits,
  limits: ManifestLimits,
  message: string,
  file: string | undefined,
  location: ManifestProblem['location'] | undefined,
): ManifestError {
  const detail = new LimitExceededError(limit, limits[limit], message).message;
  return new ManifestError([{ message: detail, location: { file, ...location } }], file);
}

/** The location of the deepest node along `path` that has one, and the path itself (shortened). */
function locate(tree: unknown, path: Array<string | number>): ManifestProblem['location'] {
  let node = tree;
  let found: ManifestProblem['location'] = {};
  for (const key of path) {
    if (node === null || typeof node !== 'object') break;
    const at = locationOf(node as object, key);
    if (at?.line) found = { file: at.file, line: at.line, column: at.column };
    node = (node as Record<string | number, unknown>)[key];
  }
  const shown = path.length > 8 ? [...path.slice(0, 5), '…', ...path.slice(-2)] : path;
  const text = shown.reduce<string>((acc, key) => (key === '…' ? `${acc}.…` : childPath(acc, key)), '');
  return { ...found, path: text || undefined };
}
