/**
 * The configured catalog a sync uses when none is given: every stream (or the ones asked for),
 * incremental where the stream supports it (with its default cursor), full refresh otherwise, and
 * the destination mode that keeps the tables free of duplicates run after run.
 */
import { ConfigError } from '../errors/manifold-error.js';
import type { AirbyteCatalog, AirbyteStream, ConfiguredAirbyteCatalog, ConfiguredAirbyteStream } from '../protocol/messages.js';

/** How records reach a stream's table. */
export type DestinationSyncMode = 'overwrite' | 'append' | 'append_dedup';

export interface CatalogOptions {
  /** Only these streams (default: all). */
  streams?: string[] | undefined;
  /** Every stream full refresh + overwrite, ignoring saved state. */
  fullRefresh?: boolean | undefined;
}

/**
 * - incremental streams: `append_dedup` on their primary key when they have one, else `append`;
 * - full-refresh streams: `overwrite` (each run replaces the table atomically; appending would
 *   copy every row again on each run);
 * - `fullRefresh`: every stream full refresh + overwrite.
 */
export function syncCatalog(catalog: AirbyteCatalog, options: CatalogOptions = {}): ConfiguredAirbyteCatalog {
  const byName = new Map(catalog.streams.map((s) => [s.name, s]));
  let chosen: AirbyteStream[] = catalog.streams;
  if (options.streams?.length) {
    const unknown = options.streams.filter((n) => !byName.has(n));
    if (unknown.length) {
      throw new ConfigError(`Unknown stream(s) ${unknown.map((n) => `"${n}"`).join(', ')} (streams: ${[...byName.keys()].join(', ')})`);
    }
    chosen = options.streams.map((n) => byName.get(n)!);
  }
  return { streams: chosen.map((s) => configureStream(s, options.fullRefresh === true)) };
}

function configureStream(stream: AirbyteStream, fullRefresh: boolean): ConfiguredAirbyteStream {
  const incremental = !fullRefresh && stream.supported_sync_modes.includes('incremental');
  const primaryKey = stream.source_defined_primary_key ?? [];
  const out: ConfiguredAirbyteStream = {
    stream,
    sync_mode: incremental ? 'incremental' : 'full_refresh',
    destination_sync_mode: !incremental ? 'overwrite' : primaryKey.length ? 'append_dedup' : 'append',
  };
  if (stream.default_cursor_field?.length) out.cursor_field = stream.default_cursor_field;
  if (primaryKey.length) out.primary_key = primaryKey;
  return out;
}

/** The destination mode of a configured stream (a hand-written catalog may leave it out). */
export function destinationModeOf(entry: ConfiguredAirbyteStream): DestinationSyncMode {
  const mode = entry.destination_sync_mode;
  if (mode === 'overwrite' || mode === 'append' || mode === 'append_dedup') return mode;
  if (mode === 'overwrite_dedup') return 'overwrite';
  if (mode !== undefined) throw new ConfigError(`Stream "${entry.stream.name}": destination_sync_mode "${mode}" is not one of overwrite, append, append_dedup`);
  if (entry.sync_mode === 'full_refresh') return 'overwrite';
  return primaryKeyOf(entry).length ? 'append_dedup' : 'append';
}

export function primaryKeyOf(entry: ConfiguredAirbyteStream): string[][] {
  const stream = entry.stream as Partial<AirbyteStream>;
  return entry.primary_key ?? stream.source_defined_primary_key ?? [];
}

export function cursorFieldOf(entry: ConfiguredAirbyteStream): string[] {
  const stream = entry.stream as Partial<AirbyteStream>;
  return entry.cursor_field ?? stream.default_cursor_field ?? [];
}
