/**
 * `manifold write`: the Airbyte destination command. Reads Airbyte messages (JSON lines) on stdin,
 * writes STATE echoes, LOG and TRACE messages on stdout. Lines that are not JSON objects are
 * dropped, as the protocol says.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { ConfigError } from '../../engine/errors/manifold-error.js';
import type { ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import type { HttpEvent } from '../../engine/types.js';
import { addConfigOption, addLogOptions, logLevelOf, readConfig, runProtocol, type CommonOptions } from '../common.js';
import { readJsonFile } from '../io.js';
import { describeHttpEvent } from '../show-http.js';
import { addSafetyOptions, safetyOf } from '../safety-options.js';

interface WriteCommandOptions extends CommonOptions {
  catalog: string;
  dryRun?: boolean;
  showHttp?: boolean;
}

export async function* jsonLines(input: Readable): AsyncGenerator<unknown> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    try {
      yield JSON.parse(text);
    } catch {
      // Not an Airbyte message: dropped.
    }
  }
}

export function registerWriteCommand(program: Command): void {
  const cmd = program
    .command('write')
    .description('run a DeclarativeDestination: Airbyte messages (JSON lines) on stdin, STATE/LOG/TRACE on stdout')
    .requiredOption('-m, --manifest <file>', 'destination manifest YAML file (type: DeclarativeDestination)')
    .requiredOption('--catalog <file>', 'configured catalog JSON: the streams to write')
    .option('--dry-run', 'print every request (secrets masked) as a LOG message instead of sending it')
    .option('--show-http', 'print each request (secrets masked) and a response excerpt to stderr');
  addSafetyOptions(addLogOptions(addConfigOption(cmd))).action(async (opts: WriteCommandOptions) => {
    await runProtocol(async (out) => {
      const config = await readConfig(opts);
      const catalog = (await readJsonFile(opts.catalog, 'catalog')) as ConfiguredAirbyteCatalog;
      if (!Array.isArray(catalog?.streams)) throw new ConfigError(`catalog file ${opts.catalog} has no "streams" array`);
      const onHttp = opts.showHttp ? (e: HttpEvent) => process.stderr.write(describeHttpEvent(e)) : undefined;
      // The destination engine (jsonata, interpolation) loads only for `write`, not on every CLI start.
      const { Destination } = await import('../../engine/destination/destination.js');
      const destination = await Destination.fromFile(opts.manifest!, { logLevel: logLevelOf(opts), ...safetyOf(opts), ...(onHttp ? { onHttp } : {}) });
      let ok = true;
      for await (const message of destination.write(config, catalog, jsonLines(process.stdin), { dryRun: opts.dryRun === true })) {
        if (message.type === 'TRACE' && message.trace.type === 'ERROR') ok = false;
        const pending = out.write(message);
        if (pending) await pending;
      }
      return ok;
    });
  });
}
