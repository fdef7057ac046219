/** What discover reports of a stream, and the concurrency level a manifest asks for. */
import { InterpolatedString } from '../interpolation/index.js';
import type { Stream } from '../contracts.js';
import type { AirbyteStream } from '../protocol/messages.js';
import type { Obj } from '../types.js';

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
