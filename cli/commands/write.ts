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
import { ConfigError } from '../../engine/errors/manifold-error.js';
import type { ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import type { HttpEvent } from '../../engine/types.js';
import { addConfigOption, addLogOptions, logLevelOf, manifestFileOf, readConfig, runProtocol, type CommonOptions } from '../common.js';
import { INJECTED_MANIFEST_KEY } from '../../engine/source/source.js';
import { readJsonFile } from '../io.js';
import { describeHttpEvent } from '../show-http.js';

interface WriteCommandOptions extends CommonOptions {
  catalog: string;
  dryRun?: boolean;
  showHttp?: boolean;
  onBadInput: string;
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
    .option('-m, --manifest <file>', 'destination manifest YAML file (type: DeclarativeDestination; default: $MANIFOLD_MANIFEST, the image\'s baked manifest, or the one injected in the config)')
    .requiredOption('--catalog <file>', 'configured catalog JSON: the streams to write')
    .option('--dry-run', 'print every request (secrets masked) as a LOG message instead of sending it')
    .option('--show-http', 'print each request (secrets masked) and a response excerpt to stderr')
    .option('--on-bad-input <mode>', 'a malformed input line: stop (report it, end the run before any later STATE) or skip (warn and go on)', 'stop');
  addLogOptions(addConfigOption(cmd)).action(async (opts: WriteCommandOptions) => {
    await runProtocol(async (out) => {
      if (opts.onBadInput !== 'stop' && opts.onBadInput !== 'skip') throw new ConfigError(`--on-bad-input must be stop or skip (got "${opts.onBadInput}")`);
      const config = await readConfig(opts);
      const catalog = (await readJsonFile(opts.catalog, 'catalog')) as ConfiguredAirbyteCatalog;
      if (!Array.isArray(catalog?.streams)) throw new ConfigError(`catalog file ${opts.catalog} has no "streams" array`);
      const onHttp = opts.showHttp ? (e: HttpEvent) => process.stderr.write(describeHttpEvent(e)) : undefined;
      // The destination engine (jsonata, interpolation) loads only for `write`, not on every CLI start.
      const { Destination } = await import('../../engine/destination/destination.js');
      const options = { logLevel: logLevelOf(opts), ...(onHttp ? { onHttp } : {}) };
      // Same places as the source commands, so one image runs either side as the platform calls it.
      const file = manifestFileOf(opts);
      const injected = config[INJECTED_MANIFEST_KEY];
      if (!file && !injected) throw new ConfigError(`No manifest: pass --manifest <file>, set MANIFOLD_MANIFEST, or inject it in the config under "${INJECTED_MANIFEST_KEY}"`);
      const destination = file ? await Destination.fromFile(file, options) : await Destination.fromObject(injected, undefined, options);
      let ok = true;
      const { [INJECTED_MANIFEST_KEY]: _manifest, ...ownConfig } = config;
      for await (const message of destination.write(ownConfig, catalog, inputLines(process.stdin), { dryRun: opts.dryRun === true, onBadInput: opts.onBadInput })) {
        if (message.type === 'TRACE' && message.trace.type === 'ERROR') ok = false;
        const pending = out.write(message);
        if (pending) await pending;
      }
      return ok;
    });
  });
}
