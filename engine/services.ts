/**
 * Services shared by all components of one Source or Destination run. Created once per run by
 * `createServices()` and handed to builders through the BuildContext, so components never reach
 * for globals (and tests can swap any of them).
 */
import type { HttpEvent, Obj } from './types.js';
import { FilePolicy } from './files/file-policy.js';
import { resolveLimits, type Limits } from './limits/limits.js';

export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';

export interface Logger {
  log(level: LogLevel, message: string): void;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** Outgoing request as the HTTP layer sends it. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Already-encoded body. */
  body?: string | Buffer | undefined;
  /** Stream this request is made for (for budgets, events and error messages). */
  stream?: string | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Rate-limit budget shared by every stream of a run (api_budget). */
export interface CallBudget {
  /** Waits until the request may be sent. */
  acquire(request: HttpRequest, signal?: AbortSignal): Promise<void>;
  /** Lets the budget learn from the response (rate-limit headers, 429s). */
  observe?(request: HttpRequest, status: number, headers: Record<string, string | string[] | undefined>): void;
}

export interface EngineServices {
  logger: Logger;
  /** Per-run cache for things shared across streams (OAuth tokens, session tokens). */
  cache: Map<string, unknown>;
  /** Budget declared by the manifest's api_budget, if any. */
  budget?: CallBudget | undefined;
  /** Values that must never be printed (secrets from config, tokens obtained at run time). */
  secrets: SecretRegistry;
  /** Emits an out-of-band protocol message (e.g. CONTROL with a rotated refresh token). */
  emit(message: Obj): void;
  /** Observers of every HTTP exchange (show-http, progress, recording). */
  onHttp: Array<(event: HttpEvent) => void>;
  /** Set by --replay/--record; the HTTP layer consults it (see engine/http). */
  transport?: unknown;
  /** Base backoff multiplier, lowered in tests so retries do not slow the suite. */
  backoffScale: number;
  /**
   * Bounds HTTP exchanges in flight across the whole run (the manifest's concurrency_level), so
   * concurrent streams × concurrent partitions never exceed it. Unset: unbounded.
   */
  requestLimit?: (<T>(fn: () => Promise<T>) => Promise<T>) | undefined;
  /** Which files the manifest may read and write (see engine/files). */
  files?: FilePolicy | undefined;
  /** Budgets for response sizes and nesting (see engine/limits); unset: the defaults. */
  limits?: Limits | undefined;
}

/** Collects secret values and masks them in any text. */
export class SecretRegistry {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  add(value: unknown): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const s = String(value);
    // Very short values would mask ordinary text everywhere; they are still kept out of logs
    // because auth headers are masked by name.
    if (s.length < 4 || this.values.has(s)) return;
    this.values.add(s);
    // Also catch the URL-encoded and base64 forms a secret takes in URLs and Basic auth.
    const enc = encodeURIComponent(s);
    if (enc !== s) this.values.add(enc);
    this.pattern = undefined;
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  mask(text: string): string {
    if (this.values.size === 0 || !text) return text;
    if (!this.pattern) {
      const alternatives = [...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return text.replace(this.pattern, '****');
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const LEVEL_RANK: Record<LogLevel, number> = { FATAL: 0, ERROR: 1, WARN: 2, INFO: 3, DEBUG: 4, TRACE: 5 };

/** A logger that masks secrets and forwards to a sink (the message stream, or stderr). */
export function createLogger(
  sink: (level: LogLevel, message: string) => void,
  secrets: SecretRegistry,
  minLevel: LogLevel = 'INFO',
): Logger {
  const log = (level: LogLevel, message: string): void => {
    if (LEVEL_RANK[level] > LEVEL_RANK[minLevel]) return;
    sink(level, secrets.mask(message));
  };
  return {
    log,
    error: (m) => log('ERROR', m),
    warn: (m) => log('WARN', m),
    info: (m) => log('INFO', m),
    debug: (m) => log('DEBUG', m),
  };
}

export interface ServicesOptions {
  logSink?: (level: LogLevel, message: string) => void;
  logLevel?: LogLevel;
  emit?: (message: Obj) => void;
  secrets?: SecretRegistry;
  transport?: unknown;
  backoffScale?: number;
  files?: FilePolicy;
  limits?: Partial<Limits>;
}

export function createServices(options: ServicesOptions = {}): EngineServices {
  const secrets = options.secrets ?? new SecretRegistry();
  const sink = options.logSink ?? ((level, message) => process.stderr.write(`${level} ${message}\n`));
  return {
    logger: createLogger(sink, secrets, options.logLevel),
    cache: new Map(),
    secrets,
    emit: options.emit ?? (() => undefined),
    onHttp: [],
    transport: options.transport,
    backoffScale: options.backoffScale ?? 1,
    files: options.files ?? FilePolicy.forManifest(undefined),
    limits: resolveLimits(options.limits),
  };
}
