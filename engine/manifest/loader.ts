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

export interface LoadedManifest {
  file?: string | undefined;
  /** The resolved tree: `$ref`s replaced, `$parameters` merged onto every component, types filled. */
  root: ManifestNode;
  /** Located problems that do not stop the manifest from running (a repeated YAML key). */
  warnings?: ManifestProblem[];
}

export async function loadManifestFile(path: string): Promise<LoadedManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ManifestError([{ message: `cannot read manifest: ${(e as Error).message}`, location: { file: path } }], path);
  }
  return loadManifestText(text, path);
}

export function loadManifestText(text: string, file?: string): LoadedManifest {
  const warnings: ManifestProblem[] = [];
  const loaded = loadManifestObject(parseManifestYaml(text, file, warnings), file);
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
export function loadManifestObject(obj: unknown, file?: string): LoadedManifest {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    const got = obj === null ? 'nothing' : Array.isArray(obj) ? 'a list' : typeof obj;
    throw new ManifestError([{ message: `a manifest must be a mapping (type: DeclarativeSource, ...), got ${got}`, location: { file } }], file);
  }
  const problems: ManifestProblem[] = [];
  const resolved = resolveReferences(obj, problems) as Record<string, unknown>;
  if (problems.length > 0) {
    // Report the rest of the manifest's problems too, not just the broken references — but not
    // the follow-on complaints about the very nodes whose references are broken.
    let more: ManifestProblem[] = [];
    try {
      if (!('type' in resolved)) resolved.type = 'DeclarativeSource';
      const partial = propagateTypesAndParameters(resolved) as ManifestNode;
      const broken = problems.map((p) => p.location.path ?? '').filter(Boolean);
      more = validateManifest({ file, root: partial }).filter(
        (p) => !broken.some((b) => (p.location.path ?? '').startsWith(b)),
      );
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
