/** Pieces every source command shares: finding the manifest, reading config, reporting failures. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { Destination } from '../engine/destination/destination.js';
import type { Command } from 'commander';
import { ConfigError, ManifoldError, isManifoldError } from '../engine/errors/manifold-error.js';
import { errorTrace } from '../engine/protocol/messages.js';
import { Source, INJECTED_MANIFEST_KEY, type SourceOptions } from '../engine/source/source.js';
import type { LogLevel } from '../engine/services.js';
import { readJsonObject } from './io.js';
import { createTransport } from '../engine/http/transport.js';
import type { Transport } from '../engine/http/client.js';
import { prepareRecordingFolder } from './recording-folder.js';
import { LineWriter } from './output.js';
import { safetyOf, type SafetyOptions } from './safety-options.js';

export interface CommonOptions extends SafetyOptions {
  manifest?: string;
  config?: string;
  logLevel?: string;
  quiet?: boolean;
  record?: string;
  overwrite?: boolean;
  replay?: string;
}

/** --record DIR / --replay DIR: HTTP exchanges saved to, or served from, a folder. */
export function addHttpTransportOptions(cmd: Command): Command {
  return cmd
    .option('--record <dir>', 'save every HTTP exchange (secrets redacted) into DIR, which must be empty or new')
    .option('--overwrite', 'with --record: clear the recording already in DIR first')
    .option('--replay <dir>', 'answer every HTTP request from a folder made by --record (no network)');
}

export function transportOf(opts: CommonOptions): { transport?: Transport; applyBudget?: boolean } {
  if (!opts.record && !opts.replay) return {};
  if (opts.record) prepareRecordingFolder(opts.record, opts.overwrite === true);
  const transport = createTransport({ record: opts.record, replay: opts.replay });
  // A replay talks to no API, so there is no rate limit to respect.
  return opts.replay ? { transport, applyBudget: false } : { transport };
}

export function addManifestOption(cmd: Command): Command {
  return cmd.option('-m, --manifest <file>', 'manifest YAML file (default: $MANIFOLD_MANIFEST, or the manifest injected in the config)');
}

export function addConfigOption(cmd: Command, required = true): Command {
  return required ? cmd.requiredOption('-c, --config <file>', 'connector config JSON file') : cmd.option('-c, --config <file>', 'connector config JSON file');
}

export function addLogOptions(cmd: Command): Command {
  return cmd
    .option('--log-level <level>', 'least severe LOG level emitted: error, warn, info, debug', 'info')
    .option('-q, --quiet', 'emit no LOG messages below ERROR');
}

export function logLevelOf(opts: CommonOptions): LogLevel {
  if (opts.quiet) return 'ERROR';
  const level = String(opts.logLevel ?? 'info').toUpperCase();
  if (!['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'].includes(level)) {
    throw new ConfigError(`--log-level must be one of error, warn, info, debug (got "${opts.logLevel}")`);
  }
  return level as LogLevel;
}

export async function readConfig(opts: CommonOptions): Promise<Record<string, unknown>> {
  return opts.config ? readJsonObject(opts.config, 'config') : {};
}

/** Whether openSource would find a manifest (the generic image's `spec` has none). */
export function manifestGiven(opts: CommonOptions, config: Record<string, unknown> | undefined): boolean {
  if (opts.manifest ?? process.env.MANIFOLD_MANIFEST) return true;
  if (config?.[INJECTED_MANIFEST_KEY]) return true;
  const baked = process.env.MANIFOLD_MANIFEST_DEFAULT;
  return Boolean(baked && existsSync(baked));
}

/** The manifest file named by --manifest, $MANIFOLD_MANIFEST or baked into the image, if any. */
export function manifestFileOf(opts: CommonOptions): string | undefined {
  const file = opts.manifest ?? process.env.MANIFOLD_MANIFEST;
  if (file) return file;
  const baked = process.env.MANIFOLD_MANIFEST_DEFAULT;
  return baked && existsSync(baked) ? baked : undefined;
}

/**
 * A DeclarativeDestination manifest, opened as such, when that is what the options and config
 * name: one image answers `spec` and `check` for whichever side its manifest describes.
 */
export async function openDestinationIfAny(opts: CommonOptions, config: Record<string, unknown> | undefined): Promise<Destination | undefined> {
  const file = manifestFileOf(opts);
  const injected = file ? undefined : config?.[INJECTED_MANIFEST_KEY];
  const root = file ? parseYaml(await readFile(file, 'utf8')) : injected;
  if ((root as { type?: unknown } | null)?.type !== 'DeclarativeDestination') return undefined;
  const { Destination: DestinationClass } = await import('../engine/destination/destination.js');
  return file ? DestinationClass.fromFile(file, safetyOf(opts)) : DestinationClass.fromObject(injected, undefined, safetyOf(opts));
}

/** The manifest comes from --manifest, $MANIFOLD_MANIFEST, or the config (source-declarative-manifest). */
export async function openSource(opts: CommonOptions, config: Record<string, unknown> | undefined, sourceOptions: SourceOptions = {}): Promise<Source> {
  // --allow-path and the --max-… budgets (registered by addSafetyOptions) apply to every source command.
  const options: SourceOptions = { ...safetyOf(opts), ...sourceOptions };
  const file = opts.manifest ?? process.env.MANIFOLD_MANIFEST;
  if (file) return Source.fromFile(file, options);
  if (config?.[INJECTED_MANIFEST_KEY]) return Source.fromInjectedConfig(config, options);
  // The Docker image bakes a manifest here when built with --build-arg MANIFEST=...
  const baked = process.env.MANIFOLD_MANIFEST_DEFAULT;
  if (baked && existsSync(baked)) return Source.fromFile(baked, options);
  throw new ConfigError(`No manifest: pass --manifest <file>, set MANIFOLD_MANIFEST, or inject it in the config under "${INJECTED_MANIFEST_KEY}"`);
}

/**
 * Runs a protocol command: any failure becomes an Airbyte error TRACE on stdout (what the
 * platform reads) plus a short line on stderr (what a person reads), and a non-zero exit code.
 */
export async function runProtocol(body: (out: LineWriter) => Promise<boolean | void>): Promise<void> {
  const out = new LineWriter();
  let ok = true;
  try {
    ok = (await body(out)) !== false;
  } catch (e) {
    ok = false;
    const message = isManifoldError(e) ? e.describe() : ((e as Error)?.message ?? String(e));
    const failure = isManifoldError(e) ? e.failureType : 'system_error';
    // If stdout itself failed, the TRACE cannot go out either; stderr still says why.
    await out.write(errorTrace(message, failure, { internalMessage: isManifoldError(e) ? e.internalMessage : (e as Error)?.stack }))?.catch(() => undefined);
    process.stderr.write(`manifold: ${message}\n`);
  }
  try {
    await out.end();
  } catch (e) {
    ok = false;
    process.stderr.write(`manifold: could not write to stdout: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
  }
  if (!ok) process.exitCode = 1;
}

export { ManifoldError };
