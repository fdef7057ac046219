/** spec, check, discover and validate: the source commands that produce a single answer. */
import type { Command } from 'commander';
import type { AirbyteMessage } from '../../engine/protocol/messages.js';
import type { LineWriter } from '../output.js';
import { loadComponents } from '../../engine/components.js';
import { INJECTED_MANIFEST_KEY, injectedManifestSpec } from '../../engine/source/source.js';
import { checkTemplates, checkUnknownKeys, loadManifestFile, manifestWarnings, validateManifest } from '../../engine/manifest/index.js';
import { ManifestError, formatLocation, isManifoldError, type ManifestProblem } from '../../engine/errors/manifold-error.js';
import { addSafetyOptions, safetyOf, type SafetyOptions } from '../safety-options.js';
import { resolveLimits } from '../../engine/limits/limits.js';
import { addUpdateConfigOption, configUpdates, type ConfigUpdateOptions } from '../config-updates.js';
import {
  addHttpTransportOptions,
  transportOf,
  addConfigOption,
  addLogOptions,
  addManifestOption,
  logLevelOf,
  manifestGiven,
  openDestinationIfAny,
  openSource,
  readConfig,
  runProtocol,
  type CommonOptions,
} from '../common.js';

export function registerSourceCommands(program: Command): void {
  addSafetyOptions(addManifestOption(program.command('spec').description('print the connector SPEC message'))).action(async (opts: CommonOptions) => {
    await runProtocol(async (out) => {
      // Without a manifest (the generic image), answer like source-declarative-manifest: the
      // manifest is part of the config.
      const destination = await openDestinationIfAny(opts, undefined);
      const spec = destination ? destination.spec() : manifestGiven(opts, undefined) ? (await openSource(opts, undefined)).spec() : injectedManifestSpec();
      await out.write({ type: 'SPEC', spec });
    });
  });

  addSafetyOptions(
    addUpdateConfigOption(
      addHttpTransportOptions(
        addLogOptions(addConfigOption(addManifestOption(program.command('check').description('check the connection (CONNECTION_STATUS)')))),
      ),
    ),
  ).action(async (opts: CommonOptions & ConfigUpdateOptions) => {
    await runProtocol(async (out) => {
      const config = await readConfig(opts);
      const destination = await openDestinationIfAny(opts, config);
      if (destination) {
        const { [INJECTED_MANIFEST_KEY]: _manifest, ...ownConfig } = config;
        await out.write({ type: 'CONNECTION_STATUS', connectionStatus: await destination.check(ownConfig) });
        return;
      }
      const source = await openSource(opts, config, { logLevel: logLevelOf(opts), ...transportOf(opts) });
      const announced: AirbyteMessage[] = [];
      const result = await source.check(config, undefined, { onMessage: (m) => announced.push(m) });
      await writeAnnounced(out, announced, configUpdates(opts));
      await out.write({ type: 'CONNECTION_STATUS', connectionStatus: result });
    });
  });

  addSafetyOptions(
    addUpdateConfigOption(
      addHttpTransportOptions(addLogOptions(addConfigOption(addManifestOption(program.command('discover').description('print the CATALOG of streams'))))),
    ),
  ).action(async (opts: CommonOptions & ConfigUpdateOptions) => {
    await runProtocol(async (out) => {
      const config = await readConfig(opts);
      const source = await openSource(opts, config, { logLevel: logLevelOf(opts), ...transportOf(opts) });
      const announced: AirbyteMessage[] = [];
      const onConfig = configUpdates(opts);
      try {
        const catalog = await source.discover(config, { onMessage: (m) => announced.push(m) });
        await writeAnnounced(out, announced.splice(0), onConfig);
        await out.write({ type: 'CATALOG', catalog });
      } finally {
        // A migration announced before discover failed still reaches stdout (and the file).
        await writeAnnounced(out, announced, onConfig);
      }
    });
  });

  addSafetyOptions(
    program
      .command('validate')
      .description('check a manifest against the schema and its templates, and report every problem with file, line and column')
      .requiredOption('-m, --manifest <file>', 'manifest YAML file')
      .option('--strict', 'treat warnings (fields Airbyte ignores) as errors'),
  ).action(async (opts: SafetyOptions & { manifest: string; strict?: boolean }) => {
    let warnings: ManifestProblem[] = [];
    const printWarnings = (): void => {
      for (const p of warnings) process.stderr.write(`  WARN ${formatLocation(p.location)}: ${p.message}\n`);
    };
    try {
      await loadComponents();
      const manifest = await loadManifestFile(opts.manifest, resolveLimits(safetyOf(opts).limits));
      const problems = [...validateManifest(manifest), ...checkTemplates(manifest)];
      warnings = [...manifestWarnings(manifest), ...checkUnknownKeys(manifest)];
      if (problems.length) throw new ManifestError(problems, opts.manifest);
      printWarnings();
      if (warnings.length && opts.strict) {
        process.stderr.write(`${opts.manifest}: ${warnings.length} warning(s), errors under --strict\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${opts.manifest}: valid${warnings.length ? ` (${warnings.length} warning(s))` : ''}\n`);
    } catch (e) {
      if (e instanceof ManifestError) {
        process.stderr.write(`${opts.manifest}: ${e.problems.length} problem(s)\n`);
        for (const p of e.problems) process.stderr.write(`  ${formatLocation(p.location)}: ${p.message}\n`);
        printWarnings();
      } else {
        process.stderr.write(`manifold: ${isManifoldError(e) ? e.describe() : (e as Error).message}\n`);
      }
      process.exitCode = 1;
    }
  });
}

/** Out-of-band messages (CONTROL) go to stdout ahead of the command's answer, and to the config file with --update-config. */
async function writeAnnounced(out: LineWriter, messages: AirbyteMessage[], onConfig: (m: AirbyteMessage) => Promise<void>): Promise<void> {
  for (const m of messages) {
    await out.write(m);
    await onConfig(m);
  }
}
