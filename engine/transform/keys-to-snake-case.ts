/**
 * KeysToSnakeCase: keys (nested objects too) become snake_case the way Airbyte tokenizes them:
 * accents dropped, words split on case changes, digits and non-alphanumerics.
 */
import type { RecordTransformation } from '../contracts.js';
import { registerComponent } from '../registry.js';
import type { DataRecord, Obj } from '../types.js';
import { assignAllOwn, assignOwn } from '../extract/dpath.js';

const TOKEN = /[A-Z]+[a-z]*|[a-z]+|\d+|([^a-zA-Z\d]+)/g;
// Records of a stream share their keys: converting each distinct key once keeps this per-record cheap.
const cache = new Map<string, string>();
const CACHE_LIMIT = 10_000;

export function toSnakeCase(key: string): string {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const ascii = key.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  let tokens: string[] = [];
  for (const m of ascii.matchAll(TOKEN)) tokens.push(m[1] === undefined ? m[0] : '');
  if (tokens.length >= 3) tokens = [tokens[0]!, ...tokens.slice(1, -1).filter(Boolean), tokens[tokens.length - 1]!];
  if (tokens.length > 0 && /^\d+$/.test(tokens[0]!)) tokens.unshift('');
  const out = tokens.map((t) => t.toLowerCase()).join('_');
  if (cache.size < CACHE_LIMIT) cache.set(key, out);
  return out;
}

function convert(obj: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(obj)) {
    assignOwn(out, toSnakeCase(k), v !== null && typeof v === 'object' && !Array.isArray(v) ? convert(v as Obj) : v);
  }
  return out;
}

export class KeysToSnakeCase implements RecordTransformation {
  transform(record: DataRecord): void {
    const converted = convert(record);
    for (const k of Object.keys(record)) delete record[k];
    assignAllOwn(record, converted);
  }
}

registerComponent('KeysToSnakeCase', () => new KeysToSnakeCase(), 'Converts record keys (nested too) to snake_case.');
