/**
 * The retry loop around one logical request: the error handler decides per attempt, p-retry
 * bounds the attempts and the total time, and every wait is scaled by services.backoffScale.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';
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

/** Thrown inside the loop to ask for another attempt after `delayMs`. */
class RetrySignal extends Error {
  constructor(
    readonly failure: ManifoldError,
    /** Lowered by SourceOptions.retries' maxBackoffSeconds before the wait. */
    public delayMs: number,
    readonly free = false,
    /** Exhausted retries keep the failure's own type (a body that stays invalid is no transient fault). */
    readonly keepFailureType = false,
  ) {
    super(failure.message);
  }
}

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
 * the error handler accepts the response. Returns undefined for IGNORE; throws ManifoldError.
 */
export async function sendWithRetries(build: () => Promise<HttpRequest>, deps: RetryDeps): Promise<HttpResponse | undefined> {
  const { services, errorHandler, authenticator, signal } = deps;
  const client = httpClientFor(services);
  let reauthenticated = false;
  let attempts = 0;
  let unreachable = 0;
  let lastRequest: HttpRequest | undefined;

  /**
   * A body cut by a proxy or replaced by an error page is as transient as a reset mid-body: an
   * idempotent request is sent again under the same budget. Other requests fail at once (the
   * server may have acted on them), and so does any other decoding problem.
   */
  const checkBody = (response: HttpResponse, request: HttpRequest | undefined, attemptNumber: number): void => {
    try {
      deps.checkBody!(response);
    } catch (e) {
      if (!isInvalidBody(e)) throw new AbortError(e as Error);
      if (e.stream === undefined) e.stream = request?.stream;
      const idempotent = deps.idempotent ?? IDEMPOTENT_METHODS.has((request?.method ?? '').toUpperCase());
      if (!idempotent) throw new AbortError(e);
      const outcome: Outcome = { response };
      const waitSeconds = errorHandler.backoffSeconds(outcome, attemptNumber) ?? defaultWaitSeconds(outcome, attemptNumber);
      throw new RetrySignal(e, Math.max(0, waitSeconds * 1000 * services.backoffScale), false, true);
    }
  };

  const attempt = async (attemptNumber: number): Promise<HttpResponse | undefined> => {
    attempts = attemptNumber;
    let request: HttpRequest | undefined;
    let outcome: Outcome;
    try {
      request = await build();
      lastRequest = request;
      outcome = { response: await client.send(request, attemptNumber) };
    } catch (e) {
      if (!(e instanceof NetworkError)) throw new AbortError(e as Error);
      outcome = { error: e };
    }
    let resolution: ErrorResolution;
    let waitSeconds: number | undefined;
    try {
      resolution = errorHandler.interpret(outcome);
      if (resolution.action === 'RETRY' || resolution.action === 'RATE_LIMITED') {
        waitSeconds = errorHandler.backoffSeconds(outcome, attemptNumber) ?? defaultWaitSeconds(outcome, attemptNumber);
      }
    } catch (e) {
      throw new AbortError(e as Error);
    }
    if (resolution.action === 'SUCCESS') {
      if (outcome.response && deps.checkBody) checkBody(outcome.response, request, attemptNumber);
      return outcome.response;
    }
    if (resolution.action === 'IGNORE') {
      services.logger.info(`Ignoring response: ${describe(request, outcome, resolution, services)}`);
      return undefined;
    }
    if (resolution.action === 'RESET_PAGINATION') {
      throw new AbortError(new PaginationResetRequired(describe(request, outcome, resolution, services), request?.stream));
    }
    if (outcome.response?.status === 401 && !reauthenticated && authenticator?.invalidate?.()) {
      // A token can be revoked or expire early; one fresh token is worth a try before failing.
      reauthenticated = true;
      throw new RetrySignal(failure(request, outcome, resolution, services), 0, true);
    }
    const error = failure(request, outcome, resolution, services);
    if (resolution.action === 'FAIL') throw new AbortError(error);
    if (services.unreachableHostAttempts !== undefined && UNREACHABLE_HOST_CODES.has(outcome.error?.code ?? '')) {
      if (++unreachable >= services.unreachableHostAttempts) {
        throw new AbortError(
          new ManifoldError(`${error.message} (the host cannot be reached: gave up after ${attemptNumber} attempts; check the URL, host name and port)`, {
            failureType: error.failureType,
            stream: error.stream,
            cause: error.cause,
          }),
        );
      }
      throw new RetrySignal(error, Math.min(UNREACHABLE_HOST_WAIT_MS, Math.max(0, (waitSeconds ?? 0) * 1000 * services.backoffScale)));
    }
    throw new RetrySignal(error, Math.max(0, (waitSeconds ?? 0) * 1000 * services.backoffScale));
  };

  try {
    const caps = services.retryLimits;
    return await pRetry(attempt, {
      retries: caps?.maxRetries !== undefined ? Math.min(caps.maxRetries, errorHandler.maxRetries) : errorHandler.maxRetries,
      minTimeout: 0,
      maxTimeout: 0,
      factor: 1,
      randomize: false,
      maxRetryTime: (errorHandler.maxTimeSeconds ?? DEFAULT_MAX_TIME_SECONDS) * 1000,
      signal,
      shouldConsumeRetry: ({ error }) => !(error instanceof RetrySignal && error.free),
      onFailedAttempt: async ({ error, retriesLeft }) => {
        if (!(error instanceof RetrySignal) || retriesLeft <= 0) return;
        if (caps?.maxBackoffSeconds !== undefined) error.delayMs = Math.min(error.delayMs, caps.maxBackoffSeconds * 1000);
        if (error.delayMs > 0) {
          services.logger.info(`${error.failure.message} — retrying in ${(error.delayMs / 1000).toFixed(3)}s (${retriesLeft} retries left)`);
          // Observers (progress, --show-http) learn about the wait before it starts.
          if (lastRequest && services.onHttp.length) {
            const r = lastRequest;
            const waiting = { stream: r.stream, method: r.method, url: maskUrl(r.url, services.secrets), requestHeaders: {}, attempt: attempts, retryInMs: error.delayMs };
            for (const listener of services.onHttp) listener(waiting);
          }
          await sleep(error.delayMs, undefined, { signal });
        }
      },
    });
  } catch (e) {
    const error = e instanceof AbortError ? e.originalError : e;
    if (error instanceof RetrySignal) {
      throw new ManifoldError(`${error.failure.message} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`, {
        failureType: error.keepFailureType || error.failure.failureType === 'config_error' ? error.failure.failureType : 'transient_error',
        stream: error.failure.stream,
        internalMessage: error.failure.internalMessage,
        cause: error.failure.cause,
      });
    }
    throw error;
  }
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
