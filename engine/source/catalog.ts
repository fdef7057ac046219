/** What discover reports of a stream, and the concurrency level a manifest asks for. */
import { InterpolatedString } from '../interpolation/index.js';
import type { Stream } from '../contracts.js';
import { ConfigError } from '../errors/manifold-error.js';
import type { AirbyteStream, ConfiguredAirbyteStream } from '../protocol/messages.js';
import type { Obj } from '../types.js';

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The configured catalog's entries, checked before anything is read. A malformed entry is a
 * config_error naming it: guessing what it meant could read a stream twice, skip it, or read in
 * full refresh what should resume from its state. `read` needs each entry's sync_mode; a
 * destination only needs the stream names.
 */
export function configuredStreams(catalog: unknown, use: 'read' | 'write' = 'read'): ConfiguredAirbyteStream[] {
  if (!isObj(catalog) || !Array.isArray(catalog.streams)) throw new ConfigError('The configured catalog must be an object with a "streams" array');
  const seen = new Set<string>();
  return catalog.streams.map((entry: unknown, i) => {
    const where = `catalog.streams[${i}]`;
    if (!isObj(entry)) throw new ConfigError(`${where} is not an object`);
    if (!isObj(entry.stream)) throw new ConfigError(`${where} has no "stream" object (expected {"stream": {"name": "..."}, "sync_mode": "..."})`);
    const name = entry.stream.name;
    if (typeof name !== 'string' || !name) throw new ConfigError(`${where}.stream has no "name"`);
    if (use === 'write') return entry as unknown as ConfiguredAirbyteStream;
    const key = JSON.stringify([entry.stream.namespace ?? null, name]);
    if (seen.has(key)) throw new ConfigError(`${where}: stream "${name}" is already in the catalog`);
    seen.add(key);
    if (entry.sync_mode !== 'full_refresh' && entry.sync_mode !== 'incremental') {
      throw new ConfigError(`${where} (stream "${name}"): sync_mode must be "full_refresh" or "incremental" (got ${JSON.stringify(entry.sync_mode)})`);
    }
    return entry as unknown as ConfiguredAirbyteStream;
  });
}

export function concurrencyLevel(node: unknown, config: Obj): number | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const n = node as Obj;
  // Often a template such as `{{ config.get('num_workers', 10) }}`.
  const value = InterpolatedString.create(n.default_concurrency).eval({ config });
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 1) return undefined;
  const max = Number(InterpolatedString.create(n.max_concurrency).eval({ config }));
  return Math.floor(Number.isFinite(max) && max > 0 ? Math.min(parsed, max) : parsed);
}

export async function describeStream(stream: Stream): Promise<AirbyteStream> {
  const out: AirbyteStream = {
    name: stream.name,
    json_schema: await stream.jsonSchema(),
    supported_sync_modes: stream.supportsIncremental ? ['full_refresh', 'incremental'] : ['full_refresh'],
    is_resumable: stream.supportsIncremental,
  };
  if (stream.supportsIncremental) {
    out.source_defined_cursor = true;
    if (stream.cursorField) out.default_cursor_field = stream.cursorField;
  }
  if (stream.primaryKey.length) out.source_defined_primary_key = stream.primaryKey;
  return out;
}
