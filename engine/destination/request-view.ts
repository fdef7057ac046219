/**
 * A prepared write request as people are shown it (dry-run LOG lines, `write --sample`,
 * `write --test-record`): method, URL, headers and parsed body, with every secret masked.
 */
import type { HttpRequest, SecretRegistry } from '../services.js';
import type { HttpEvent } from '../types.js';
import { maskHeaders, maskUrl } from '../http/redact.js';
import { reportBody } from './sinks.js';

export interface RequestView {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export function viewRequest(request: HttpRequest, secrets: SecretRegistry): RequestView {
  const headers = maskHeaders(request.headers, secrets);
  const body = request.body === undefined ? undefined : reportBody(secrets.mask(request.body.toString()));
  // The body as it will be sent (only the run's secrets masked): it is what the user is checking.
  return { method: request.method, url: maskUrl(request.url, secrets), headers, body };
}

/** The same view of a request that was sent (an HTTP event, already masked by the client). */
export function viewHttpEvent(event: HttpEvent): RequestView {
  return {
    method: event.method,
    url: event.url,
    headers: { ...event.requestHeaders },
    body: event.requestBody === undefined ? undefined : reportBody(event.requestBody),
  };
}
