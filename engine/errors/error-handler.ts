/**
 * What error handlers, response filters and backoff strategies agree on. The requester depends on
 * these shapes only; the concrete handlers are built from the manifest by type name.
 */
import type { FailureType } from './manifold-error.js';
import type { HttpResponse } from '../types.js';

/** RESET_PAGINATION: the retriever restarts the slice's pagination (see pagination/pagination-reset.ts). */
export type ResponseAction = 'SUCCESS' | 'RETRY' | 'FAIL' | 'IGNORE' | 'RATE_LIMITED' | 'RESET_PAGINATION';

export interface ErrorResolution {
  action: ResponseAction;
  failureType?: FailureType | undefined;
  message?: string | undefined;
}

/** One attempt's outcome: a response (any status) or the network error that replaced it. */
export type Outcome = { response: HttpResponse; error?: undefined } | { response?: undefined; error: Error & { code?: string } };

export interface ErrorHandler {
  /** Retries allowed after the first attempt. */
  readonly maxRetries: number;
  /** Bound on the total time spent retrying one request, in seconds. */
  readonly maxTimeSeconds?: number | undefined;
  interpret(outcome: Outcome): ErrorResolution;
  /** Seconds to wait before retry number `attempt` (1-based); undefined = the engine's default. */
  backoffSeconds(outcome: Outcome, attempt: number): number | undefined;
}

/** A matcher inside DefaultErrorHandler.response_filters; undefined = does not apply. */
export interface ResponseFilter {
  matches(outcome: Outcome): ErrorResolution | undefined;
}

export interface BackoffStrategy {
  /** Seconds to wait, or undefined when this strategy has no opinion (e.g. header missing). */
  backoffSeconds(outcome: Outcome, attempt: number): number | undefined;
}

export const SUCCESS: ErrorResolution = Object.freeze({ action: 'SUCCESS' });

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'ERR_NETWORK',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_GOT_REQUEST_ERROR',
]);

/** Airbyte's DEFAULT_ERROR_MAPPING, for statuses and network failures no filter claimed. */
export function defaultResolution(outcome: Outcome): ErrorResolution {
  const { response, error } = outcome;
  if (!response) {
    const code = error.code ?? '';
    const timeout = /timeout|timed out/i.test(error.message) || error.name === 'TimeoutError';
    const hangUp = /socket hang up|ECONNRESET|premature close/i.test(error.message);
    if (RETRYABLE_NETWORK_CODES.has(code) || timeout || hangUp) {
      return { action: 'RETRY', failureType: 'transient_error', message: `Network error (${code || error.name}): ${error.message}` };
    }
    return { action: 'RETRY', failureType: 'system_error', message: `Unexpected exception: ${error.message}` };
  }
  const status = response.status;
  if (status >= 200 && status < 300) return SUCCESS;
  switch (status) {
    case 400:
      return { action: 'FAIL', failureType: 'system_error', message: 'HTTP Status Code: 400. Error: Bad request. Please check your request parameters.' };
    case 401:
      return {
        action: 'FAIL',
        failureType: 'config_error',
        message:
          'HTTP Status Code: 401. Error: Unauthorized. Please ensure you are authenticated correctly: check your credentials (API key, token or OAuth client) in the config.',
      };
    case 403:
      return {
        action: 'FAIL',
        failureType: 'config_error',
        message:
          "HTTP Status Code: 403. Error: Forbidden. You don't have permission to access this resource: check your credentials and their permissions/scopes.",
      };
    case 404:
      return {
        action: 'FAIL',
        failureType: 'system_error',
        message: 'HTTP Status Code: 404. Error: Not found. The requested resource was not found on the server.',
      };
    case 405:
      return { action: 'FAIL', failureType: 'system_error', message: 'HTTP Status Code: 405. Error: Method not allowed. Please check your request method.' };
    case 408:
      return { action: 'RETRY', failureType: 'transient_error', message: 'HTTP Status Code: 408. Error: Request timeout.' };
    case 429:
      return { action: 'RATE_LIMITED', failureType: 'transient_error', message: 'HTTP Status Code: 429. Error: Too many requests.' };
    case 500:
      return { action: 'RETRY', failureType: 'transient_error', message: 'HTTP Status Code: 500. Error: Internal server error.' };
    case 502:
      return { action: 'RETRY', failureType: 'transient_error', message: 'HTTP Status Code: 502. Error: Bad gateway.' };
    case 503:
      return { action: 'RETRY', failureType: 'transient_error', message: 'HTTP Status Code: 503. Error: Service unavailable.' };
    case 504:
      return { action: 'RETRY', failureType: 'transient_error', message: 'HTTP Status Code: 504. Error: Gateway timeout.' };
  }
  if (status >= 300 && status < 400) return SUCCESS;
  return { action: 'RETRY', failureType: status >= 500 ? 'transient_error' : 'system_error', message: `Unexpected response with HTTP status ${status}` };
}

/** The decoded body as templates see it (`response`): JSON when possible, else {}. */
export function responseForTemplates(response: HttpResponse | undefined): unknown {
  if (!response) return {};
  try {
    return response.json();
  } catch {
    return {};
  }
}
