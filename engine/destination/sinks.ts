/**
 * Where write reports go: response capture (one line per API response) and dead letters (one line
 * per record that could not be written). JSONL files are appended to; a webhook gets one POST per
 * line. Every line is masked with the run's secrets.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';
import type { SecretRegistry } from '../services.js';
import type { Obj } from '../types.js';

export interface ReportSink {
  write(line: Obj): Promise<void>;
  close(): Promise<void>;
}

export class JsonlFileSink implements ReportSink {
  private stream: WriteStream | undefined;
  constructor(private readonly path: string, private readonly secrets: SecretRegistry) {}

  async write(line: Obj): Promise<void> {
    // Opened lazily so a run that writes nothing leaves no empty file behind.
    this.stream ??= createWriteStream(this.path, { flags: 'a' });
    if (!this.stream.write(this.secrets.mask(JSON.stringify(line)) + '\n')) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

/** Attempts per line, and the first wait between them (doubled each time). */
const WEBHOOK_ATTEMPTS = 4;
const WEBHOOK_FIRST_WAIT_MS = 500;
const WEBHOOK_TIMEOUT_MS = 10_000;
/** A Retry-After longer than this is not waited for in full: the sync should not stall on its reports. */
const WEBHOOK_MAX_WAIT_MS = 30_000;

/**
 * One POST per line. 429, 5xx, timeouts and network errors are retried with exponential backoff
 * (Retry-After honoured); any other answer, or running out of attempts, throws, and the caller
 * decides what a lost report means (for response capture: a warning, never a failed write).
 */
export class WebhookSink implements ReportSink {
  constructor(
    private readonly url: string,
    private readonly secrets: SecretRegistry,
    /** Multiplies every wait (tests use a tiny value). */
    private readonly backoffScale = 1,
  ) {}

  async write(line: Obj): Promise<void> {
    const body = this.secrets.mask(JSON.stringify(line));
    // Webhook paths and queries often carry a token (Slack, Zapier): messages name the origin only.
    const target = this.secrets.mask(originOf(this.url));
    await pRetry(
      async () => {
        let response: Response;
        try {
          response = await fetch(this.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
          });
        } catch (e) {
          throw new RetryableWebhookError(`webhook ${target} could not be reached: ${this.secrets.mask((e as Error).message)}`, undefined);
        }
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        const message = `webhook ${target} answered HTTP ${response.status}`;
        if (response.status === 429 || response.status >= 500) throw new RetryableWebhookError(message, retryAfterMs(response.headers.get('retry-after')));
        throw new AbortError(message);
      },
      {
        retries: WEBHOOK_ATTEMPTS - 1,
        minTimeout: 0,
        maxTimeout: 0,
        factor: 1,
        randomize: false,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft <= 0) return;
          const wait = (error as RetryableWebhookError).retryAfterMs ?? WEBHOOK_FIRST_WAIT_MS * 2 ** (attemptNumber - 1);
          await sleep(Math.min(wait, WEBHOOK_MAX_WAIT_MS) * this.backoffScale);
        },
      },
    ).catch((e: Error) => {
      throw new Error(e instanceof RetryableWebhookError ? `${e.message} (gave up after ${WEBHOOK_ATTEMPTS} attempts)` : e.message);
    });
  }

  async close(): Promise<void> {}
}

class RetryableWebhookError extends Error {
  constructor(message: string, readonly retryAfterMs: number | undefined) {
    super(message);
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Response body as reports show it: parsed JSON when it is JSON, else the text. */
export function reportBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
