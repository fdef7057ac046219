/**
 * A prepared write request as people are shown it (dry-run LOG lines, `write --sample`,
 * `write --test-record`): method, URL, headers and parsed body, with every secret masked.
 */
import type { HttpRequest, SecretRegistry } from '../services.js';
import type { HttpEvent } from '../types.js';
import { reportBody } from './sinks.js';

export interface RequestView {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Header names whose values are credentials whatever their content. */
const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token)$/i;

export function viewRequest(request: HttpRequest, secrets: SecretRegistry): RequestView {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = CREDENTIAL_HEADERS.test(name) ? '****' : secrets.mask(value);
  const body = request.body === undefined ? undefined : reportBody(secrets.mask(request.body.toString()));
  return { method: request.method, url: secrets.mask(request.url), headers, body };
}

/** The same view of a request that was sent (an HTTP event, already masked by the client). */
export function viewHttpEvent(event: HttpEvent): RequestView {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.requestHeaders)) headers[name] = CREDENTIAL_HEADERS.test(name) ? '****' : value;
  return { method: event.method, url: event.url, headers, body: event.requestBody === undefined ? undefined : reportBody(event.requestBody) };
}
