/**
 * `manifold write`: the Airbyte destination command. Reads Airbyte messages (JSON lines) on stdin,
 * writes STATE echoes, LOG and TRACE messages on stdout. Lines that do not start like a JSON
 * object are not messages and are passed over, as the protocol allows; the destination parses the
 * others and reports a malformed one by its line number.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { InputLine } from '../../engine/destination/input.js';
import { ConfigError, isManifoldError } from '../../engine/errors/manifold-error.js';
import type { ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import type { Destination, DestinationOptions } from '../../engine/destination/destination.js';
import type { HttpEvent } from '../../engine/types.js';
import { addConfigOption, addLogOptions, logLevelOf, manifestFileOf, readConfig, runProtocol, type CommonOptions } from '../common.js';
import { INJECTED_MANIFEST_KEY } from '../../engine/source/source.js';
import { readJsonFile } from '../io.js';
import { describeHttpEvent } from '../show-http.js';
import { addSafetyOptions, safetyOf } from '../safety-options.js';

interface WriteCommandOptions extends CommonOptions {
  catalog?: string;
  dryRun?: boolean;
  showHttp?: boolean;
  onBadInput: string;
  sample?: string;
  testRecord?: string;
  stream?: string;
  yes?: boolean;
}

export async function* inputLines(input: Readable): AsyncGenerator<InputLine> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) yield new InputLine(++n, line);
}

export function registerWriteCommand(program: Command): void {
  const cmd = program
    .command('write')
    .description('run a DeclarativeDestination: Airbyte messages (JSON lines) on stdin, STATE/LOG/TRACE on stdout')
    .option(
      '-m, --manifest <file>',
      "destination manifest YAML file (type: DeclarativeDestination; default: $MANIFOLD_MANIFEST, the image's baked manifest, or the one injected in the config)",
    )
    .option('--catalog <file>', 'configured catalog JSON: the streams to write (required, except with --sample/--test-record)')
    .option('--dry-run', 'print every request (secrets masked) as a LOG message instead of sending it')
    .option('--show-http', 'print each request (secrets masked) and a response excerpt to stderr')
    .option('--on-bad-input <mode>', 'a malformed input line: stop (report it, end the run before any later STATE) or skip (warn and go on)', 'stop')
    .option('--sample <n>', 'print the requests the first N input records would produce (secrets masked); sends nothing')
    .option('--test-record <file>', 'send this one record (JSON: the record, or a RECORD message) for real and print the response')
    .option('--stream <name>', 'with --test-record: the stream the record belongs to')
    .option('--yes', 'with --test-record: confirm a destructive operation (publish, delete)');
  addSafetyOptions(addLogOptions(addConfigOption(cmd))).action(async (opts: WriteCommandOptions) => {
    if (opts.sample !== undefined || opts.testRecord !== undefined) {
      await runPreview(opts);
      return;
    }
    await runProtocol(async (out) => {
      if (!opts.catalog) throw new ConfigError('write needs --catalog <file> (the configured catalog)');
      if (opts.onBadInput !== 'stop' && opts.onBadInput !== 'skip') throw new ConfigError(`--on-bad-input must be stop or skip (got "${opts.onBadInput}")`);
      const config = await readConfig(opts);
      const catalog = await readCatalog(opts.catalog);
      const onHttp = opts.showHttp ? (e: HttpEvent) => process.stderr.write(describeHttpEvent(e)) : undefined;
      const { destination, ownConfig } = await openDestination(opts, config, { logLevel: logLevelOf(opts), ...(onHttp ? { onHttp } : {}) });
      let ok = true;
      for await (const message of destination.write(ownConfig, catalog, inputLines(process.stdin), {
        dryRun: opts.dryRun === true,
        onBadInput: opts.onBadInput,
      })) {
        if (message.type === 'TRACE' && message.trace.type === 'ERROR') ok = false;
        const pending = out.write(message);
        if (pending) await pending;
      }
      return ok;
    });
  });
}

/** Same places as the source commands, so one image runs either side as the platform calls it. */
async function openDestination(
  opts: WriteCommandOptions,
  config: Record<string, unknown>,
  options: DestinationOptions,
): Promise<{ destination: Destination; ownConfig: Record<string, unknown> }> {
  // The destination engine (jsonata, interpolation) loads only for `write`, not on every CLI start.
  const { Destination } = await import('../../engine/destination/destination.js');
  // --allow-path and the --max-… budgets (docs/security.md).
  options = { ...safetyOf(opts), ...options };
  const file = manifestFileOf(opts);
  const injected = config[INJECTED_MANIFEST_KEY];
  if (!file && !injected)
    throw new ConfigError(`No manifest: pass --manifest <file>, set MANIFOLD_MANIFEST, or inject it in the config under "${INJECTED_MANIFEST_KEY}"`);
  const destination = file ? await Destination.fromFile(file, options) : await Destination.fromObject(injected, undefined, options);
  const { [INJECTED_MANIFEST_KEY]: _manifest, ...ownConfig } = config;
  return { destination, ownConfig };
}

async function readCatalog(path: string): Promise<ConfiguredAirbyteCatalog> {
  const catalog = (await readJsonFile(path, 'catalog')) as ConfiguredAirbyteCatalog;
  if (!Array.isArray(catalog?.streams)) throw new ConfigError(`catalog file ${path} has no "streams" array`);
  return catalog;
}

/** --sample / --test-record print for a person, not Airbyte messages; failures go to stderr. */
async function runPreview(opts: WriteCommandOptions): Promise<void> {
  const print = (text: string) => process.stdout.write(text + '\n');
  let ok = false;
  try {
    if (opts.sample !== undefined && opts.testRecord !== undefined) throw new ConfigError('give --sample or --test-record, not both');
    if (opts.dryRun) throw new ConfigError('--dry-run cannot be combined with --sample or --test-record');
    const config = await readConfig(opts);
    const catalog = opts.catalog ? await readCatalog(opts.catalog) : undefined;
    const onHttp = opts.showHttp ? (e: HttpEvent) => process.stderr.write(describeHttpEvent(e)) : undefined;
    const { printSample, sendTestRecord } = await import('./write-preview.js');
    const { destination, ownConfig } = await openDestination(opts, config, { logLevel: logLevelOf(opts), ...(onHttp ? { onHttp } : {}) });
    if (opts.sample !== undefined) {
      const count = Number(opts.sample);
      if (!Number.isInteger(count) || count < 1) throw new ConfigError(`--sample needs a positive number of records (got "${opts.sample}")`);
      ok = await printSample(destination, ownConfig, catalog, inputLines(process.stdin), count, print);
      // The rest of the input is not needed: don't wait for a source still writing to the pipe.
      process.stdin.destroy();
    } else {
      ok = await sendTestRecord(destination, ownConfig, catalog, { file: opts.testRecord!, stream: opts.stream, confirmed: opts.yes === true }, print);
    }
  } catch (e) {
    process.stderr.write(`manifold: ${isManifoldError(e) ? e.describe() : ((e as Error)?.message ?? String(e))}\n`);
  }
  if (!ok) process.exitCode = 1;
}
