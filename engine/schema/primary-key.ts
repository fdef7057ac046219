/**
 * Primary-key fields a record has no value for. A destination deduplicating on the primary key
 * would merge every such record into one, so a declared key that the API's records lack is worth
 * saying out loud (the CDK passes such records on silently).
 */
import type { Obj } from '../types.js';

/** The primary-key paths (joined with '.') that are absent or null in `record`. */
export function missingPrimaryKeyFields(record: Obj, primaryKey: readonly (readonly string[])[]): string[] {
  const missing: string[] = [];
  for (const path of primaryKey) {
    let node: unknown = record;
    for (const key of path)
      node = node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, key) ? (node as Obj)[key] : undefined;
    if (node === undefined || node === null) missing.push(path.join('.'));
  }
  return missing;
}

export function missingPrimaryKeyMessage(stream: string, fields: readonly string[]): string {
  const which = fields.length === 1 ? `primary key field ${fields[0]}` : `primary key fields ${fields.join(', ')}`;
  return (
    `Stream ${stream}: records have no value for ${which}; a destination deduplicating on the primary key ` +
    `would merge them into one. Check the stream's primary_key against the API's records (reported once per stream).`
  );
}
