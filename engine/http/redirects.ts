/**
 * Redirects are followed here, hop by hop, rather than inside got: each hop is checked against
 * the origin it leaves, counted, and passed to the HTTP observers (--show-http, recordings) like any
 * other exchange. Credentials never follow a redirect to another origin, and a request body is
 * never re-sent to one.
 */
import { ManifoldError } from '../errors/manifold-error.js';
import type { HttpRequest, SecretRegistry } from '../services.js';
import type { RawResponse } from './client.js';
import { maskUrl } from './redact.js';

export const MAX_REDIRECTS = 10;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Headers that may cross to another origin. Everything else is dropped there: an API key can sit
 * in any header name (X-Api-Key, X-Shopify-Access-Token, Private-Token …), not only Authorization.
 */
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'accept-language', 'user-agent']);

/** The Location of a redirect response, or undefined when the response is not one to follow. */
export function redirectLocation(raw: RawResponse): string | undefined {
  if (!REDIRECT_STATUSES.has(raw.status)) return undefined;
  const location = raw.headers['location'];
  const value = Array.isArray(location) ? location[0] : location;
  return value ? String(value) : undefined;
}

export function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * The request a redirect asks for. Method and body change as browsers do (303: GET; 301/302 turn a
 * POST into a GET; 307/308 keep both). To another origin only the headers in CROSS_ORIGIN_HEADERS
 * go along, and a hop that would still carry a body, or a method other than GET/HEAD, is refused.
 */
export function redirectedRequest(request: HttpRequest, raw: RawResponse, location: string, secrets: SecretRegistry): HttpRequest {
  const from = `${request.method} ${maskUrl(request.url, secrets)}`;
  let target: URL;
  try {
    target = new URL(location, request.url);
  } catch {
    throw new ManifoldError(`${from} answered HTTP ${raw.status} with an invalid Location ${JSON.stringify(maskUrl(location, secrets))}; not following it.`, {
      failureType: 'system_error',
      stream: request.stream,
    });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new ManifoldError(`${from} answered HTTP ${raw.status} with a redirect to a ${target.protocol} URL; only http and https redirects are followed.`, {
      failureType: 'system_error',
      stream: request.stream,
    });
  }
  target.hash = '';
  let method = request.method.toUpperCase();
  let body = request.body;
  let headers = { ...request.headers };
  const toGet = (raw.status === 303 && method !== 'GET' && method !== 'HEAD') || ((raw.status === 301 || raw.status === 302) && method === 'POST');
  if (toGet) {
    method = 'GET';
    body = undefined;
    headers = withoutHeaders(headers, ['content-type', 'content-length', 'content-encoding']);
  }
  if (target.origin !== originOf(request.url)) {
    if (body !== undefined || (method !== 'GET' && method !== 'HEAD')) {
      throw new ManifoldError(
        `${from} answered HTTP ${raw.status} with a redirect to another origin (${target.origin}); refusing to re-send the ${method} request and its body there.`,
        { failureType: 'system_error', stream: request.stream },
      );
    }
    headers = Object.fromEntries(Object.entries(headers).filter(([name]) => CROSS_ORIGIN_HEADERS.has(name.toLowerCase())));
    // Some APIs copy the request's query into the Location: an API key in it stays behind.
    if (target.search && secrets.appearsIn(target.search)) {
      target.search = target.search
        .slice(1)
        .split('&')
        .filter((pair) => !secrets.appearsIn(pair))
        .join('&');
    }
  }
  return { ...request, method, url: target.href, headers, body };
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
}

/**
 * Sends `request` through `exchange` and follows redirects (at most MAX_REDIRECTS hops). Returns
 * the final response and the request that produced it.
 */
export async function followRedirects(
  request: HttpRequest,
  exchange: (hop: HttpRequest) => Promise<RawResponse>,
  secrets: SecretRegistry,
): Promise<{ raw: RawResponse; request: HttpRequest }> {
  let hop = request;
  for (let hops = 0; ; hops++) {
    const raw = await exchange(hop);
    const location = redirectLocation(raw);
    if (location === undefined) return { raw, request: hop };
    if (hops >= MAX_REDIRECTS) {
      throw new ManifoldError(`${request.method} ${maskUrl(request.url, secrets)} was redirected more than ${MAX_REDIRECTS} times; giving up.`, {
        failureType: 'system_error',
        stream: request.stream,
      });
    }
    hop = redirectedRequest(hop, raw, location, secrets);
  }
}
