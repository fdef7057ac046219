/**
 * Source: a loaded manifest plus the Airbyte source commands (spec, check, discover, read).
 * The CLI is a thin layer over this class; library users call it directly.
 */
import { runServices } from '../manifest/run-services.js';
import { loadComponentsFor } from '../components.js';
import type { Stream } from '../contracts.js';
import type { ConnectionCheck } from '../check/check-stream.js';
import { ConfigError, ManifestError, ManifoldError, isManifoldError } from '../errors/manifold-error.js';
import { buildComponent, loadManifestFile, loadManifestObject, loadManifestText, validateManifest, type LoadedManifest } from '../manifest/index.js';
import { parseInputState } from '../incremental/state.js';
import {
  errorTrace,
  logMessage,
  type AirbyteCatalog,
  type AirbyteLogMessage,
  type AirbyteMessage,
  type AirbyteSpecMessage,
  type AirbyteStream,
  type ConfiguredAirbyteCatalog,
  type ConfiguredAirbyteStream,
} from '../protocol/messages.js';
import { SecretRegistry, type CallBudget, type EngineServices, type LogLevel } from '../services.js';
import type { HttpEvent, Obj, StreamSlice } from '../types.js';
import { collectSecrets, validateConfig } from './config.js';
import { maskUrl, scrubError } from '../http/redact.js';
import type { Transport } from '../http/client.js';
import { normalizeConfig } from '../config/normalize.js';
import { mergeConcurrent } from './merge.js';
import { streamMessages } from './stream-messages.js';
import { concurrencyLevel, configuredStreams, describeStream } from './catalog.js';
import { dynamicStreamName, streamDefinitions } from '../stream/stream-definitions.js';
import pLimit from 'p-limit';
import { resolveLimits, type Limits } from '../limits/limits.js';
import { workerPlan } from '../workers/plan.js';
import type { SourceOrigin } from '../workers/wire.js';

export const INJECTED_MANIFEST_KEY = '__injected_declarative_manifest';
/**
 * The SPEC of a generic image that has no manifest of its own: like Airbyte's
 * source-declarative-manifest, it asks for the manifest inside the config, so the platform can
 * register the image before any manifest exists.
 */
export function injectedManifestSpec(): AirbyteSpecMessage['spec'] {
  return {
    documentationUrl: 'https://docs.airbyte.com/platform/connector-development/config-based/low-code-cdk-overview',
    connectionSpecification: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'Declarative manifest source',
      type: 'object',
      required: [INJECTED_MANIFEST_KEY],
      additionalProperties: true,
      properties: {
        [INJECTED_MANIFEST_KEY]: {
          title: 'Declarative manifest',
          type: 'object',
          description: "The connector manifest (type: DeclarativeSource) to run; the rest of the config is that manifest's own config.",
        },
      },
    },
  };
}

/**
 * Streams/partitions read at once, and requests in flight, when neither the caller nor the
 * manifest's concurrency_level says. Reads are latency-bound (one Node thread waits on sockets), so
 * 8 overlaps most of the wait of many-stream syncs while staying well under the concurrent-request
 * limits APIs commonly document (10+); manifests for stricter APIs set concurrency_level (Airbyte's
 * own default without one is 2 worker threads) and/or an api_budget, and 429s back off as usual.
 */
const DEFAULT_CONCURRENCY = 8;

export interface SourceOptions {
  logLevel?: LogLevel;
  /** Multiplies every retry wait (tests use a tiny value). */
  backoffScale?: number;
  /** HTTP transport (record/replay, from createTransport); see engine/http. */
  transport?: Transport;
  /** Called for each HTTP exchange (with secrets masked). */
  onHttp?: (event: HttpEvent) => void;
  /** Apply the manifest's api_budget (default true; replays have no API to protect). */
  applyBudget?: boolean;
  /** Folders, besides the manifest's own, whose files the manifest may read and write (see docs/security.md). */
  allowPaths?: string[];
  /** Budgets for response sizes, nesting and manifest expansion; unset ones keep their defaults (see engine/limits). */
  limits?: Partial<Limits>;
  /** Caps on the manifest's retries (test reads that should fail fast); see RetryLimits. */
  retries?: RetryLimits;
}

/**
 * Caps applied on top of every error handler: fewer retries and shorter waits than the manifest
 * asks for, never more.
 */
export interface RetryLimits {
  /** At most this many retries per request (0: the first failure is final). */
  maxRetries?: number;
  /** No wait before a retry longer than this (Retry-After and backoff strategies included). */
  maxBackoffSeconds?: number;
}

export interface OutOfBandOptions {
  onMessage?: ((message: AirbyteMessage) => void) | undefined;
  /**
   * Receives check's and discover's LOG messages (retries, warnings) instead of process.stderr,
   * where they go by default.
   */
  onLog?: ((message: AirbyteLogMessage) => void) | undefined;
}

export interface ReadOptions {
  /** Streams (and partitions) read at once; default: the manifest's concurrency_level, else 8. */
  concurrency?: number;
  limits?: { records?: number; pages?: number; slices?: number };
  signal?: AbortSignal;
  /** After each page: its URL (secrets masked), status, records selected and the slice it belongs to. */
  onPage?: (event: { stream: string; records: number; url: string; status: number; slice: StreamSlice }) => void;
  /**
   * 1 (the default): the read runs on the calling thread. N ≥ 2: up to N worker threads read the
   * streams (a stream stays in one worker; never more workers than streams) and hand over
   * RECORDs as JSON text, which the calling thread only orders and passes on: worth it when the
   * caller writes the lines as they are (the CLI does), not when it looks at every record's data
   * (each is parsed again on first access). See engine/workers/plan.ts for when a read stays on
   * one thread anyway.
   */
  threads?: number;
  /** @internal A read worker's share of the catalog (engine/workers). */
  shard?: { index: number; count: number; failed: string[] };
}

export interface CheckResult {
  status: 'SUCCEEDED' | 'FAILED';
  message?: string;
}

/** check/discover: attempts (about a second apart) before a host that cannot be reached is reported. */
const UNREACHABLE_HOST_ATTEMPTS = 3;

export class Source {
  private constructor(
    readonly manifest: LoadedManifest,
    private readonly options: SourceOptions = {},
    /** How this Source was made, so a read worker can make it again. */
    private readonly origin?: SourceOrigin,
  ) {}

  // Components load on first use (check/discover/read), not here: `spec` and config validation
  // need only the manifest, and loading every component module is most of a cold start.
  static async fromFile(path: string, options?: SourceOptions): Promise<Source> {
    return Source.checked(await loadManifestFile(path, resolveLimits(options?.limits)), options, { kind: 'file', path });
  }

  static async fromText(text: string, file?: string, options?: SourceOptions): Promise<Source> {
    return Source.checked(loadManifestText(text, file, resolveLimits(options?.limits)), options, { kind: 'text', text, file });
  }

  static async fromObject(manifest: unknown, file?: string, options?: SourceOptions): Promise<Source> {
    return Source.checked(loadManifestObject(manifest, file, resolveLimits(options?.limits)), options, { kind: 'object', manifest, file });
  }

  /** Airbyte's source-declarative-manifest convention: the manifest travels inside the config. */
  static async fromInjectedConfig(config: Obj, options?: SourceOptions): Promise<Source> {
    const manifest = config[INJECTED_MANIFEST_KEY];
    if (!manifest || typeof manifest !== 'object') {
      throw new ConfigError(`No manifest given: pass --manifest or put it in the config under "${INJECTED_MANIFEST_KEY}"`);
    }
    return Source.fromObject(manifest, '<config>', options);
  }

  private static checked(manifest: LoadedManifest, options?: SourceOptions, origin?: SourceOrigin): Source {
    const problems = validateManifest(manifest);
    if (problems.length) throw new ManifestError(problems, manifest.file);
    return new Source(manifest, options, origin);
  }

  private get root(): Obj {
    return this.manifest.root as Obj;
  }

  spec(): AirbyteSpecMessage['spec'] {
    const spec = (this.root.spec ?? {}) as Obj;
    const out: AirbyteSpecMessage['spec'] = {
      connectionSpecification: (spec.connection_specification as Obj) ?? { type: 'object', properties: {} },
    };
    if (typeof spec.documentation_url === 'string') out.documentationUrl = spec.documentation_url;
    if (spec.advanced_auth && typeof spec.advanced_auth === 'object') out.advanced_auth = spec.advanced_auth as Obj;
    return out;
  }

  /** Throws ConfigError if the config does not match the spec (no request is made). */
  validateConfig(config: Obj): Obj {
    const { [INJECTED_MANIFEST_KEY]: _manifest, ...rest } = config;
    validateConfig(this.spec().connectionSpecification, rest);
    return rest;
  }

  /**
   * `options.onMessage` receives the out-of-band messages check and discover may produce: CONTROL
   * with a migrated config or a rotated OAuth refresh token, which the caller must persist.
   */
  async check(config: Obj, signal?: AbortSignal, options: OutOfBandOptions = {}): Promise<CheckResult> {
    try {
      await loadComponentsFor(this.root);
      // check.config_overrides (Airbyte CDK): config values the check alone runs with, taken
      // literally and replacing whole top-level keys; the user's config is what gets validated.
      const overrides = (this.root.check as Obj | undefined)?.config_overrides;
      const run = this.prepare(config, { onControl: options.onMessage, onLog: options.onLog }, isPlainObject(overrides) ? overrides : undefined);
      run.services.unreachableHostAttempts = UNREACHABLE_HOST_ATTEMPTS;
      const check = this.root.check ? buildComponent<ConnectionCheck>(this.root.check, 'check', run.config, run.services, 'CheckStream') : undefined;
      if (!check) return { status: 'SUCCEEDED', message: 'The manifest declares no check' };
      const streams = await run.streams();
      const result = await check.run(streams, signal, { generated: run.generated });
      return result.ok ? { status: 'SUCCEEDED' } : { status: 'FAILED', message: result.message ?? 'Check failed' };
    } catch (e) {
      return { status: 'FAILED', message: this.userMessage(e) };
    }
  }

  async discover(config: Obj, options: OutOfBandOptions = {}): Promise<AirbyteCatalog> {
    try {
      await loadComponentsFor(this.root);
      const run = this.prepare(config, { onControl: options.onMessage, onLog: options.onLog });
      run.services.unreachableHostAttempts = UNREACHABLE_HOST_ATTEMPTS;
      const streams: AirbyteStream[] = [];
      for (const stream of (await run.streams()).values()) streams.push(await describeStream(stream));
      return { streams };
    } catch (e) {
      // The error object goes to the caller as is: no secret in its message, stack or fields.
      throw scrubError(e, this.secrets);
    }
  }

  /** Names of the streams the manifest defines (no config needed). */
  streamNames(): string[] {
    const nodes = Array.isArray(this.root.streams) ? (this.root.streams as Obj[]) : [];
    return nodes.map((n, i) => String(n?.name ?? `streams[${i}]`));
  }

  /**
   * Reads the catalog's streams (all streams in full refresh when no catalog is given) and yields
   * Airbyte messages. Failures of one stream are reported as TRACE errors and the others go on; the
   * run ends with a final error TRACE if any stream failed.
   */
  async *read(config: Obj, catalog?: ConfiguredAirbyteCatalog, state?: unknown, options: ReadOptions = {}): AsyncGenerator<AirbyteMessage> {
    for await (const batch of this.readBatches(config, catalog, state, options)) yield* batch;
  }

  /**
   * The messages of read(), in the same order, grouped (a page's RECORDs come as one array). Lets
   * a consumer that writes messages out (the CLI) pay one await per page instead of per record.
   */
  async *readBatches(config: Obj, catalog?: ConfiguredAirbyteCatalog, state?: unknown, options: ReadOptions = {}): AsyncGenerator<AirbyteMessage[]> {
    if ((options.threads ?? 1) > 1 && !options.shard) {
      const plan = workerPlan({
        root: this.root,
        origin: this.origin,
        sourceOptions: this.options,
        config,
        catalog,
        state,
        read: options,
        streamNames: () => this.streamNames(),
        defaultConcurrency: DEFAULT_CONCURRENCY,
      });
      if (plan) {
        const { readInWorkers } = await import('../workers/read-in-workers.js');
        yield* readInWorkers({ ...plan, closingTrace: failedStreamsTrace });
        return;
      }
    }
    const shard = options.shard;
    // Messages about the whole read (config, catalog) come from the first worker only.
    const quiet = shard !== undefined && shard.index > 0;
    const side: AirbyteMessage[] = [];
    let run: PreparedRun;
    try {
      await loadComponentsFor(this.root);
      run = this.prepare(config, { side });
    } catch (e) {
      // A config migration's CONTROL still goes out when a later check of the config fails.
      if (!quiet) yield [...side.splice(0), this.traceFor(e)];
      return;
    }
    const flush = function* (): Generator<AirbyteMessage[]> {
      if (side.length) yield side.splice(0);
    };

    let streams: Map<string, Stream>;
    try {
      streams = await run.streams();
    } catch (e) {
      // Components are built here, so an invalid template or component surfaces as a TRACE like
      // every other failure instead of an exception out of the message stream.
      if (!quiet) yield [this.traceFor(e)];
      return;
    }
    let configured: ConfiguredAirbyteStream[];
    let states: Map<string, Obj>;
    try {
      configured =
        catalog === undefined ? [...streams.keys()].map((name) => ({ stream: { name }, sync_mode: 'full_refresh' as const })) : configuredStreams(catalog);
      states = parseInputState(state);
    } catch (e) {
      if (!quiet) yield [this.traceFor(e)];
      return;
    }
    for (const warning of catalogWarnings(configured, streams, states)) run.services.logger.warn(warning);
    if (quiet) side.length = 0;
    yield* flush();
    if (shard) configured = configured.filter((_, i) => i % shard.count === shard.index);
    const failed: string[] = [];
    const concurrency = options.concurrency ?? run.concurrency ?? DEFAULT_CONCURRENCY;
    // Streams and their partitions may each run `concurrency` wide; the request limit keeps the
    // total in flight at `concurrency`, which is what the level promises the API.
    run.services.requestLimit = pLimit(concurrency);

    const producers = configured.map((entry) => () => {
      const name = entry.stream.name;
      const stream = streams.get(name);
      if (!stream) {
        failed.push(name);
        return single([
          errorTrace(`Stream "${name}" is in the catalog but not in the manifest (streams: ${[...streams.keys()].join(', ')})`, 'config_error', {
            stream: name,
          }),
        ]);
      }
      const syncMode = entry.sync_mode === 'incremental' && stream.supportsIncremental ? 'incremental' : 'full_refresh';
      return streamMessages(stream, (e) => this.traceFor(e, name), {
        syncMode,
        state: syncMode === 'incremental' ? states.get(name) : undefined,
        cursorField: entry.cursor_field,
        limits: options.limits,
        signal: options.signal,
        concurrency,
        onFailure: () => failed.push(name),
        onPage: options.onPage && ((e) => options.onPage!({ ...e, url: maskUrl(e.url, this.secrets) })),
      });
    });

    for await (const batch of mergeConcurrent(producers, concurrency, undefined, batchWeight)) {
      yield* flush();
      yield batch;
    }
    yield* flush();
    if (shard) shard.failed.push(...failed);
    else if (failed.length) yield [failedStreamsTrace(failed)];
  }

  private traceFor(e: unknown, stream?: string): AirbyteMessage {
    if (isManifoldError(e)) {
      return errorTrace(this.userMessage(e), e.failureType, { stream: stream ?? e.stream, internalMessage: e.internalMessage && this.mask(e.internalMessage) });
    }
    const err = e as Error;
    return errorTrace(`Unexpected error${stream ? ` in stream ${stream}` : ''}: ${this.mask(err?.message ?? String(e))}`, 'system_error', {
      stream,
      stackTrace: this.mask(err?.stack ?? ''),
    });
  }

  private secrets = new SecretRegistry();

  private mask(text: string): string {
    return this.secrets.mask(text);
  }

  private userMessage(e: unknown): string {
    if (e instanceof ManifoldError) return this.mask(e.describe());
    return this.mask(e instanceof Error ? e.message : String(e));
  }

  /** Validates config, creates the run's services and builds components lazily. */
  private prepare(
    rawConfig: Obj,
    io: { side?: AirbyteMessage[]; onControl?: ((message: AirbyteMessage) => void) | undefined; onLog?: ((message: AirbyteLogMessage) => void) | undefined },
    overrides?: Obj,
  ): PreparedRun {
    const specSchema = this.spec().connectionSpecification;
    collectSecrets(specSchema, rawConfig, this.secrets);
    const side = io.side;
    const services = runServices(this.manifest, this.options, this.secrets, {
      logSink: side
        ? (level, message) => side.push(logMessage(level, message))
        : io.onLog
          ? (level, message) => io.onLog!(logMessage(level, message))
          : undefined,
      emit: (message) => {
        if (side) side.push(message);
        else if (message.type === 'CONTROL') io.onControl?.(message);
      },
    });
    if (this.options.retries) services.retryLimits = this.options.retries;
    const userConfig = normalizeConfig(this.root, rawConfig, services, (c) => {
      collectSecrets(specSchema, c, this.secrets);
      return this.validateConfig(c);
    });
    const config = overrides ? { ...userConfig, ...structuredClone(overrides) } : userConfig;
    if (overrides) collectSecrets(specSchema, config, this.secrets);
    const root = this.root;
    if (root.api_budget && this.options.applyBudget !== false) services.budget = buildComponent<CallBudget>(root.api_budget, 'api_budget', config, services);
    let built: Promise<Map<string, Stream>> | undefined;
    // Filled once streams() resolved: which streams each dynamic_streams entry generated.
    const generated = new Map<string, string[]>();
    if (Array.isArray(root.dynamic_streams)) root.dynamic_streams.forEach((node, i) => generated.set(dynamicStreamName(node, i), []));
    // Async because dynamic_streams may have to ask the API which streams exist.
    const streams = (): Promise<Map<string, Stream>> =>
      (built ??= streamDefinitions(root, config, services).then((definitions) => {
        const map = new Map<string, Stream>();
        for (const { node, path, dynamicStream } of definitions) {
          const stream = buildComponent<Stream>(node, path, config, services, 'DeclarativeStream');
          map.set(stream.name, stream);
          if (dynamicStream !== undefined) generated.get(dynamicStream)?.push(stream.name);
        }
        return map;
      }));
    return { config, services, streams, generated, concurrency: concurrencyLevel(root.concurrency_level, config) };
  }
}

interface PreparedRun {
  config: Obj;
  services: EngineServices;
  streams(): Promise<Map<string, Stream>>;
  /** Per dynamic_streams entry, the streams it generated (complete once streams() resolved). */
  generated: Map<string, string[]>;
  concurrency: number | undefined;
}

async function* single<T>(item: T): AsyncGenerator<T> {
  yield item;
}

/**
 * What the catalog and state ask for that cannot be done but costs nothing to go on without:
 * each a WARN, since the read that follows is still complete (see the README's table).
 */
function catalogWarnings(configured: ConfiguredAirbyteStream[], streams: Map<string, Stream>, states: Map<string, Obj>): string[] {
  const warnings: string[] = [];
  for (const entry of configured) {
    const stream = streams.get(entry.stream.name);
    if (entry.sync_mode === 'incremental' && stream && !stream.supportsIncremental) {
      warnings.push(`Stream "${stream.name}" supports only full_refresh (it has no incremental_sync); the catalog asks for incremental, so it is read in full`);
    }
  }
  for (const name of states.keys()) {
    if (!streams.has(name))
      warnings.push(
        `The input state has an entry for stream "${name}", which the manifest does not define (streams: ${[...streams.keys()].join(', ')}); it is ignored`,
      );
  }
  return warnings;
}

const batchWeight = (batch: AirbyteMessage[]): number => batch.length;

/**
 * config_error whatever the causes, as the CDK's closing TRACE: it only names the failed streams,
 * and their own TRACEs carry the actionable failure types.
 */
function failedStreamsTrace(failed: string[]): AirbyteMessage {
  return errorTrace(`During the sync, the following streams did not sync successfully: ${failed.join(', ')}`, 'config_error');
}

function isPlainObject(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
