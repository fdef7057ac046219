/**
 * Destination: a loaded DeclarativeDestination manifest plus the Airbyte destination commands
 * (spec, check, write). The CLI's `write` is a thin layer over this class.
 */
import { runServices } from '../manifest/run-services.js';
import type { Transport } from '../http/client.js';
import { loadComponentsFor } from '../components.js';
import type { CallBudget, EngineServices, LogLevel } from '../services.js';
import { SecretRegistry } from '../services.js';
import { ConfigError, ManifestError, ManifoldError, isManifoldError } from '../errors/manifold-error.js';
import { InterpolatedString } from '../interpolation/index.js';
import { buildComponent, loadManifestFile, loadManifestObject, loadManifestText, validateManifest, type LoadedManifest } from '../manifest/index.js';
import { errorTrace, logMessage, type AirbyteMessage, type ConfiguredAirbyteCatalog } from '../protocol/messages.js';
import { configuredStreams } from '../source/catalog.js';
import { collectSecrets, validateConfig } from '../source/config.js';
import type { HttpEvent, Obj } from '../types.js';
import type { DestinationOperation } from './operation.js';
import type { HttpRequestCheck } from './request-check.js';
import { viewHttpEvent, viewRequest, type RequestView } from './request-view.js';
import { JsonlFileSink, reportBody, WebhookSink, type ReportSink } from './sinks.js';
import { positionOf, readInputMessage } from './input.js';
import { WriteRun, type FailureMode, type PreparedWrite } from './write-run.js';
import { FilePolicy, FileRefusal } from '../files/file-policy.js';
import { resolveLimits, type Limits } from '../limits/limits.js';
import { locationOf } from '../manifest/locations.js';

export interface DestinationOptions {
  logLevel?: LogLevel;
  /** Multiplies every retry wait (tests use a tiny value). */
  backoffScale?: number;
  transport?: Transport | undefined;
  onHttp?: (event: HttpEvent) => void;
  /** Folders, besides the manifest's own, where the manifest may write its report files (see docs/security.md). */
  allowPaths?: string[];
  /** Budgets for response sizes, nesting and manifest expansion; unset ones keep their defaults. */
  limits?: Partial<Limits>;
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

export interface PreviewResult {
  /** The requests the records would produce, in order (a partial batch included). */
  requests: PreparedWrite[];
  /** LOG/TRACE messages of the preview (warnings, a record that cannot be rendered). */
  messages: AirbyteMessage[];
}

export interface TestSendOptions {
  /** The record's catalog entry decides its key (primary_key); optional. */
  catalog?: ConfiguredAirbyteCatalog | undefined;
  /** Required when the operation is destructive (publish, delete). */
  confirmed?: boolean;
  signal?: AbortSignal;
}

export interface TestSendResult {
  operation: string;
  key: unknown;
  request: RequestView;
  /** The API's answer (null when there was none: a network error). */
  status: number | null;
  body: unknown;
  /** Set when the write failed (after the error handler's retries). */
  error?: string;
}

export interface DestinationSpec {
  connectionSpecification: Obj;
  documentationUrl?: string;
  supportsIncremental: boolean;
  supported_destination_sync_modes: string[];
}

export class Destination {
  private readonly secrets = new SecretRegistry();

  private constructor(
    readonly manifest: LoadedManifest,
    private readonly options: DestinationOptions = {},
  ) {}

  static async fromFile(path: string, options?: DestinationOptions): Promise<Destination> {
    return Destination.loaded(await loadManifestFile(path, resolveLimits(options?.limits)), options);
  }

  static async fromText(text: string, file?: string, options?: DestinationOptions): Promise<Destination> {
    return Destination.loaded(loadManifestText(text, file, resolveLimits(options?.limits)), options);
  }

  static async fromObject(manifest: unknown, file?: string, options?: DestinationOptions): Promise<Destination> {
    return Destination.loaded(loadManifestObject(manifest, file, resolveLimits(options?.limits)), options);
  }

  /** Loads the component modules the manifest names, then checks it. */
  private static async loaded(manifest: LoadedManifest, options?: DestinationOptions): Promise<Destination> {
    await loadComponentsFor(manifest.root);
    return Destination.checked(manifest, options);
  }

  private static checked(manifest: LoadedManifest, options?: DestinationOptions): Destination {
    const root = manifest.root as Obj;
    if (root.type !== 'DeclarativeDestination') {
      throw new ManifestError(
        [{ message: `expected type: DeclarativeDestination at the root (got ${JSON.stringify(root.type)})`, location: { file: manifest.file, path: 'type' } }],
        manifest.file,
      );
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
  async *write(
    config: Obj,
    catalog: ConfiguredAirbyteCatalog,
    input: Iterable<unknown> | AsyncIterable<unknown>,
    options: WriteOptions = {},
  ): AsyncGenerator<AirbyteMessage> {
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

  /**
   * The requests the first `limit` records of `input` would produce with this config, sending
   * nothing — no token request either. Without a catalog every stream of the input is taken.
   */
  async preview(
    config: Obj,
    catalog: ConfiguredAirbyteCatalog | undefined,
    input: Iterable<unknown> | AsyncIterable<unknown>,
    limit: number,
  ): Promise<PreviewResult> {
    const side: AirbyteMessage[] = [];
    const requests: PreparedWrite[] = [];
    try {
      const prepared = this.prepare(config, side);
      const operations = this.buildOperations(prepared.config, prepared.services);
      const wanted = catalog ? new Set(catalog.streams.map((s) => s.stream.name)) : undefined;
      const records: Array<{ stream: string; data: Obj }> = [];
      if (limit > 0) {
        let index = 0;
        for await (const item of input) {
          const message = readInputMessage(item);
          if (message.kind === 'bad')
            side.push(logMessage('WARN', `Bad input at ${positionOf(item, index)}: ${this.secrets.mask(message.problem)} (not previewed)`));
          index++;
          if (message.kind !== 'record' || (wanted && !wanted.has(message.stream))) continue;
          records.push({ stream: message.stream, data: message.data });
          if (records.length >= limit) break;
        }
      }
      const run = new WriteRun({
        operations,
        catalog: catalog ?? catalogOf(records.map((r) => r.stream)),
        services: prepared.services,
        onFailure: 'stop',
        dryRun: true,
        onPrepared: (p) => requests.push(p),
      });
      for (const record of records) {
        await run.record(record.stream, record.data);
        if (run.stopped) break;
      }
      if (!run.stopped) await run.flushAll();
      side.push(...run.out.splice(0));
    } catch (e) {
      side.push(this.traceFor(e));
    }
    return { requests, messages: side };
  }

  /**
   * Sends one record for real through every operation that takes it and returns what the API
   * answered. Nothing else happens: no STATE, no dead letter, no response capture. Operations
   * marked destructive (publish, delete) refuse unless `confirmed`.
   */
  async sendTestRecord(config: Obj, stream: string, data: Obj, options: TestSendOptions = {}): Promise<TestSendResult[]> {
    try {
      return await this.testSend(config, stream, data, options);
    } catch (e) {
      // Config and manifest errors can quote config values: masked like every other output.
      throw new ManifoldError(this.userMessage(e), { failureType: isManifoldError(e) ? e.failureType : 'system_error' });
    }
  }

  private async testSend(config: Obj, stream: string, data: Obj, options: TestSendOptions): Promise<TestSendResult[]> {
    const side: AirbyteMessage[] = [];
    const { services } = this.prepare(config, side);
    const operations = this.buildOperations(config, services);
    const entry = options.catalog?.streams.find((s) => s.stream.name === stream);
    const primaryKey = entry?.primary_key?.map((path) => path[0]).filter((f): f is string => typeof f === 'string');
    const takers = operations.filter((op) => op.consumes(stream) && op.appliesTo(op.context(stream, data)));
    if (takers.length === 0)
      throw new ConfigError(`No operation takes a record of stream "${stream}" with this config (operations: ${operations.map((o) => o.name).join(', ')})`);
    const destructive = takers.filter((op) => op.destructive);
    if (destructive.length && !options.confirmed) {
      throw new ConfigError(
        `Operation ${destructive.map((o) => o.name).join(', ')} changes or removes data that cannot be restored by another write; a test send of it needs explicit confirmation (--yes on the command line)`,
      );
    }
    // A failed write throws an error, not a response: the last answer for this stream is kept to show it.
    const seen: { last?: HttpEvent | undefined; sent?: HttpEvent | undefined } = {};
    services.onHttp.push((event) => {
      if (event.stream !== stream || event.retryInMs !== undefined) return;
      seen.sent = event;
      if (event.status !== undefined) seen.last = event;
    });
    const results: TestSendResult[] = [];
    for (const op of takers) {
      const key = op.keyOf(data, primaryKey?.length ? primaryKey : undefined) ?? '#1';
      const pending = await op.render(stream, data, op.context(stream, data), key);
      const args = { ...(await op.request([pending])), signal: options.signal };
      const prepared = viewRequest(await op.requester.prepare({ ...args, withoutAuth: true }), services.secrets);
      delete seen.last;
      delete seen.sent;
      const answered = (): HttpEvent | undefined => seen.last;
      // What actually went out (with its real, masked, auth header) once something was sent.
      const request = (): RequestView => (seen.sent ? viewHttpEvent(seen.sent) : prepared);
      try {
        const response = await op.requester.send(args);
        results.push({
          operation: op.name,
          key,
          request: request(),
          status: response?.status ?? answered()?.status ?? null,
          body: response ? reportBody(services.secrets.mask(response.text())) : reportBody(answered()?.responseBody?.toString('utf8') ?? ''),
        });
      } catch (e) {
        results.push({
          operation: op.name,
          key,
          request: request(),
          status: answered()?.status ?? null,
          body: reportBody(answered()?.responseBody?.toString('utf8') ?? ''),
          error: this.userMessage(e),
        });
      }
    }
    return results;
  }

  private buildOperations(config: Obj, services: EngineServices): DestinationOperation[] {
    const nodes = this.root.operations;
    if (!Array.isArray(nodes) || nodes.length === 0)
      throw new ConfigError('The destination manifest declares no operations', { location: { file: this.manifest.file, path: 'operations' } });
    const selected = this.selectedOperation(config);
    if (selected !== undefined) {
      const index = nodes.findIndex((n) => (n as Obj)?.name === selected);
      if (index < 0) {
        throw new ConfigError(`The config selects operation "${selected}", which the manifest does not declare (it has: ${this.operationNames().join(', ')})`, {
          location: { file: this.manifest.file, path: 'select_operation' },
        });
      }
      // The chosen operation receives every configured stream, whatever its own `streams` say.
      const node = { ...(nodes[index] as Obj), streams: ['*'] };
      const op = buildComponent<DestinationOperation | undefined>(
        this.withDefaultRequester(node),
        `operations[${index}]`,
        config,
        services,
        'DestinationOperation',
      );
      if (!op)
        throw new ConfigError(`The config selects operation "${selected}", but its enabled condition leaves it out`, {
          location: { file: this.manifest.file, path: `operations[${index}].enabled` },
        });
      return [op];
    }
    const operations: DestinationOperation[] = [];
    nodes.forEach((node, i) => {
      const op = buildComponent<DestinationOperation | undefined>(
        this.withDefaultRequester(node),
        `operations[${i}]`,
        config,
        services,
        'DestinationOperation',
      );
      if (op) operations.push(op);
    });
    if (operations.length === 0) throw new ConfigError('Every operation of the destination is disabled for this config');
    return operations;
  }

  /** `select_operation` rendered with the config; undefined = route records by stream name. */
  private selectedOperation(config: Obj): string | undefined {
    if (this.root.select_operation === undefined) return undefined;
    return InterpolatedString.create(this.root.select_operation).evalString({ config }).trim() || undefined;
  }

  /** Operations and the check use the root `requester` unless they bring their own. */
  private withDefaultRequester(node: unknown): unknown {
    if (!node || typeof node !== 'object' || (node as Obj).requester || !this.root.requester) return node;
    return { ...(node as Obj), requester: this.root.requester };
  }

  private reportSettings(config: Obj, services: EngineServices, dryRun: boolean): { onFailure: FailureMode; deadLetter?: ReportSink; capture?: ReportSink } {
    const render = (v: unknown): string => InterpolatedString.create(v).evalString({ config }).trim();
    const mode = render(this.root.on_failure ?? 'stop') || 'stop';
    if (mode !== 'stop' && mode !== 'dead_letter')
      throw new ConfigError(`on_failure must be stop or dead_letter (got "${mode}")`, { location: { file: this.manifest.file, path: 'on_failure' } });
    const out: { onFailure: FailureMode; deadLetter?: ReportSink; capture?: ReportSink } = { onFailure: mode };
    if (mode === 'dead_letter') {
      const path = render(this.root.dead_letter_path ?? '');
      if (!path)
        throw new ConfigError('on_failure is dead_letter but no dead_letter_path is set', { location: { file: this.manifest.file, path: 'dead_letter_path' } });
      const file = this.allowedFile(path, services, this.root, 'dead_letter_path', 'dead_letter_path');
      out.deadLetter = new JsonlFileSink(file, services.secrets, { durable: true, what: 'dead-letter', anyFileType: services.files?.isExactlyAllowed(file) });
    }
    const capture = this.root.response_capture as Obj | undefined;
    if (capture && !dryRun) {
      const jsonl = render(capture.jsonl_path ?? '');
      const webhook = render(capture.webhook_url ?? '');
      if (jsonl) {
        const file = this.allowedFile(jsonl, services, capture, 'jsonl_path', 'response_capture.jsonl_path');
        out.capture = new JsonlFileSink(file, services.secrets, { what: 'response capture', anyFileType: services.files?.isExactlyAllowed(file) });
      } else if (webhook) out.capture = new WebhookSink(webhook, services.secrets, services.backoffScale);
    }
    return out;
  }

  /** A report file the manifest names, checked against the file policy before any request is sent. */
  private allowedFile(path: string, services: EngineServices, node: Obj, field: string, componentPath: string): string {
    try {
      return (services.files ?? FilePolicy.forManifest(this.manifest.file)).check(path, 'write');
    } catch (e) {
      if (!(e instanceof FileRefusal)) throw e;
      const at = locationOf(node, field);
      throw new ConfigError(e.message, { location: { file: this.manifest.file, ...at, path: componentPath } });
    }
  }

  private prepare(rawConfig: Obj, side: AirbyteMessage[]): { config: Obj; services: EngineServices } {
    const specSchema = this.spec().connectionSpecification;
    collectSecrets(specSchema, rawConfig, this.secrets);
    validateConfig(specSchema, rawConfig);
    const services = runServices(this.manifest, this.options, this.secrets, {
      logSink: (level, message) => side.push(logMessage(level, message)),
      emit: (message) => side.push(message),
    });
    if (this.root.api_budget) services.budget = buildComponent<CallBudget>(this.root.api_budget, 'api_budget', rawConfig, services);
    return { config: rawConfig, services };
  }

  private userMessage(e: unknown): string {
    if (e instanceof ManifoldError) return this.secrets.mask(e.describe());
    return this.secrets.mask(e instanceof Error ? e.message : String(e));
  }

  private traceFor(e: unknown): AirbyteMessage {
    if (isManifoldError(e))
      return errorTrace(this.userMessage(e), e.failureType, { stream: e.stream, internalMessage: e.internalMessage && this.secrets.mask(e.internalMessage) });
    const err = e as Error;
    return errorTrace(`Unexpected error: ${this.userMessage(e)}`, 'system_error', { stackTrace: this.secrets.mask(err?.stack ?? '') });
  }
}

/** A catalog that takes every stream named (a preview without --catalog). */
function catalogOf(streams: string[]): ConfiguredAirbyteCatalog {
  return { streams: [...new Set(streams)].map((name) => ({ stream: { name }, sync_mode: 'full_refresh' as const, destination_sync_mode: 'append' })) };
}
