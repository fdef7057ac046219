/** Authoring helpers: `schema` (the manifest JSON Schema for editors) and `infer-schema`. */
import type { Command } from 'commander';
import { stringify as stringifyYaml } from 'yaml';
import { manifestSchema } from '../../engine/manifest/index.js';
import type { SchemaInferrer } from '../../engine/schema/infer.js';
import { ConfigError } from '../../engine/errors/manifold-error.js';
import { addSafetyOptions } from '../safety-options.js';
import {
  addHttpTransportOptions,
  transportOf,
  addConfigOption,
  addManifestOption,
  openSource,
  readConfig,
  runProtocol,
  type CommonOptions,
} from '../common.js';
import { addRetryOptions, retriesOf, type RetryOptions } from '../retry-options.js';
import { checkStreamNames } from '../stream-selection.js';

export function registerAuthoringCommands(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the manifest format (for editors: yaml-language-server, VS Code)')
    .action(() => {
      process.stdout.write(JSON.stringify(manifestSchema, null, 2) + '\n');
    });

  const infer = program
    .command('infer-schema')
    .description('read records and print a JSON Schema inferred from them, per stream (date-time and date strings get a format)')
    .option(
      '-s, --stream <name>',
      'only this stream; repeatable (one stream: its schema alone; several or none: an object keyed by stream)',
      (v: string, all: string[] = []) => [...all, v],
    )
    .option('--limit-records <n>', 'records to sample per stream', '1000')
    .option('--format <format>', "json or yaml (YAML: ready to paste under a stream's InlineSchemaLoader schema)", 'json');
  addSafetyOptions(addRetryOptions(addHttpTransportOptions(addConfigOption(addManifestOption(infer))))).action(
    async (opts: CommonOptions & RetryOptions & { stream?: string[]; limitRecords: string; format: string }) => {
      await runProtocol(async () => {
        if (opts.format !== 'json' && opts.format !== 'yaml') throw new ConfigError(`--format takes json or yaml (got "${opts.format}")`);
        const limit = Number(opts.limitRecords);
        if (!Number.isInteger(limit) || limit < 1) throw new ConfigError(`--limit-records takes a whole number ≥ 1 (got "${opts.limitRecords}")`);
        const config = await readConfig(opts);
        const source = await openSource(opts, config, { logLevel: 'ERROR', ...transportOf(opts), ...retriesOf(opts) });
        const chosen = [...new Set(opts.stream ?? [])];
        checkStreamNames(source, chosen);
        const wanted = chosen.length ? chosen : source.streamNames();
        const catalog = { streams: wanted.map((name) => ({ stream: { name }, sync_mode: 'full_refresh' as const })) };
        // genson-js loads only for this command, not on every CLI start.
        const { SchemaInferrer: Inferrer } = await import('../../engine/schema/infer.js');
        const inferrers = new Map<string, SchemaInferrer>(wanted.map((n) => [n, new Inferrer()]));
        let failure: string | undefined;
        for await (const m of source.read(config, catalog, undefined, { limits: { records: limit } })) {
          if (m.type === 'RECORD') inferrers.get(m.record.stream)?.add(m.record.data);
          if (m.type === 'TRACE' && m.trace.type === 'ERROR') failure ??= m.trace.error?.message;
          // The read logs at ERROR only; the WARNs left are about the records themselves (a missing primary key).
          if (m.type === 'LOG' && m.log.level === 'WARN') process.stderr.write(`WARN ${m.log.message}\n`);
        }
        if (failure) throw new ConfigError(`Reading failed, no schema inferred: ${failure}`);
        const result = chosen.length === 1 ? inferrers.get(chosen[0]!)!.result() : Object.fromEntries([...inferrers].map(([n, i]) => [n, i.result()]));
        process.stdout.write(opts.format === 'yaml' ? stringifyYaml(result) : JSON.stringify(result, null, 2) + '\n');
      });
    },
  );
}
