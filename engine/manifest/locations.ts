/**
 * Where every loaded manifest object came from. Kept beside the data (a WeakMap keyed by the plain
 * objects builders receive) so components and validation can point users at file:line:column and
 * the component path without the manifest tree carrying bookkeeping fields.
 */
import type { SourceLocation } from '../errors/manifold-error.js';

export interface Position {
  line: number;
  column: number;
}

export interface NodeOrigin {
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
  /** Component path where the node is used (set once $ref/$parameters processing placed it). */
  path?: string | undefined;
  /** Position of each field's key (mappings) or element (sequences). */
  fields?: Map<string | number, Position> | undefined;
  /** Position of each mapping field's value (what an editor underlines for a wrong value). */
  values?: Map<string | number, Position> | undefined;
}

const origins = new WeakMap<object, NodeOrigin>();

export function setOrigin(node: object, origin: NodeOrigin): void {
  origins.set(node, origin);
}

export function getOrigin(node: object): NodeOrigin | undefined {
  return origins.get(node);
}

/** `streams` + 2 → `streams[2]`; `streams[2]` + `retriever` → `streams[2].retriever`. */
export function childPath(path: string | undefined, field: string | number): string {
  if (typeof field === 'number') return `${path ?? ''}[${field}]`;
  return path ? `${path}.${field}` : field;
}

/** Location of a loaded node, or of one of its fields (falls back to the node's own position). */
export function locationOf(node: object, field?: string | number): SourceLocation | undefined {
  const origin = origins.get(node);
  if (!origin) return undefined;
  const loc: SourceLocation = { file: origin.file, line: origin.line, column: origin.column, path: origin.path };
  if (field === undefined) return loc;
  const pos = origin.fields?.get(field);
  if (pos) {
    loc.line = pos.line;
    loc.column = pos.column;
  }
  loc.path = childPath(origin.path, field);
  return loc;
}

/** Location of a field's value (falls back to its key, then to the node). */
export function valueLocationOf(node: object, field: string | number): SourceLocation | undefined {
  const loc = locationOf(node, field);
  const pos = origins.get(node)?.values?.get(field);
  return loc && pos ? { ...loc, line: pos.line, column: pos.column } : loc;
}
