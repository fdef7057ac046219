/**
 * `manifold sync` loads a source's streams into DuckDB (default) or PostgreSQL; `manifold catalog`
 * prints the configured catalog sync would use; `manifold query` runs SQL against a destination.
 * People read stderr (progress, a per-stream summary); stdout carries Airbyte LOG/TRACE messages
 * only with --json.
 */
import type { Command } from 'commander';
import { ConfigError, isManifoldError } from '../../engine/errors/manifold-error.js';
import { errorTrace, type AirbyteMessage, type ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import { openDestination, type SqlDestination } from '../../engine/sync/sql-destination.js';
import { sync, syncCatalogFor, type SyncResult } from '../../engine/sync/sync.js';
import type { HttpEvent } from '../../engine/types.js';
import {
  addConfigOption,
  addHttpTransportOptions,
  addLogOptions,
  addManifestOption,
  logLevelOf,
  openSource,
  readConfig,
  transportOf,
  type CommonOptions,
} from '../common.js';
import { readJsonFile } from '../io.js';
import { LineWriter } from '../output.js';
import type { Progress } from '../progress.js';

export const DEFAULT_DESTINATION = 'duckdb:manifold.duckdb';

interface SyncCommandOptions extends CommonOptions {
  to: string;
  streams?: string;
  stream?: string[];
  fullRefresh?: boolean;
  catalog?: string;
  json?: boolean;
  progress?: boolean;
}

function streamList(value: string | undefined): string[] | undefined {
  const names = value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names?.length ? names : undefined;
}

/** --streams a,b and --stream NAME (repeatable) together. */
function chosenStreams(opts: { streams?: string; stream?: string[] }): string[] | undefined {
  const names = [...new Set([...(streamList(opts.streams) ?? []), ...(opts.stream ?? [])])];
  return names.length ? names : undefined;
}

async function catalogFile(path: string | undefined): Promise<ConfiguredAirbyteCatalog | undefined> {
  if (!path) return undefined;
  const catalog = (await readJsonFile(path, 'catalog')) as ConfiguredAirbyteCatalog | undefined;
  if (!Array.isArray(catalog?.streams)) throw new ConfigError(`catalog file ${path} has no "streams" array`);
  return catalog;
}

/** Runs a command whose failures go to stderr (and as an error TRACE to stdout with --json). */
async function runHuman(json: boolean | undefined, body: (out: LineWriter | undefined) => Promise<boolean>): Promise<void> {
  const out = json ? new LineWriter() : undefined;
  let ok = false;
  try {
    ok = await body(out);
  } catch (e) {
    const message = isManifoldError(e) ? e.describe() : ((e as Error)?.message ?? String(e));
    if (out) await out.write(errorTrace(message, isManifoldError(e) ? e.failureType : 'system_error'));
    process.stderr.write(`manifold: ${message}\n`);
  }
  await out?.end();
  if (!ok) process.exitCode = 1;
}

function describeResult(result: SyncResult, destination: SqlDestination): string {
  const lines = [`manifold: sync into ${destination.description}${result.ok ? '' : ' (with failures)'}:`];
  for (const c of result.collisions)
    lines.push(`  note: streams "${c.name}" and another both normalise to table ${c.wanted}: "${c.name}" loads into ${c.given}`);
  for (const s of result.streams) {
    const status = s.status === 'complete' ? '' : ` — ${s.status.toUpperCase()}`;
    const counts =
      s.mode === 'append_dedup'
        ? `${s.inserted} inserted, ${s.updated} updated`
        : s.mode === 'overwrite' && s.status === 'complete'
          ? `table replaced (${s.inserted} rows)`
          : `${s.inserted} inserted`;
    const extras = [
      s.mode,
      s.stateSaved && s.mode !== 'overwrite' ? 'state saved' : '',
      s.changedValues ? `${s.changedValues} values did not fit (see _airbyte_meta)` : '',
      s.addedColumns.length
        ? `${s.addedColumns.length} new column${s.addedColumns.length === 1 ? '' : 's'}: ${s.addedColumns.slice(0, 5).join(', ')}${s.addedColumns.length > 5 ? ', …' : ''}`
        : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`  ${s.stream} → ${s.table}: ${s.records} read, ${counts} (${extras})${status}`);
    for (const note of s.notes) lines.push(`    note: ${note}`);
  }
  return lines.join('\n') + '\n';
}

export function registerSyncCommands(program: Command): void {
  const cmd = program
    .command('sync')
    .description(`load streams into a database: DuckDB (default ${DEFAULT_DESTINATION}) or PostgreSQL, incremental and deduplicated where the streams allow`)
    .option('--to <dest>', 'duckdb:PATH or postgres://user:password@host:port/database[?schema=NAME]', DEFAULT_DESTINATION)
    .option('--streams <names>', 'comma-separated streams to sync (default: all)')
    .option('--stream <name>', 'a stream to sync; repeatable (adds to --streams)', (v: string, all: string[] = []) => [...all, v])
    .option('--full-refresh', 'reload every stream from scratch, replacing its table')
    .option('--catalog <file>', 'configured catalog JSON to use instead of the derived one (see `manifold catalog`)')
    .option('--json', 'write LOG and TRACE messages to stdout as Airbyte messages')
    .option('--progress', 'draw live per-stream progress on stderr even when it is not a terminal')
    .option('--no-progress', 'never draw progress');
  addHttpTransportOptions(addLogOptions(addConfigOption(addManifestOption(cmd)))).action(async (opts: SyncCommandOptions) => {
    await runHuman(opts.json, async (out) => {
      const config = await readConfig(opts);
      const catalog = await catalogFile(opts.catalog);
      const showProgress = opts.progress ?? (process.stderr.isTTY && !opts.quiet);
      const progress: Progress | undefined = showProgress ? new (await import('../progress.js')).Progress() : undefined;
      const onHttp = progress ? (e: HttpEvent) => progress.http(e) : undefined;
      const source = await openSource(opts, config, { logLevel: logLevelOf(opts), ...transportOf(opts), ...(onHttp ? { onHttp } : {}) });
      const destination = await openDestination(opts.to);
      let result: SyncResult;
      progress?.start();
      try {
        result = await sync(source, destination, {
          config,
          streams: chosenStreams(opts),
          fullRefresh: opts.fullRefresh,
          catalog,
          // RECORD messages stay inside sync(); a page's count feeds the records column.
          read: progress
            ? {
                onPage: (e) => {
                  progress.page(e.stream);
                  for (let i = 0; i < e.records; i++) progress.record(e.stream);
                },
              }
            : {},
          onMessage: async (m: AirbyteMessage) => {
            if (progress && m.type === 'TRACE' && m.trace.stream_status) {
              const { status, stream_descriptor } = m.trace.stream_status;
              if (status === 'COMPLETE' || status === 'INCOMPLETE') progress.finish(stream_descriptor.name, status === 'COMPLETE');
            }
            if (out && (m.type === 'LOG' || m.type === 'TRACE')) await out.write(m);
            else if (!out && m.type === 'TRACE' && m.trace.type === 'ERROR' && m.trace.error) process.stderr.write(`manifold: ${m.trace.error.message}\n`);
          },
        });
      } finally {
        progress?.stop();
        await destination.close();
      }
      process.stderr.write(describeResult(result, destination));
      return result.ok;
    });
  });

  addLogOptions(addConfigOption(addManifestOption(program.command('catalog').description('print the configured catalog `sync` would use (JSON)'))))
    .option('--streams <names>', 'comma-separated streams (default: all)')
    .option('--full-refresh', 'every stream full refresh + overwrite')
    .action(async (opts: CommonOptions & { streams?: string; fullRefresh?: boolean }) => {
      await runHuman(false, async () => {
        const config = await readConfig(opts);
        const source = await openSource(opts, config, { logLevel: logLevelOf(opts) });
        const catalog = await syncCatalogFor(source, { config, streams: streamList(opts.streams), fullRefresh: opts.fullRefresh });
        process.stdout.write(JSON.stringify(catalog, null, 2) + '\n');
        return true;
      });
    });

  program
    .command('query')
    .description('run SQL against a destination and print the rows (a table, or JSON lines with --json)')
    .argument('<dest>', 'duckdb:PATH or postgres://…')
    .argument('<sql>', 'the query')
    .option('--json', 'one JSON object per row')
    .action(async (dest: string, sql: string, opts: { json?: boolean }) => {
      await runHuman(false, async () => {
        const destination = await openDestination(dest);
        try {
          const rows = await destination.all(sql);
          process.stdout.write(opts.json ? rows.map((r) => JSON.stringify(r) + '\n').join('') : formatTable(rows));
        } catch (e) {
          if (isManifoldError(e)) throw e;
          throw new ConfigError(`Query failed: ${(e as Error).message}`);
        } finally {
          await destination.close();
        }
        return true;
      });
    });
}

function formatTable(rows: Array<Record<string, unknown>>): string {
  if (!rows.length) return '(no rows)\n';
  const columns = Object.keys(rows[0]!);
  const cell = (v: unknown): string =>
    (v === null || v === undefined ? 'NULL' : typeof v === 'string' ? v : JSON.stringify(v)).replace(/\s+/g, ' ').slice(0, 60);
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]): string =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  return (
    [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line)].join('\n') + `\n(${rows.length} row${rows.length === 1 ? '' : 's'})\n`
  );
}
