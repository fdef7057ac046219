/**
 * Destination: a loaded DeclarativeDestination manifest plus the Airbyte destination commands
 * (spec, check, write). The CLI's `write` is a thin layer over this class.
 */
import { loadComponents } from '../components.js';
import type { CallBudget, EngineServices, LogLevel } from '../services.js';
import { createServices, SecretRegistry } from '../services.js';
import { ConfigError, ManifestError, ManifoldError, isManifoldError } from '../errors/manifold-error.js';
import { InterpolatedString } from '../interpolation/index.js';
import {
  buildComponent,
  loadManifestFile,
  loadManifestObject,
  loadManifestText,
  validateManifest,
  type LoadedManifest,
} from '../manifest/index.js';
import { errorTrace, logMessage, type AirbyteMessage, type ConfiguredAirbyteCatalog } from '../protocol/messages.js';
import { configuredStreams } from '../source/catalog.js';
import { collectSecrets, validateConfig } from '../source/config.js';
import type { HttpEvent, Obj } from '../types.js';
import type { DestinationOperation } from './operation.js';
import type { HttpRequestCheck } from './request-check.js';
import { JsonlFileSink, WebhookSink, type ReportSink } from './sinks.js';
import { positionOf, readInputMessage } from './input.js';
import { WriteRun, type FailureMode } from './write-run.js';

export interface DestinationOptions {
  logLevel?: LogLevel;
  /** Multiplies every retry wait (tests use a tiny value). */
  backoffScale?: number;
  transport?: unknown;
  onHttp?: (event: HttpEvent) => void;
}

export interface WriteOptions {
  /** Prepare every request and report it as a LOG message, sending none. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /**
   * A malformed input message (cut JSON, a RECORD without stream or object data, an unknown type):
   * `stop` (default) reports it and ends the run before any later STATE is echoed; `skip` warns and goes on.
   */
  onBadInput?: 'stop' | 'skip';
}

export interface DestinationSpec {
  connectionSpecification: Obj;
  documentationUrl?: string;
  supportsIncremental: boolean;
  supported_destination_sync_modes: string[];
}

export class Destination {
  private readonly secrets = new SecretRegistry();

  private constructor(readonly manifest: LoadedManifest, private readonly options: DestinationOptions = {}) {}

  static async fromFile(path: string, options?: DestinationOptions): Promise<Destination> {
    await loadComponents();
    return Destination.checked(await loadManifestFile(path), options);
  }

  static async fromText(text: string, file?: string, options?: DestinationOptions): Promise<Destination> {
    await loadComponents();
    return Destination.checked(loadManifestText(text, file), options);
  }

  static async fromObject(manifest: unknown, file?: string, options?: DestinationOptions): Promise<Destination> {
    await loadComponents();
    return Destination.checked(loadManifestObject(manifest, file), options);
  }

  private static checked(manifest: LoadedManifest, options?: DestinationOptions): Destination {
    const root = manifest.root as Obj;
    if (root.type !== 'DeclarativeDestination') {
      throw new ManifestError([{ message: `expected type: DeclarativeDestination at the root (got ${JSON.stringify(root.type)})`, location: { file: manifest.file, path: 'type' } }], manifest.file);
    }
    const problems = validateManifest(manifest);
    if (problems.length) throw new ManifestError(problems, manifest.file);
    return new Destination(manifest, options);
  }

  private get root(): Obj {
    return this.manifest.root as Obj;
  }

  spec(): DestinationSpec {
    const spec = (this.root.spec ?? {}) as Obj;
    const out: DestinationSpec = {
      connectionSpecification: (spec.connection_specification as Obj) ?? { type: 'object', properties: {} },
      supportsIncremental: true,
      supported_destination_sync_modes: ['append', 'append_dedup', 'overwrite'],
    };
    if (typeof spec.documentation_url === 'string') out.documentationUrl = spec.documentation_url;
    return out;
  }

  /** Names of the operations the manifest declares (no config needed). */
  operationNames(): string[] {
    const nodes = Array.isArray(this.root.operations) ? (this.root.operations as Obj[]) : [];
    return nodes.map((n, i) => String(n?.name ?? `operations[${i}]`));
  }

  async check(config: Obj, signal?: AbortSignal): Promise<{ status: 'SUCCEEDED' | 'FAILED'; message?: string }> {
    try {
      const run = this.prepare(config, []);
      if (!this.root.check) return { status: 'SUCCEEDED', message: 'The manifest declares no check' };
      const check = buildComponent<HttpRequestCheck>(this.withDefaultRequester(this.root.check), 'check', run.config, run.services, 'HttpRequestCheck');
      const result = await check.run(signal);
      return result.ok ? { status: 'SUCCEEDED' } : { status: 'FAILED', message: result.message ?? 'Check failed' };
    } catch (e) {
      return { status: 'FAILED', message: this.userMessage(e) };
    }
  }

  /**
   * Consumes Airbyte messages (RECORD, STATE; other types are ignored) and yields STATE echoes, LOG
   * and TRACE messages. Records of streams absent from the catalog are skipped. Input items are
   * message objects or InputLines (raw text, reported by line number when malformed).
   */
  async *write(config: Obj, catalog: ConfiguredAirbyteCatalog, input: AsyncIterable<unknown>, options: WriteOptions = {}): AsyncGenerator<AirbyteMessage> {
    const side: AirbyteMessage[] = [];
    let run: WriteRun;
    let sinks: ReportSink[] = [];
    try {
      const prepared = this.prepare(config, side);
      const operations = this.buildOperations(prepared.config, prepared.services);
      const settings = this.reportSettings(prepared.config, prepared.services, options.dryRun === true);
      sinks = [settings.deadLetter, settings.capture].filter((s): s is ReportSink => s !== undefined);
      configuredStreams(catalog, 'write');
      run = new WriteRun({ operations, catalog, services: prepared.services, dryRun: options.dryRun === true, signal: options.signal, ...settings });
    } catch (e) {
      yield* side.splice(0);
      yield this.traceFor(e);
      return;
    }
    const drain = function* (): Generator<AirbyteMessage> {
      yield* side.splice(0);
      yield* run.out.splice(0);
    };
    const skipBadInput = options.onBadInput === 'skip';
    let skipped = 0;
    try {
      yield* drain();
      let index = 0;
      for await (const item of input) {
        const message = readInputMessage(item);
        if (message.kind === 'record') {
          await run.record(message.stream, message.data);
        } else if (message.kind === 'state') {
          await run.flushAll();
          // The echo must be the message as received: the platform matches it to its own copy.
          // A dry run wrote nothing, so it must not claim the records before the state are saved.
          if (options.dryRun) side.push(logMessage('INFO', 'STATE not echoed: dry run, nothing was written'));
          else if (!run.stopped) side.push(message.message as unknown as AirbyteMessage);
        } else if (message.kind === 'bad') {
          const where = `Bad input at ${positionOf(item, index)}: ${this.secrets.mask(message.problem)}`;
          if (skipBadInput) {
            skipped++;
            side.push(logMessage('WARN', `${where}; skipped (--on-bad-input skip)`));
          } else {
            // Stopping here keeps every later STATE unechoed: the platform cannot take a STATE as
            // covering a record that was never written.
            side.push(logMessage('ERROR', where));
            run.stopped = true;
            side.push(errorTrace(`${where}. Stopping before any later STATE is echoed (pass --on-bad-input skip to skip such lines)`, 'system_error'));
          }
        }
        index++;
        yield* drain();
        if (run.stopped) break;
      }
      if (!run.stopped) await run.flushAll();
      run.summary();
      if (skipped) side.push(logMessage('WARN', `${skipped} bad input message(s) skipped`));
      yield* drain();
    } catch (e) {
      yield* drain();
      yield this.traceFor(e);
    } finally {
      for (const sink of sinks) await sink.close();
    }
  }

  private buildOperations(config: Obj, services: EngineServices): DestinationOperation[] {
    const nodes = this.root.operations;
    if (!Array.isArray(nodes) || nodes.length === 0) throw new ConfigError('The destination manifest declares no operations', { location: { file: this.manifest.file, path: 'operations' } });
    const operations: DestinationOperation[] = [];
    nodes.forEach((node, i) => {
      const op = buildComponent<DestinationOperation | undefined>(this.withDefaultRequester(node), `operations[${i}]`, config, services, 'DestinationOperation');
      if (op) operations.push(op);
    });
    if (operations.length === 0) throw new ConfigError('Every operation of the destination is disabled for this config');
    return operations;
  }

  /** Operations and the check use the root `requester` unless they bring their own. */
  private withDefaultRequester(node: unknown): unknown {
    if (!node || typeof node !== 'object' || (node as Obj).requester || !this.root.requester) return node;
    return { ...(node as Obj), requester: this.root.requester };
  }

  private reportSettings(config: Obj, services: EngineServices, dryRun: boolean): { onFailure: FailureMode; deadLetter?: ReportSink; capture?: ReportSink } {
    const render = (v: unknown): string => InterpolatedString.create(v).evalString({ config }).trim();
    const mode = render(this.root.on_failure ?? 'stop') || 'stop';
    if (mode !== 'stop' && mode !== 'dead_letter') throw new ConfigError(`on_failure must be stop or dead_letter (got "${mode}")`, { location: { file: this.manifest.file, path: 'on_failure' } });
    const out: { onFailure: FailureMode; deadLetter?: ReportSink; capture?: ReportSink } = { onFailure: mode };
    if (mode === 'dead_letter') {
      const path = render(this.root.dead_letter_path ?? '');
      if (!path) throw new ConfigError('on_failure is dead_letter but no dead_letter_path is set', { location: { file: this.manifest.file, path: 'dead_letter_path' } });
      out.deadLetter = new JsonlFileSink(path, services.secrets, { durable: true, what: 'dead-letter' });
    }
    const capture = this.root.response_capture as Obj | undefined;
    if (capture && !dryRun) {
      const jsonl = render(capture.jsonl_path ?? '');
      const webhook = render(capture.webhook_url ?? '');
      if (jsonl) out.capture = new JsonlFileSink(jsonl, services.secrets, { what: 'response capture' });
      else if (webhook) out.capture = new WebhookSink(webhook, services.secrets);
    }
    return out;
  }

  private prepare(rawConfig: Obj, side: AirbyteMessage[]): { config: Obj; services: EngineServices } {
    const specSchema = this.spec().connectionSpecification;
    collectSecrets(specSchema, rawConfig, this.secrets);
    validateConfig(specSchema, rawConfig);
    const services = createServices({
      secrets: this.secrets,
      logLevel: this.options.logLevel ?? 'INFO',
      backoffScale: this.options.backoffScale ?? 1,
      transport: this.options.transport,
      logSink: (level, message) => side.push(logMessage(level, message)),
      emit: (message) => side.push(message as unknown as AirbyteMessage),
    });
    if (this.options.onHttp) services.onHttp.push(this.options.onHttp);
    if (this.root.api_budget) services.budget = buildComponent<CallBudget>(this.root.api_budget, 'api_budget', rawConfig, services);
    return { config: rawConfig, services };
  }

  private userMessage(e: unknown): string {
    if (e instanceof ManifoldError) return this.secrets.mask(e.describe());
    return this.secrets.mask(e instanceof Error ? e.message : String(e));
  }

  private traceFor(e: unknown): AirbyteMessage {
    if (isManifoldError(e)) return errorTrace(this.userMessage(e), e.failureType, { stream: e.stream, internalMessage: e.internalMessage && this.secrets.mask(e.internalMessage) });
    const err = e as Error;
    return errorTrace(`Unexpected error: ${this.userMessage(e)}`, 'system_error', { stackTrace: this.secrets.mask(err?.stack ?? '') });
  }
}
