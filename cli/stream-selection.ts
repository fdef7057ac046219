/** `--stream NAME` (repeatable): the streams `read`, `infer-schema` and `sync` work on. */
import type { Command } from 'commander';
import { ConfigError } from '../engine/errors/manifold-error.js';
import { suggestNames } from '../engine/manifest/manifest-walk.js';
import type { ConfiguredAirbyteCatalog } from '../engine/protocol/messages.js';
import type { Source } from '../engine/source/source.js';

const collect = (value: string, all: string[] = []): string[] => [...all, value];

export function addStreamOption(cmd: Command, description = "only this stream; repeatable (default: every stream, or the catalog's)"): Command {
  return cmd.option('--stream <name>', description, collect);
}

/**
 * Checks `names` against the manifest's streams (when they are all known before a run: dynamic
 * streams exist only once resolved) and says which ones exist, with a likely misspelling named.
 */
export function checkStreamNames(source: Source, names: string[]): void {
  if ((source.manifest.root as { dynamic_streams?: unknown }).dynamic_streams) return;
  const known = source.streamNames();
  for (const name of names) {
    if (known.includes(name)) continue;
    const hint = suggestNames(name, known);
    throw new ConfigError(`No stream "${name}" in the manifest${hint.length ? `; did you mean ${hint.join(', ')}?` : ''} (streams: ${known.join(', ')})`);
  }
}

/**
 * The catalog a read uses: without --stream the --catalog file (or undefined: every stream in full
 * refresh); with it, the catalog's entries for those streams, or, without a catalog, those streams
 * in full refresh.
 */
export function selectStreams(
  source: Source,
  catalog: ConfiguredAirbyteCatalog | undefined,
  names: string[] | undefined,
  catalogFile?: string,
): ConfiguredAirbyteCatalog | undefined {
  if (!names?.length) return catalog;
  checkStreamNames(source, names);
  if (!catalog) return { streams: [...new Set(names)].map((name) => ({ stream: { name }, sync_mode: 'full_refresh' as const })) };
  const inCatalog = new Set(catalog.streams.map((s) => s?.stream?.name));
  const missing = names.filter((n) => !inCatalog.has(n));
  if (missing.length)
    throw new ConfigError(
      `--stream ${missing.join(', ')}: not in the catalog ${catalogFile ?? ''} (it has: ${[...inCatalog].join(', ')})`.replace('  (', ' ('),
    );
  return { ...catalog, streams: catalog.streams.filter((s) => names.includes(s?.stream?.name)) };
}

/**
 * Whether a stream is read incrementally: the catalog asks for it and the manifest's stream can
 * (a stream without incremental_sync is read in full whatever the catalog says). Streams the
 * manifest does not list (dynamic ones) go by the catalog.
 */
export function incrementalStreams(source: Source, catalog: ConfiguredAirbyteCatalog | undefined): (stream: string) => boolean {
  const nodes = (source.manifest.root as { streams?: unknown }).streams;
  const byName = new Map<string, Record<string, unknown>>();
  if (Array.isArray(nodes))
    for (const n of nodes)
      if (n && typeof n === 'object' && typeof (n as { name?: unknown }).name === 'string')
        byName.set((n as { name: string }).name, n as Record<string, unknown>);
  const incremental = new Set<string>();
  for (const entry of catalog?.streams ?? []) {
    if (entry?.sync_mode !== 'incremental') continue;
    const node = byName.get(entry.stream?.name);
    if (!node || node.incremental_sync || node.type === 'StateDelegatingStream') incremental.add(entry.stream.name);
  }
  return (stream) => incremental.has(stream);
}
