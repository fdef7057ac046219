/**
 * dpath-style access to decoded JSON (what Airbyte's field_path / field_pointers mean): keys index
 * objects, numeric keys index arrays, `*` matches one level, `**` any number of levels.
 */
import { InterpolatedString } from '../interpolation/index.js';
import type { BuildContext } from '../registry.js';
import type { Obj } from '../types.js';

export type PathKey = string | number;

function child(node: unknown, key: PathKey): unknown {
  if (Array.isArray(node)) {
    const i = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : NaN;
    return Number.isInteger(i) ? node[i] : undefined;
  }
  if (node !== null && typeof node === 'object') return (node as Obj)[key as string];
  return undefined;
}

function children(node: unknown): unknown[] {
  if (Array.isArray(node)) return node;
  if (node !== null && typeof node === 'object') return Object.values(node);
  return [];
}

export function hasWildcard(path: readonly PathKey[]): boolean {
  return path.some((k) => k === '*' || k === '**');
}

/** The value at an exact path, or undefined. */
export function getPath(root: unknown, path: readonly PathKey[]): unknown {
  let node = root;
  for (const key of path) {
    node = child(node, key);
    if (node === undefined) return undefined;
  }
  return node;
}

/** Every value matched by a glob path, in document order. */
export function globValues(root: unknown, path: readonly PathKey[]): unknown[] {
  const out: unknown[] = [];
  const walk = (node: unknown, i: number): void => {
    if (i === path.length) {
      out.push(node);
      return;
    }
    const key = path[i]!;
    if (key === '*') {
      for (const c of children(node)) walk(c, i + 1);
    } else if (key === '**') {
      walk(node, i + 1);
      for (const c of children(node)) walk(c, i);
    } else {
      const c = child(node, key);
      if (c !== undefined) walk(c, i + 1);
    }
  };
  walk(root, 0);
  return out;
}

/** Sets a value, creating objects (or extending arrays with nulls) along the way. */
export function setPath(root: Obj, path: readonly PathKey[], value: unknown): void {
  let node: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const last = i === path.length - 1;
    if (Array.isArray(node)) {
      const idx = Number(key);
      while (node.length < idx) node.push(null);
      if (last) node[idx] = value;
      else {
        const next = node[idx];
        node = next !== null && typeof next === 'object' ? next : (node[idx] = {});
      }
    } else {
      const obj = node as Obj;
      const k = String(key);
      if (last) assignOwn(obj, k, value);
      else {
        const next = Object.hasOwn(obj, k) ? obj[k] : undefined;
        node = next !== null && typeof next === 'object' ? next : assignOwn(obj, k, {});
      }
    }
  }
}

/**
 * Deletes what a glob path matches (array items become null, except a last item, which is
 * removed, as dpath does). `shouldDelete` may veto the deletion of a value. Returns how many were deleted.
 */
export function deleteGlob(root: unknown, path: readonly PathKey[], shouldDelete?: (value: unknown) => boolean): number {
  if (path.length > 0 && !hasWildcard(path)) return deleteExact(root, path, shouldDelete);
  const targets: Array<[unknown, PathKey]> = [];
  const walk = (node: unknown, i: number): void => {
    if (node === null || typeof node !== 'object') return;
    const key = path[i]!;
    const last = i === path.length - 1;
    const keys: PathKey[] =
      key === '*' || key === '**' ? (Array.isArray(node) ? node.map((_, j) => j) : Object.keys(node)) : child(node, key) === undefined ? [] : [key];
    for (const k of keys) {
      const value = child(node, k);
      if (last) targets.push([node, k]);
      else walk(value, i + 1);
      // `**` may also swallow this level and match deeper.
      if (key === '**') walk(value, i);
    }
  };
  if (path.length > 0) walk(root, 0);
  let deleted = 0;
  for (const [parent, k] of targets) deleted += deleteAt(parent, k, shouldDelete);
  return deleted;
}

/** deleteGlob for one path, with the glob-or-exact decision made once (for per-record use). */
export function deleterFor(path: readonly PathKey[]): (root: unknown, shouldDelete?: (value: unknown) => boolean) => number {
  if (path.length > 0 && !hasWildcard(path)) return (root, shouldDelete) => deleteExact(root, path, shouldDelete);
  return (root, shouldDelete) => deleteGlob(root, path, shouldDelete);
}

/** deleteGlob for a path without globs: no walk closure or target list per record. */
function deleteExact(root: unknown, path: readonly PathKey[], shouldDelete?: (value: unknown) => boolean): number {
  let parent = root;
  for (let i = 0; i < path.length - 1; i++) {
    parent = child(parent, path[i]!);
    if (parent === null || typeof parent !== 'object') return 0;
  }
  return deleteAt(parent, path[path.length - 1]!, shouldDelete);
}

/** Deletes `parent[k]` the way dpath does (a list item becomes null unless it is the last); 1 if deleted. */
function deleteAt(parent: unknown, k: PathKey, shouldDelete?: (value: unknown) => boolean): number {
  const value = child(parent, k);
  if (value === undefined || (shouldDelete && !shouldDelete(value))) return 0;
  if (Array.isArray(parent)) {
    const idx = Number(k);
    if (idx === parent.length - 1) parent.pop();
    else parent[idx] = null;
  } else {
    removeKey(parent as Obj, String(k));
  }
  return 1;
}

const LATER_KEYS_REBUILT = 16;
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * `delete` of any key but the last one added switches a V8 object to dictionary mode: a large
 * per-record allocation, and slower access and JSON.stringify afterwards. Deleting the keys after
 * it and adding them back (each delete then removes the newest key, which V8 undoes cheaply) keeps
 * the object fast and the key order unchanged.
 */
export function removeKey(obj: Obj, key: string): void {
  const first = key.charCodeAt(0);
  if (first >= 48 && first <= 57 && INDEX_KEY.test(key)) {
    // Index-like keys live apart from named ones (and sort first): a plain delete is right and cheap.
    delete obj[key];
    return;
  }
  // One for-in (a fast object's map caches its key list) finds the key and collects the keys after
  // it into scratch space shared by every call: nothing is allocated per record.
  const keys = LATER_KEYS;
  const values = LATER_VALUES;
  let later = -1;
  for (const k in obj) {
    if (later < 0) {
      if (k === key) later = 0;
    } else if (later === LATER_KEYS_REBUILT) {
      later++;
      break;
    } else {
      keys[later++] = k;
    }
  }
  if (later <= 0 || later > LATER_KEYS_REBUILT || !Object.hasOwn(obj, key)) {
    delete obj[key];
    return;
  }
  for (let j = later - 1; j >= 0; j--) {
    values[j] = obj[keys[j]!];
    delete obj[keys[j]!];
  }
  delete obj[key];
  for (let j = 0; j < later; j++) {
    assignOwn(obj, keys[j]!, values[j]);
    values[j] = undefined;
  }
}

/**
 * `obj[k] = v` as an own data property. Records come from JSON, where `__proto__` is an ordinary
 * key; assigning it would replace the record's prototype instead.
 */
export function assignOwn<T>(obj: Obj, k: string, value: T): T {
  if (k === '__proto__') Object.defineProperty(obj, k, { value, writable: true, enumerable: true, configurable: true });
  else obj[k] = value;
  return value;
}

/** Object.assign with assignOwn semantics: every key of `source` becomes an own key of `target`. */
export function assignAllOwn(target: Obj, source: Obj): void {
  for (const k of Object.keys(source)) assignOwn(target, k, source[k]);
}

const LATER_KEYS: string[] = new Array<string>(LATER_KEYS_REBUILT).fill('');
const LATER_VALUES: unknown[] = new Array<unknown>(LATER_KEYS_REBUILT).fill(undefined);

/** field_path parts may be templates over config/parameters: evaluated once, at build time. */
export function resolvePath(parts: unknown, ctx: BuildContext, field: string): PathKey[] {
  if (parts === undefined || parts === null) return [];
  if (!Array.isArray(parts)) throw ctx.error(`${field} must be a list of keys`, field);
  return parts.map((p) =>
    typeof p === 'number' ? p : InterpolatedString.create(p, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters }),
  );
}
