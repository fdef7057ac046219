/** `manifold read`: runs a sync and writes Airbyte messages (or JSONL files with --output). */
import type { Command } from 'commander';
import { ConfigError } from '../../engine/errors/manifold-error.js';
import type { ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import type { HttpEvent } from '../../engine/types.js';
import {
  addHttpTransportOptions,
  transportOf,
  addConfigOption,
  addLogOptions,
  addManifestOption,
  logLevelOf,
  openSource,
  readConfig,
  runProtocol,
  type CommonOptions,
} from '../common.js';
import { readJsonFile } from '../io.js';
import { describeHttpEvent } from '../show-http.js';
import { OutputDir } from '../output-dir.js';
import { SchemaReport } from '../schema-report.js';
import { addSafetyOptions } from '../safety-options.js';
import { addUpdateConfigOption, configUpdates, type ConfigUpdateOptions } from '../config-updates.js';
import { ReadInterruption } from '../interrupt.js';
import { ReadRouter } from '../read-routing.js';
import { addRetryOptions, retriesOf, type RetryOptions } from '../retry-options.js';
import { addStreamOption, incrementalStreams, selectStreams } from '../stream-selection.js';
import { threadsOf } from '../threads.js';

interface ReadOptions extends CommonOptions, ConfigUpdateOptions, RetryOptions {
  stream?: string[];
  catalog?: string;
  state?: string;
  concurrency?: string;
  limitRecords?: string;
  limitPages?: string;
  limitSlices?: string;
  showHttp?: boolean;
  output?: string;
  checkSchema?: boolean;
  progress?: boolean;
  threads?: string;
}

function positive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} takes a whole number ≥ 1 (got "${value}")`);
  return n;
}

export function registerReadCommand(program: Command): void {
  const cmd = program
    .command('read')
    .description('read records (RECORD, STATE, LOG and TRACE messages on stdout, one JSON object per line)')
    .option('--catalog <file>', 'configured catalog JSON (default: every stream, full refresh)')
    .option('--state <file>', 'state JSON: an array of Airbyte state messages, or the legacy object form')
    .option('--concurrency <n>', 'streams/partitions read at once (default: manifest concurrency_level, else 8)')
    .option('--limit-records <n>', 'stop each stream after N records (test reads)')
    .option('--limit-pages <n>', 'stop each slice after N pages (test reads)')
    .option('--limit-slices <n>', 'read at most N slices per stream (test reads)')
    .option('--show-http', 'print each request (secrets masked) and a response excerpt to stderr')
    .option(
      '--output <dir>',
      'write records to DIR/<stream>.jsonl (replaced for full refresh, appended for incremental) and the state to DIR/state.json instead of stdout',
    )
    .option('--check-schema', "report records that do not fit their stream's declared JSON Schema")
    .option('--progress', 'draw live per-stream progress on stderr even when it is not a terminal')
    .option('--no-progress', 'never draw progress')
    .option('--threads <n>', 'threads that read (default 1: all on the main thread; 2+: the engine in worker threads, see docs/performance.md)');
  addSafetyOptions(
    addRetryOptions(addUpdateConfigOption(addHttpTransportOptions(addLogOptions(addConfigOption(addManifestOption(addStreamOption(cmd))))))),
  ).action(async (opts: ReadOptions) => {
    const interruption = new ReadInterruption();
    try {
      await read(opts, interruption);
    } finally {
      interruption.dispose();
    }
    const code = interruption.exitCode();
    if (code !== undefined) process.exitCode = code;
  });
}

async function read(opts: ReadOptions, interruption: ReadInterruption): Promise<void> {
  await runProtocol(async (out) => {
    const config = await readConfig(opts);
    const fileCatalog = opts.catalog ? ((await readJsonFile(opts.catalog, 'catalog')) as ConfiguredAirbyteCatalog) : undefined;
    if (fileCatalog !== undefined && !Array.isArray(fileCatalog?.streams)) throw new ConfigError(`catalog file ${opts.catalog} has no "streams" array`);
    const state = opts.state ? await readJsonFile(opts.state, 'state') : undefined;
    const limits = {
      records: positive(opts.limitRecords, '--limit-records'),
      pages: positive(opts.limitPages, '--limit-pages'),
      slices: positive(opts.limitSlices, '--limit-slices'),
    };
    const limitFlags = Object.entries(limits)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `--limit-${k} ${v}`);
    // Progress is on by default on a terminal; --progress forces it, --no-progress hides it.
    const showProgress = opts.progress ?? (process.stderr.isTTY && !opts.quiet && !opts.showHttp);
    // Imported only when shown: log-update is a noticeable part of the CLI's start-up.
    const progress = showProgress ? new (await import('../progress.js')).Progress() : undefined;
    const onHttp =
      opts.showHttp || progress
        ? (e: HttpEvent) => {
            if (opts.showHttp) process.stderr.write(describeHttpEvent(e));
            progress?.http(e);
          }
        : undefined;
    const source = await openSource(opts, config, { logLevel: logLevelOf(opts), ...transportOf(opts), ...retriesOf(opts), ...(onHttp ? { onHttp } : {}) });
    const catalog = selectStreams(source, fileCatalog, opts.stream, opts.catalog);
    const concurrency = positive(opts.concurrency, '--concurrency');
    const output = opts.output ? new OutputDir(opts.output, incrementalStreams(source, catalog)) : undefined;
    progress?.start();
    const checker = opts.checkSchema ? new SchemaReport(await source.discover(config)) : undefined;
    const router = new ReadRouter({
      out,
      level: logLevelOf(opts),
      interruption,
      onConfig: configUpdates(opts),
      output,
      progress,
      checker,
      limitFlags,
      plainStdout: Boolean(output && process.stdout.isTTY),
    });
    try {
      await router.start();
      // Batches (a page of RECORDs at a time) keep the per-record cost to the loop body below.
      for await (const batch of source.readBatches(config, catalog, state, {
        ...(concurrency ? { concurrency } : {}),
        limits: Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)),
        ...(progress ? { onPage: (e: { stream: string }) => progress.page(e.stream) } : {}),
        signal: interruption.signal,
        threads: threadsOf(opts),
      })) {
        // Nothing produced after a signal goes out: a STATE in it could cover records that do not.
        if (interruption.interrupted) break;
        for (const message of batch) await router.route(message);
      }
      if (interruption.interrupted) await router.interrupted();
    } finally {
      progress?.stop();
      await output?.close();
    }
    if (!interruption.interrupted) await router.summary();
    if (output) process.stderr.write(`manifold: ${describeOutput(output, opts.output!, limitFlags.length > 0)}\n`);
    return router.ok;
  });
}

/** The summary line of `read --output`. */
function describeOutput(output: OutputDir, dir: string, testRead: boolean): string {
  const counts = output
    .counts()
    .map((c) => `${c.stream}: ${c.records} (${c.replaced ? 'replaced' : 'appended'})`)
    .join(', ');
  const state = testRead ? 'a test read: no state saved' : `state in ${output.statePath}`;
  return `wrote ${counts || 'no records'} to ${dir} (${state})`;
}
