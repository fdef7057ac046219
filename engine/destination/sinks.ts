/**
 * Where write reports go: response capture (one line per API response) and dead letters (one line
 * per record that could not be written). JSONL files are appended to; a webhook gets one POST per
 * line. Every line is masked with the run's secrets.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError, ManifoldError } from '../errors/manifold-error.js';
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';
import type { SecretRegistry } from '../services.js';
import type { Obj } from '../types.js';

export interface ReportSink {
  /** Resolves once the line is written (and, for a durable sink, on disk); rejects with a ManifoldError otherwise. */
  write(line: Obj): Promise<void>;
  close(): Promise<void>;
}

/** Error codes that mean the path itself is wrong (a directory, a missing folder, no permission). */
const PATH_ERRORS = new Set(['EISDIR', 'ENOTDIR', 'ENOENT', 'EACCES', 'EPERM', 'EROFS', 'ENAMETOOLONG', 'ELOOP']);

export class JsonlFileSink implements ReportSink {
  private handle: Promise<FileHandle> | undefined;
  private folderSynced = false;

  /**
   * `durable`: every write is fsync'd before it resolves (dead letters: a STATE echoed after it
   * tells the platform the record is safe, so it must survive a crash). `what` names the file in errors.
   */
  constructor(
    private readonly path: string,
    private readonly secrets: SecretRegistry,
    private readonly options: { durable?: boolean; what?: string; anyFileType?: boolean } = {},
  ) {}

  async write(line: Obj): Promise<void> {
    // Opened lazily so a run that writes nothing leaves no empty file behind. A failed open stays
    // failed: every later write reports the same error instead of retrying a bad path per record.
    this.handle ??= openForAppend(this.path, this.options.anyFileType === true);
    let handle: FileHandle;
    try {
      handle = await this.handle;
    } catch (e) {
      throw this.error('cannot be opened', e);
    }
    try {
      // FileHandle.appendFile writes the whole text (a partial write is continued, an error rejects).
      await handle.appendFile(this.secrets.mask(JSON.stringify(line)) + '\n');
      if (this.options.durable) {
        await handle.datasync();
        await this.syncFolder();
      }
    } catch (e) {
      throw this.error('cannot be written', e);
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    this.handle = undefined;
    // A file that never opened has nothing to close; its error was reported by write().
    const opened = await handle.catch(() => undefined);
    await opened?.close();
  }

  /** A newly created file is only durable once its folder entry is: fsync the folder once. */
  private async syncFolder(): Promise<void> {
    if (this.folderSynced) return;
    this.folderSynced = true;
    let folder: FileHandle | undefined;
    try {
      folder = await open(dirname(this.path), 'r');
      await folder.sync();
    } catch {
      // Some file systems refuse fsync on a folder; the file's own data is already synced.
    } finally {
      await folder?.close().catch(() => undefined);
    }
  }

  private error(what: string, e: unknown): ManifoldError {
    const err = e as NodeJS.ErrnoException;
    // Node's message already starts with the code: "ENOSPC: no space left on device, write".
    const cause = String(err?.message ?? e);
    const message = `${this.options.what ?? 'report'} file ${this.path} ${what} (${cause})`;
    return err?.code && PATH_ERRORS.has(err.code)
      ? new ConfigError(message, { cause: e })
      : new ManifoldError(message, { failureType: 'system_error', cause: e });
  }
}

/**
 * Appends without following a symlink at the last step (the path was checked against the file
 * policy when the run started; one swapped in since is not followed) and only to a regular file
 * of its own: a FIFO would block, a hard link would make the lines land in a file elsewhere.
 */
async function openForAppend(path: string, anyFileType: boolean): Promise<FileHandle> {
  // A device the person running the manifest allowed by name (--allow-path /dev/full) is opened as is.
  if (anyFileType) return open(path, 'a');
  const handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  const stat = await handle.stat();
  if (stat.isFile() && stat.nlink <= 1) return handle;
  await handle.close();
  throw Object.assign(new Error(`it is ${stat.isFile() ? 'hard-linked elsewhere' : 'not a regular file'}; refused`), { code: 'EPERM' });
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
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
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
