/**
 * `$ref` resolution with Airbyte's ManifestReferenceResolver semantics:
 * - `{$ref: "#/a/b", ...siblings}` is the referenced mapping shallow-merged with the siblings
 *   (siblings win); a ref to a non-mapping replaces the node outright;
 * - any string value starting with `#/` is itself a reference;
 * - a pointer first tries the whole remaining path as one key, then splits off the first segment
 *   (all-digit segments index lists).
 * Every problem (dangling, circular, malformed) is collected with its location instead of
 * stopping at the first one.
 */
import type { ManifestProblem } from '../errors/manifold-error.js';
import { childPath, getOrigin, locationOf, setOrigin, type NodeOrigin } from './locations.js';

const REF = '$ref';
/** Fields whose values are kept verbatim: overrides are user config, where `#/` may be real data. */
const VERBATIM_FIELDS = new Set(['config_overrides']);

export function resolveReferences(manifest: unknown, problems: ManifestProblem[]): unknown {
  const resolver = new Resolver(manifest, problems);
  return resolver.evaluate(manifest, '', undefined);
}

interface Site {
  parent: object;
  field: string | number;
}

class Resolver {
  private readonly done = new Map<string, unknown>();
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly root: unknown,
    private readonly problems: ManifestProblem[],
  ) {}

  evaluate(node: unknown, path: string, site: Site | undefined): unknown {
    if (Array.isArray(node)) {
      const out = node.map((v, i) => this.evaluate(v, childPath(path, i), { parent: node, field: i }));
      copyOrigin(node, out);
      return out;
    }
    if (node !== null && typeof node === 'object') return this.evaluateMapping(node as Record<string, unknown>, path);
    if (isRef(node)) return this.follow(node, path, site);
    return node;
  }

  private evaluateMapping(node: Record<string, unknown>, path: string): unknown {
    const own: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === REF) continue;
      own[k] = VERBATIM_FIELDS.has(k) ? v : this.evaluate(v, childPath(path, k), { parent: node, field: k });
    }
    copyOrigin(node, own);
    if (!(REF in node)) return own;

    const ref = node[REF];
    if (!isRef(ref)) {
      this.problem(`$ref must be a string like "#/definitions/name", got ${JSON.stringify(ref)}`, node, REF, path);
      return own;
    }
    const target = this.follow(ref, path, { parent: node, field: REF });
    if (target === null || typeof target !== 'object' || Array.isArray(target)) return target;
    const merged = { ...(target as Record<string, unknown>), ...own };
    // The node's content now comes from the definition; fields written beside $ref keep their own spot.
    const from = getOrigin(target) ?? getOrigin(node);
    const fields = new Map([...(getOrigin(target)?.fields ?? []), ...(getOrigin(node)?.fields ?? [])]);
    fields.delete(REF);
    const values = new Map([...(getOrigin(target)?.values ?? []), ...(getOrigin(node)?.values ?? [])]);
    values.delete(REF);
    setOrigin(merged, { ...from, fields, values });
    return merged;
  }

  private follow(ref: string, path: string, site: Site | undefined): unknown {
    const cached = this.done.get(ref);
    if (cached !== undefined || this.done.has(ref)) return cached;
    if (this.inProgress.has(ref)) {
      this.problemAt(`circular reference: ${ref} refers back to itself`, site, path);
      return null;
    }
    const pointer = ref.slice(2);
    const found = readPointer(this.root, pointer);
    if (!found.ok) {
      this.problemAt(`undefined reference ${ref}: nothing at "${found.missing}"`, site, path);
      this.done.set(ref, null);
      return null;
    }
    this.inProgress.add(ref);
    const value = this.evaluate(found.value, path, site);
    this.inProgress.delete(ref);
    this.done.set(ref, value);
    return value;
  }

  private problemAt(message: string, site: Site | undefined, path: string): void {
    if (site) this.problem(message, site.parent, site.field, path);
    else this.problems.push({ message, location: { path } });
  }

  private problem(message: string, parent: object, field: string | number, path: string): void {
    const loc = locationOf(parent, field) ?? {};
    this.problems.push({ message, location: { ...loc, path: path || loc.path } });
  }
}

function isRef(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('#/');
}

function copyOrigin(from: object, to: object): void {
  const origin: NodeOrigin | undefined = getOrigin(from);
  if (origin) setOrigin(to, origin);
}

/** Splits `a/b/c` into the first segment (a number when all digits) and the rest. */
export function parseRefPath(path: string): [string | number, string] {
  const slash = path.indexOf('/');
  const first = slash < 0 ? path : path.slice(0, slash);
  const rest = slash < 0 ? '' : path.slice(slash + 1);
  return [/^[+-]?\d+$/.test(first.trim()) ? Number(first) : first, rest];
}

type Lookup = { ok: true; value: unknown } | { ok: false; missing: string };

export function readPointer(root: unknown, pointer: string): Lookup {
  let node = root;
  let rest = pointer;
  while (rest) {
    if (node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, rest)) {
      return { ok: true, value: (node as Record<string, unknown>)[rest] };
    }
    const [head, tail] = parseRefPath(rest);
    const next = step(node, head);
    if (next === MISSING) return { ok: false, missing: pointer.slice(0, pointer.length - tail.length).replace(/\/$/, '') };
    node = next;
    rest = tail;
  }
  return { ok: true, value: node };
}

const MISSING = Symbol('missing');

function step(node: unknown, key: string | number): unknown {
  if (Array.isArray(node)) {
    if (typeof key !== 'number') return MISSING;
    const i = key < 0 ? node.length + key : key;
    return i >= 0 && i < node.length ? node[i] : MISSING;
  }
  if (node !== null && typeof node === 'object') {
    const k = String(key);
    return Object.hasOwn(node, k) ? (node as Record<string, unknown>)[k] : MISSING;
  }
  return MISSING;
}
