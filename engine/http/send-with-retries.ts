/**
 * The retry loop around one logical request: the error handler decides per attempt and says how
 * long to wait; the loop bounds the attempts (maxRetries, a re-authentication is free) and the
 * total time (max_time), and scales every wait by services.backoffScale.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Authenticator } from '../contracts.js';
import { ManifoldError } from '../errors/manifold-error.js';
import { PaginationResetRequired } from '../errors/pagination-reset-required.js';
import { isInvalidBody } from '../errors/invalid-body.js';
import type { ErrorHandler, ErrorResolution, Outcome } from '../errors/error-handler.js';
import { headerValue } from '../errors/backoff-support.js';
import { DEFAULT_BACKOFF_FACTOR } from '../errors/exponential-backoff-strategy.js';
import type { EngineServices, HttpRequest } from '../services.js';
import type { HttpResponse } from '../types.js';
import { NetworkError, httpClientFor } from './client.js';
import { bodyExcerpt, carriesMintedCredentials, maskUrl } from './redact.js';

const DEFAULT_MAX_TIME_SECONDS = 600;

/** An attempt that failed in a way another attempt may fix, after `delayMs`. */
interface Retry {
  failure: ManifoldError;
  delayMs: number;
  /** A re-authentication: does not count against maxRetries. */
  free?: boolean;
  /** Exhausted retries keep the failure's own type (a body that stays invalid is no transient fault). */
  keepFailureType?: boolean;
}

type AttemptResult = { response: HttpResponse | undefined } | { retry: Retry };

export interface RetryDeps {
  services: EngineServices;
  errorHandler: ErrorHandler;
  authenticator?: Authenticator | undefined;
  signal?: AbortSignal | undefined;
  /** Throws InvalidBodyError when an accepted response's body cannot be decoded (see SendArgs.checkBody). */
  checkBody?: ((response: HttpResponse) => void) | undefined;
  /** true/false overrides the method's own idempotency (GET, HEAD and OPTIONS are idempotent). */
  idempotent?: boolean | undefined;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Nothing answered: refused, no such host, no route. */
const UNREACHABLE_HOST_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);
const UNREACHABLE_HOST_WAIT_MS = 1000;

/**
 * Sends the request `build()` produces (rebuilt per attempt, so a refreshed token is used) until
 * the error handler accepts the response. Returns undefined for IGNORE; throws ManifoldError, or
 * the signal's abort error when aborted.
 */
export async function sendWithRetries(build: () => Promise<HttpRequest>, deps: RetryDeps): Promise<HttpResponse | undefined> {
  const { services, errorHandler, signal } = deps;
  const attempt = attemptRunner(build, deps);
  const maxTimeMs = (errorHandler.maxTimeSeconds ?? DEFAULT_MAX_TIME_SECONDS) * 1000;
  const started = performance.now();
  const caps = services.retryLimits;
  const maxRetries = caps?.maxRetries !== undefined ? Math.min(caps.maxRetries, errorHandler.maxRetries) : errorHandler.maxRetries;
  let retriesUsed = 0;
  for (let attemptNumber = 1; ; attemptNumber++) {
    signal?.throwIfAborted();
    const result = await attempt(attemptNumber);
    if ('response' in result) {
      signal?.throwIfAborted();
      return result.response;
    }
    const { retry } = result;
    const retriesLeft = Math.max(0, maxRetries - retriesUsed);
    // SourceOptions.retries' maxBackoffSeconds lowers the wait.
    if (retriesLeft > 0 && caps?.maxBackoffSeconds !== undefined) retry.delayMs = Math.min(retry.delayMs, caps.maxBackoffSeconds * 1000);
    if (retriesLeft > 0 && retry.delayMs > 0) {
      services.logger.info(`${retry.failure.message} — retrying in ${(retry.delayMs / 1000).toFixed(3)}s (${retriesLeft} retries left)`);
      announceWait(attempt.lastRequest, attemptNumber, retry.delayMs, services);
      await sleep(retry.delayMs, undefined, { signal });
    }
    // The time budget is checked after the wait, so the last wait may end past it.
    if (retriesLeft <= 0 || performance.now() - started >= maxTimeMs) throw gaveUp(retry, attemptNumber);
    if (!retry.free) retriesUsed++;
  }
}

/** Observers (progress, --show-http) learn about a wait before it starts. */
function announceWait(request: HttpRequest | undefined, attempt: number, delayMs: number, services: EngineServices): void {
  if (!request || services.onHttp.length === 0) return;
  const waiting = {
    stream: request.stream,
    method: request.method,
    url: maskUrl(request.url, services.secrets),
    requestHeaders: {},
    attempt,
    retryInMs: delayMs,
  };
  for (const listener of services.onHttp) listener(waiting);
}

function gaveUp(retry: Retry, attempts: number): ManifoldError {
  const { failure } = retry;
  return new ManifoldError(`${failure.message} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`, {
    failureType: retry.keepFailureType || failure.failureType === 'config_error' ? failure.failureType : 'transient_error',
    stream: failure.stream,
    internalMessage: failure.internalMessage,
    cause: failure.cause,
  });
}

/**
 * One attempt: send, let the error handler judge the outcome, and answer with the response
 * (undefined for IGNORE) or a Retry; failures no retry can fix are thrown. Remembers the last
 * request it built and whether it re-authenticated (once per logical request).
 */
function attemptRunner(
  build: () => Promise<HttpRequest>,
  deps: RetryDeps,
): ((attemptNumber: number) => Promise<AttemptResult>) & { lastRequest: HttpRequest | undefined } {
  const { services, errorHandler, authenticator } = deps;
  const client = httpClientFor(services);
  let reauthenticated = false;
  let unreachable = 0;
  const waitMs = (outcome: Outcome, attemptNumber: number): number =>
    Math.max(0, (errorHandler.backoffSeconds(outcome, attemptNumber) ?? defaultWaitSeconds(outcome, attemptNumber)) * 1000 * services.backoffScale);

  /**
   * A body cut by a proxy or replaced by an error page is as transient as a reset mid-body: an
   * idempotent request is sent again under the same budget. Other requests fail at once (the
   * server may have acted on them), and so does any other decoding problem.
   */
  const checkBody = (response: HttpResponse, request: HttpRequest | undefined, attemptNumber: number): Retry | undefined => {
    try {
      deps.checkBody!(response);
      return undefined;
    } catch (e) {
      if (!isInvalidBody(e)) throw e;
      if (e.stream === undefined) e.stream = request?.stream;
      const idempotent = deps.idempotent ?? IDEMPOTENT_METHODS.has((request?.method ?? '').toUpperCase());
      if (!idempotent) throw e;
      return { failure: e, delayMs: waitMs({ response }, attemptNumber), keepFailureType: true };
    }
  };

  const run = async (attemptNumber: number): Promise<AttemptResult> => {
    let request: HttpRequest | undefined;
    let outcome: Outcome;
    try {
      request = await build();
      run.lastRequest = request;
      outcome = { response: await client.send(request, attemptNumber) };
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e;
      outcome = { error: e };
    }
    const resolution: ErrorResolution = errorHandler.interpret(outcome);
    const delayMs = resolution.action === 'RETRY' || resolution.action === 'RATE_LIMITED' ? waitMs(outcome, attemptNumber) : 0;
    if (resolution.action === 'SUCCESS') {
      const retry = outcome.response && deps.checkBody ? checkBody(outcome.response, request, attemptNumber) : undefined;
      return retry ? { retry } : { response: outcome.response };
    }
    if (resolution.action === 'IGNORE') {
      services.logger.info(`Ignoring response: ${describe(request, outcome, resolution, services)}`);
      return { response: undefined };
    }
    if (resolution.action === 'RESET_PAGINATION') {
      throw new PaginationResetRequired(describe(request, outcome, resolution, services), request?.stream);
    }
    if (outcome.response?.status === 401 && !reauthenticated && authenticator?.invalidate?.()) {
      // A token can be revoked or expire early; one fresh token is worth a try before failing.
      reauthenticated = true;
      return { retry: { failure: failure(request, outcome, resolution, services), delayMs: 0, free: true } };
    }
    const error = failure(request, outcome, resolution, services);
    if (resolution.action === 'FAIL') throw error;
    if (services.unreachableHostAttempts !== undefined && UNREACHABLE_HOST_CODES.has(outcome.error?.code ?? '')) {
      if (++unreachable >= services.unreachableHostAttempts) {
        throw new ManifoldError(`${error.message} (the host cannot be reached: gave up after ${attemptNumber} attempts; check the URL, host name and port)`, {
          failureType: error.failureType,
          stream: error.stream,
          cause: error.cause,
        });
      }
      return { retry: { failure: error, delayMs: Math.min(UNREACHABLE_HOST_WAIT_MS, delayMs) } };
    }
    return { retry: { failure: error, delayMs } };
  };
  run.lastRequest = undefined as HttpRequest | undefined;
  return run;
}

/** Retry-After (seconds or HTTP date) on 429/503, else Airbyte's exponential default. */
function defaultWaitSeconds(outcome: Outcome, attempt: number): number {
  const status = outcome.response?.status;
  if (status === 429 || status === 503) {
    const retryAfter = headerValue(outcome.response, 'retry-after');
    if (retryAfter !== undefined) {
      const seconds = Number(retryAfter.trim());
      if (Number.isFinite(seconds)) return Math.max(0, seconds);
      const date = Date.parse(retryAfter);
      if (Number.isFinite(date)) return Math.max(0, (date - Date.now()) / 1000);
    }
  }
  return DEFAULT_BACKOFF_FACTOR * 2 ** attempt;
}

function describe(request: HttpRequest | undefined, outcome: Outcome, resolution: ErrorResolution, services: EngineServices): string {
  const target = request ? `${request.method} ${maskUrl(request.url, services.secrets)}` : 'request';
  if (!outcome.response) return `${target} failed: ${services.secrets.mask(resolution.message ?? outcome.error.message)}`;
  const excerpt = bodyExcerpt(outcome.response.body, services.secrets, 500, carriesMintedCredentials(request, outcome.response.status));
  const message = resolution.message ? services.secrets.mask(resolution.message) : `HTTP ${outcome.response.status}`;
  return `${target} returned HTTP ${outcome.response.status}: ${message}${excerpt ? ` Response body: ${excerpt}` : ''}`;
}

function failure(request: HttpRequest | undefined, outcome: Outcome, resolution: ErrorResolution, services: EngineServices): ManifoldError {
  return new ManifoldError(describe(request, outcome, resolution, services), {
    failureType: resolution.failureType ?? 'system_error',
    stream: request?.stream,
    cause: outcome.error,
  });
}
