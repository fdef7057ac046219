/**
 * Services shared by all components of one Source or Destination run. Created once per run by
 * `createServices()` and handed to builders through the BuildContext, so components never reach
 * for globals (and tests can swap any of them).
 */
import type { HttpEvent } from './types.js';
import type { Transport } from './http/client.js';
import type { AirbyteMessage } from './protocol/messages.js';
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
  /**
   * The response mints credentials (token endpoint, session login): every value in its body is
   * masked wherever it is shown or recorded, whatever the field names.
   */
  credentialResponse?: boolean | undefined;
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
  emit(message: AirbyteMessage): void;
  /** Observers of every HTTP exchange (show-http, progress, recording). */
  onHttp: Array<(event: HttpEvent) => void>;
  /** Set by --replay/--record; the HTTP layer consults it (see engine/http). */
  transport?: Transport | undefined;
  /** Base backoff multiplier, lowered in tests so retries do not slow the suite. */
  backoffScale: number;
  /**
   * Bounds HTTP exchanges in flight across the whole run (the manifest's concurrency_level), so
   * concurrent streams × concurrent partitions never exceed it. Unset: unbounded.
   */
  requestLimit?: (<T>(fn: () => Promise<T>) => Promise<T>) | undefined;
  /**
   * check and discover answer someone who is waiting: a host that refuses the connection or does
   * not resolve is reported after this many quick attempts instead of the error handler's full
   * backoff (minutes). Unset (reads): the error handler's budget applies.
   */
  unreachableHostAttempts?: number | undefined;
  /** Caps on every error handler's retries and waits (SourceOptions.retries: fail-fast test reads). Unset: none. */
  retryLimits?: { maxRetries?: number | undefined; maxBackoffSeconds?: number | undefined } | undefined;
  /** Which files the manifest may read and write (see engine/files). */
  files?: FilePolicy | undefined;
  /** Budgets for response sizes and nesting (see engine/limits); unset: the defaults. */
  limits?: Limits | undefined;
}

/**
 * Collects secret values and masks them in any text. A secret is masked in every form it takes on
 * the way out: as is, URL-encoded (path, query, `+` form encoding), JSON-escaped and base64.
 */
export class SecretRegistry {
  private readonly values = new Set<string>();
  private readonly forms = new Set<string>();
  private pattern: RegExp | undefined;

  add(value: unknown): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const s = String(value);
    // Very short values would mask ordinary text everywhere; they are still kept out of logs
    // because auth headers are masked by name.
    if (s.length < 4 || this.values.has(s)) return;
    this.values.add(s);
    for (const form of secretForms(s)) if (form.length >= 4) this.forms.add(form);
    this.pattern = undefined;
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  /** True when `text` contains a secret in any of its forms. */
  appearsIn(text: string): boolean {
    const pattern = this.regex();
    if (!pattern || !text) return false;
    pattern.lastIndex = 0;
    return pattern.test(text);
  }

  mask(text: string): string {
    const pattern = this.regex();
    if (!pattern || !text) return text;
    pattern.lastIndex = 0;
    return text.replace(pattern, '****');
  }

  private regex(): RegExp | undefined {
    if (this.forms.size === 0) return undefined;
    if (!this.pattern) {
      // Longest first, so a form that contains another is masked whole.
      const alternatives = [...this.forms].sort((a, b) => b.length - a.length).map(escapeForm);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return this.pattern;
  }
}

/** The forms a secret takes in URLs, form bodies, JSON and Basic-auth style headers. */
export function secretForms(s: string): string[] {
  try {
    return encodedForms(s);
  } catch {
    // A lone surrogate cannot be URL-encoded (and so cannot be sent in a URL either).
    return [s, JSON.stringify(s).slice(1, -1)];
  }
}

function encodedForms(s: string): string[] {
  const component = encodeURIComponent(s);
  const formEncoded = component.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const json = JSON.stringify(s).slice(1, -1);
  const base64 = Buffer.from(s, 'utf8').toString('base64');
  return [
    s,
    component,
    formEncoded,
    formEncoded.replace(/%20/g, '+'),
    component.replace(/%20/g, '+'),
    encodeURI(s),
    json,
    // Python's json.dumps (ensure_ascii) escapes every non-ASCII character.
    json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    // A JSON string embedded in another JSON string (an error body quoted in a message).
    JSON.stringify(json).slice(1, -1),
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(s, 'utf8').toString('base64url'),
    ...base64Embedded(s),
  ];
}

/**
 * The part of base64(prefix + s + suffix) that depends on s alone, for each of the three byte
 * alignments s can have: `user:pass` encoded for a Basic header hides `pass` this way.
 */
function base64Embedded(s: string): string[] {
  const bytes = Buffer.from(s, 'utf8');
  const out: string[] = [];
  for (const offset of [1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const whole = Math.floor((offset + bytes.length) / 3);
    const inner = encoded.slice(4, whole * 4);
    if (inner.length >= 8) out.push(inner);
  }
  const aligned = bytes.toString('base64').slice(0, Math.floor(bytes.length / 3) * 4);
  if (aligned.length >= 8) out.push(aligned);
  return out;
}

/** A regex alternative for one form: percent escapes match in either letter case. */
function escapeForm(form: string): string {
  return escapeRegExp(form).replace(/%([0-9A-Fa-f])([0-9A-Fa-f])/g, (_m, a: string, b: string) => `%${hexClass(a)}${hexClass(b)}`);
}

function hexClass(c: string): string {
  return /[0-9]/.test(c) ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const LEVEL_RANK: Record<LogLevel, number> = { FATAL: 0, ERROR: 1, WARN: 2, INFO: 3, DEBUG: 4, TRACE: 5 };

/** A logger that masks secrets and forwards to a sink (the message stream, or stderr). */
export function createLogger(sink: (level: LogLevel, message: string) => void, secrets: SecretRegistry, minLevel: LogLevel = 'INFO'): Logger {
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
  emit?: (message: AirbyteMessage) => void;
  secrets?: SecretRegistry;
  transport?: Transport | undefined;
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
