/** `manifold read`: runs a sync and writes Airbyte messages (or JSONL files with --output). */
import type { Command } from 'commander';
import { ConfigError } from '../../engine/errors/manifold-error.js';
import type { ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import type { HttpEvent } from '../../engine/types.js';
import { addHttpTransportOptions, transportOf, addConfigOption, addLogOptions, addManifestOption, logLevelOf, openSource, readConfig, runProtocol, type CommonOptions } from '../common.js';
import { readJsonFile } from '../io.js';
import { describeHttpEvent } from '../show-http.js';
import { OutputDir } from '../output-dir.js';
import { SchemaReport } from '../schema-report.js';
import type { Progress } from '../progress.js';
import type { AirbyteLogMessage, AirbyteMessage } from '../../engine/protocol/messages.js';
import { LEVEL_RANK, type LogLevel } from '../../engine/services.js';
import { addSafetyOptions } from '../safety-options.js';
import { addUpdateConfigOption, configUpdates, type ConfigUpdateOptions } from '../config-updates.js';
import { ReadInterruption } from '../interrupt.js';
import { threadsOf } from '../threads.js';

function trackProgress(progress: Progress, message: AirbyteMessage): void {
  if (message.type === 'RECORD') progress.record(message.record.stream);
  else if (message.type === 'TRACE' && message.trace.stream_status) {
    const { status, stream_descriptor } = message.trace.stream_status;
    if (status === 'COMPLETE' || status === 'INCOMPLETE') progress.finish(stream_descriptor.name, status === 'COMPLETE');
  }
}

interface ReadOptions extends CommonOptions, ConfigUpdateOptions {
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
    .option('--output <dir>', 'write records to DIR/<stream>.jsonl and the state to DIR/state.json instead of stdout')
    .option('--check-schema', "report records that do not fit their stream's declared JSON Schema")
    .option('--progress', 'draw live per-stream progress on stderr even when it is not a terminal')
    .option('--no-progress', 'never draw progress')
    .option('--threads <n>', 'threads that read (1: all on the main thread; default 2 on a machine with 2+ cores, see docs/performance.md)');
  addSafetyOptions(addUpdateConfigOption(addHttpTransportOptions(addLogOptions(addConfigOption(addManifestOption(cmd)))))).action(async (opts: ReadOptions) => {
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
    const catalog = opts.catalog ? ((await readJsonFile(opts.catalog, 'catalog')) as ConfiguredAirbyteCatalog) : undefined;
    if (catalog !== undefined && !Array.isArray(catalog?.streams)) throw new ConfigError(`catalog file ${opts.catalog} has no "streams" array`);
    const state = opts.state ? await readJsonFile(opts.state, 'state') : undefined;
    const limits = {
      records: positive(opts.limitRecords, '--limit-records'),
      pages: positive(opts.limitPages, '--limit-pages'),
      slices: positive(opts.limitSlices, '--limit-slices'),
    };
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
    const source = await openSource(opts, config, { logLevel: logLevelOf(opts), ...transportOf(opts), ...(onHttp ? { onHttp } : {}) });
    let ok = true;
    const onConfig = configUpdates(opts);
    const concurrency = positive(opts.concurrency, '--concurrency');
    const output = opts.output ? new OutputDir(opts.output) : undefined;
    progress?.start();
    const checker = opts.checkSchema ? new SchemaReport(await source.discover(config)) : undefined;
    // The schema report's LOG messages are made here, not by the engine's logger: filter them the same way.
    const level = logLevelOf(opts);
    const shown = (m: AirbyteLogMessage): boolean => LEVEL_RANK[m.log.level as LogLevel] <= LEVEL_RANK[level];
    try {
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
        for (const message of batch) {
          if (message.type === 'TRACE' && message.trace.type === 'ERROR') ok = false;
          if (message.type === 'CONTROL') await onConfig(message);
          if (progress) trackProgress(progress, message);
          if (checker && message.type === 'RECORD') {
            const report = checker.check(message.record.stream, message.record.data);
            if (report && shown(report)) await out.write(report);
          }
          if (output && (message.type === 'RECORD' || message.type === 'STATE')) {
            await output.write(message);
            continue;
          }
          const pending = out.write(message);
          interruption.written(message);
          if (pending) await pending;
        }
      }
      if (interruption.interrupted) {
        ok = false;
        for (const m of interruption.closingMessages()) await out.write(m);
      }
    } finally {
      progress?.stop();
      await output?.close();
    }
    if (checker && !interruption.interrupted) for (const m of checker.summary()) if (shown(m)) await out.write(m);
    if (output) {
      const counts = Object.entries(output.counts()).map(([s, n]) => `${s}: ${n}`).join(', ');
      process.stderr.write(`manifold: wrote ${counts || 'no records'} to ${opts.output} (state in ${opts.output}/state.json)\n`);
    }
    return ok;
  });
}
