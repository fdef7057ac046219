/**
 * `sync(source, destination, options)`: reads a source's streams and loads them into a database
 * (DuckDB or PostgreSQL), resuming incremental streams from the state saved in the database.
 *
 *   const db = await openDestination('duckdb:crm.duckdb');
 *   const result = await sync(await Source.fromFile('manifests/close-com.yaml'), db, { config });
 *   await db.close();
 */
import { basename, extname } from 'node:path';
import { ConfigError } from '../errors/manifold-error.js';
import type { AirbyteMessage, AirbyteStream, ConfiguredAirbyteCatalog } from '../protocol/messages.js';
import type { ReadOptions, Source } from '../source/source.js';
import type { Obj } from '../types.js';
import { cursorFieldOf, destinationModeOf, primaryKeyOf, syncCatalog } from './modes.js';
import { NameAllocator, type NameCollision } from './naming.js';
import type { SqlDestination } from './sql-destination.js';
import { STATE_TABLE, StateStore } from './state-store.js';
import { CHECKPOINT_DEFAULTS, StreamLoader, type StreamSummary } from './stream-loader.js';
import { planTable } from './tables.js';

export interface SyncOptions {
  config: Obj;
  /** Only these streams (default: all). */
  streams?: string[] | undefined;
  /** Every stream full refresh + overwrite, ignoring saved state. */
  fullRefresh?: boolean | undefined;
  /** A configured catalog to use instead of the one derived from discover. */
  catalog?: ConfiguredAirbyteCatalog | undefined;
  /** Whose state this is in `_manifold_state` (default: the manifest file's name). */
  connector?: string | undefined;
  /** Passed to Source.readBatches (concurrency, limits, signal, onPage). */
  read?: ReadOptions | undefined;
  /**
   * How often an incremental stream commits mid-read, at the source's state messages: once this
   * many rows are staged or this much time has passed (default 50,000 rows / 2 s).
   */
  checkpointEvery?: { rows?: number; ms?: number } | undefined;
  /** Called after each commit of a stream's records (with the state saved with them). */
  onCheckpoint?: ((stream: string, state: Obj | undefined) => void) | undefined;
  /** Every message of the read other than RECORD and STATE (LOG, TRACE, CONTROL). */
  onMessage?: ((message: AirbyteMessage) => void | Promise<void>) | undefined;
}

export interface SyncResult {
  ok: boolean;
  streams: StreamSummary[];
  /** Streams whose table name collided with another's after normalising. */
  collisions: NameCollision[];
  /** Error messages reported by the source. */
  errors: string[];
}

/** The configured catalog a sync would use (also `manifold catalog`). */
export async function syncCatalogFor(
  source: Source,
  options: Pick<SyncOptions, 'config' | 'streams' | 'fullRefresh' | 'catalog'>,
): Promise<ConfiguredAirbyteCatalog> {
  const discovered = await source.discover(options.config);
  if (!options.catalog) return syncCatalog(discovered, { streams: options.streams, fullRefresh: options.fullRefresh });
  // A hand-written catalog may leave out the schemas: take them from discover.
  const byName = new Map(discovered.streams.map((s) => [s.name, s]));
  const wanted = options.streams?.length ? new Set(options.streams) : undefined;
  return {
    streams: options.catalog.streams
      .filter((entry) => !wanted || wanted.has(entry.stream.name))
      .map((entry) => {
        const found = byName.get(entry.stream.name);
        const stream = { ...(found ?? {}), ...entry.stream } as AirbyteStream;
        if (!(entry.stream as Partial<AirbyteStream>).json_schema && found) stream.json_schema = found.json_schema;
        return options.fullRefresh ? { ...entry, stream, sync_mode: 'full_refresh' as const, destination_sync_mode: 'overwrite' } : { ...entry, stream };
      }),
  };
}

export async function sync(source: Source, destination: SqlDestination, options: SyncOptions): Promise<SyncResult> {
  const catalog = await syncCatalogFor(source, options);
  const connector = options.connector ?? connectorName(source);
  const store = new StateStore(destination, connector);
  let saved: Awaited<ReturnType<StateStore['load']>>;
  try {
    await store.ensure();
    saved = await store.load();
  } catch (e) {
    throw new ConfigError(`Cannot write to ${destination.description}: ${(e as Error).message}`, { cause: e });
  }

  const tables = new NameAllocator(destination.maxIdentifierLength, [STATE_TABLE]);
  const loaders = new Map<string, StreamLoader>();
  for (const entry of catalog.streams) {
    const stream = entry.stream as Partial<AirbyteStream> & { name: string };
    const mode = destinationModeOf(entry);
    const plan = planTable({
      stream: stream.name,
      table: tables.allocate(stream.name),
      syncMode: entry.sync_mode,
      mode,
      jsonSchema: stream.json_schema,
      primaryKey: primaryKeyOf(entry),
      cursorField: cursorFieldOf(entry),
      maxIdentifierLength: destination.maxIdentifierLength,
    });
    const generation = (saved.get(stream.name)?.generation ?? 0) + (mode === 'overwrite' ? 1 : 0);
    loaders.set(
      stream.name,
      new StreamLoader(
        destination,
        store,
        plan,
        generation,
        options.fullRefresh ? undefined : saved.get(stream.name)?.state,
        { ...CHECKPOINT_DEFAULTS, ...options.checkpointEvery },
        options.onCheckpoint,
      ),
    );
  }
  try {
    // One transaction for every stream's table setup: one commit, not a few per stream.
    await destination.transaction(async () => {
      for (const loader of loaders.values()) await loader.begin();
    });
  } catch (e) {
    await Promise.allSettled([...loaders.values()].map((l) => l.abandon()));
    throw new ConfigError(`Cannot create tables in ${destination.description}: ${(e as Error).message}`, { cause: e });
  }

  const inputState = catalog.streams
    .filter((entry) => entry.sync_mode === 'incremental')
    .flatMap((entry) => {
      const state = saved.get(entry.stream.name)?.state;
      return state ? [{ type: 'STREAM', stream: { stream_descriptor: { name: entry.stream.name }, stream_state: state } }] : [];
    });

  const errors: string[] = [];
  const done = new Set<string>();
  try {
    for await (const batch of source.readBatches(options.config, catalog, inputState, options.read ?? {})) {
      for (const message of batch) {
        if (message.type === 'RECORD') {
          const loader = loaders.get(message.record.stream);
          if (loader) await loader.add(message.record.data, message.record.emitted_at);
          continue;
        }
        if (message.type === 'STATE') {
          const stream = message.state.stream;
          const loader = stream ? loaders.get(stream.stream_descriptor.name) : undefined;
          if (loader && stream?.stream_state) await loader.state(stream.stream_state);
          continue;
        }
        if (message.type === 'TRACE') {
          const status = message.trace.stream_status;
          if (status?.status === 'COMPLETE') {
            await loaders.get(status.stream_descriptor.name)?.complete();
            done.add(status.stream_descriptor.name);
          } else if (status?.status === 'INCOMPLETE') {
            await loaders.get(status.stream_descriptor.name)?.abandon();
          }
          if (message.trace.type === 'ERROR' && message.trace.error) errors.push(message.trace.error.message);
        }
        await options.onMessage?.(message);
      }
    }
  } finally {
    for (const [name, loader] of loaders) if (!done.has(name)) await loader.abandon().catch(() => undefined);
  }
  const streams = [...loaders.values()].map((l) => l.summary);
  return { ok: errors.length === 0 && streams.every((s) => s.status === 'complete'), streams, collisions: tables.collisions, errors };
}

function connectorName(source: Source): string {
  const file = source.manifest.file;
  return file && !file.startsWith('<') ? basename(file, extname(file)) : 'manifold';
}
