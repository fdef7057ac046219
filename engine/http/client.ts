/**
 * The one place requests leave the process. got does the wire work (keep-alive, decompression,
 * timeouts) with its own retries off: the error handler's policy is the only retry policy. The
 * transport is pluggable so --record/--replay can sit underneath without components noticing.
 */
import http from 'node:http';
import https from 'node:https';
import type { Got } from 'got';
import { ConfigError, ManifoldError } from '../errors/manifold-error.js';
import { InvalidBodyError } from '../errors/invalid-body.js';
import type { EngineServices, HttpRequest, SecretRegistry } from '../services.js';
import type { HttpEvent, HttpResponse } from '../types.js';
import { bodyExcerpt, carriesMintedCredentials, maskBody, maskHeaders, maskUrl, scrubbedCause } from './redact.js';
import { followRedirects, redirectLocation } from './redirects.js';
import { DEFAULT_LIMITS, jsonDepthExceeds, LimitExceededError, type Limits } from '../limits/limits.js';
import { decodeContentEncoding, responseTooLarge } from './body-limits.js';

export type Headers = Record<string, string | string[] | undefined>;

/** What a transport returns: the response as received, body fully read. */
export interface RawResponse {
  url: string;
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface TransportContext {
  secrets: SecretRegistry;
  /** Body budgets (see engine/limits); unset: the defaults. */
  limits?: Limits | undefined;
}

export interface Transport {
  send(request: HttpRequest, context: TransportContext): Promise<RawResponse>;
}

const DEFAULT_TIMEOUT_MS = 300_000;

let gotClient: Promise<Got> | undefined;

/** got is imported on the first request: commands that send none (spec, validate) start faster. */
function client(): Promise<Got> {
  return (gotClient ??= import('got').then(({ default: got }) =>
    got.extend({
      retry: { limit: 0 },
      throwHttpErrors: false,
      responseType: 'buffer',
      // Content-Encoding is undone by decodeContentEncoding, within the decompressed-size budget.
      decompress: false,
      allowGetBody: true,
      // Redirects are followed hop by hop in redirects.ts, where each hop's origin is checked.
      followRedirect: false,
      agent: {
        http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
        https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
      },
    }),
  ));
}

/** Sends over the network with got. */
export const networkTransport: Transport = {
  async send(request, context) {
    const got = await client();
    const limits = context?.limits ?? DEFAULT_LIMITS;
    const pending = got(request.url, {
      method: request.method as 'GET',
      headers: withAcceptEncoding(request.headers),
      body: request.body,
      timeout: { request: request.timeoutMs ?? DEFAULT_TIMEOUT_MS },
      signal: request.signal,
    });
    // The body is cut off as it arrives once it passes the budget, not buffered whole first.
    let tooLarge = false;
    pending.on('downloadProgress', (progress: { transferred: number }) => {
      if (progress.transferred > limits.maxResponseBytes && !tooLarge) {
        tooLarge = true;
        pending.cancel();
      }
    });
    const what = `${request.method.toUpperCase()} ${context?.secrets ? maskUrl(request.url, context.secrets) : request.url}`;
    let response;
    try {
      response = await pending;
    } catch (e) {
      if (tooLarge) throw responseTooLarge(what, `${limits.maxResponseBytes} bytes`, limits);
      throw e;
    }
    const body = await decodeContentEncoding(response.rawBody, response.headers['content-encoding'], limits, what);
    return { url: response.url, status: response.statusCode, headers: response.headers, body };
  },
};

/** got asks for compressed bodies only when it decompresses them itself; we do, so we ask. */
function withAcceptEncoding(headers: Record<string, string>): Record<string, string> {
  if (Object.keys(headers).some((k) => k.toLowerCase() === 'accept-encoding')) return headers;
  return { 'accept-encoding': 'gzip, deflate, br', ...headers };
}

/** Turns a raw response into the HttpResponse components read (text/json/links decoded lazily). */
export function toHttpResponse(
  method: string,
  raw: RawResponse,
  secrets?: SecretRegistry,
  credentialResponse = false,
  maxDepth = DEFAULT_LIMITS.maxRecordDepth,
): HttpResponse {
  let text: string | undefined;
  let json: { value: unknown } | undefined;
  let links: Record<string, Record<string, string>> | undefined;
  const response: HttpResponse = {
    method,
    url: raw.url,
    status: raw.status,
    headers: raw.headers,
    body: raw.body,
    text: () => (text ??= raw.body.toString('utf8')),
    json: () => {
      if (!json) {
        if (jsonDepthExceeds(text ?? raw.body, maxDepth)) {
          throw new LimitExceededError(
            'maxRecordDepth',
            maxDepth,
            `${method} ${secrets ? maskUrl(raw.url, secrets) : raw.url} returned JSON nested more than ${maxDepth} levels deep`,
            {
              failureType: 'system_error',
            },
          );
        }
        try {
          // The decoded text is not kept when only JSON was asked for: it is as big as the body and
          // would otherwise live (and be promoted out of the young generation) as long as the response.
          json = { value: JSON.parse(text ?? raw.body.toString('utf8')) };
        } catch (e) {
          const type = String(raw.headers['content-type'] ?? 'unknown content type');
          const excerpt = bodyExcerpt(raw.body, secrets ?? EMPTY_SECRETS, 500, credentialResponse);
          // JSON.parse's message quotes the text it failed on: it is masked like the excerpt.
          throw new InvalidBodyError(
            `${method} ${secrets ? maskUrl(raw.url, secrets) : raw.url} returned HTTP ${raw.status} with a body that is not valid JSON (${type}): ${excerpt || '<empty body>'}`,
            { cause: scrubbedCause(e, secrets ?? EMPTY_SECRETS, credentialResponse) },
          );
        }
      }
      return json.value;
    },
    links: () => (links ??= parseLinkHeader(raw.headers['link'])),
  };
  return response;
}

const EMPTY_SECRETS = { mask: (s: string) => s } as SecretRegistry;

/** python-requests' `response.links`: keyed by rel (or url), each `{ url, rel, ...params }`. */
export function parseLinkHeader(header: string | string[] | undefined): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  if (!header) return out;
  const text = Array.isArray(header) ? header.join(', ') : header;
  for (const link of text.split(/,\s*(?=<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(link);
    if (!m) continue;
    const entry: Record<string, string> = { url: m[1]! };
    for (const param of m[2]!.split(';')) {
      const kv = /^\s*([^=\s]+)\s*=\s*"?([^"]*)"?\s*$/.exec(param);
      if (kv) entry[kv[1]!.toLowerCase()] = kv[2]!;
    }
    out[entry.rel ?? entry.url!] = entry;
  }
  return out;
}

/** Network failures worth retrying (connection reset, timeouts, DNS hiccups). */
export class NetworkError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

/** Errors Node raises while building a request: the request is wrong, so no retry can help. */
const LOCAL_REQUEST_ERRORS: Record<string, string> = {
  ERR_INVALID_CHAR:
    'a header value contains a character HTTP forbids (CR, LF or another control character); check request_headers, the authenticator and the config values they use',
  ERR_INVALID_HTTP_TOKEN: 'a header name is not a valid HTTP token (spaces or separators in it); check request_headers',
  ERR_HTTP_INVALID_HEADER_VALUE: 'a header has no usable value; check request_headers and the config values they use',
  ERR_UNSUPPORTED_PROTOCOL: 'the URL scheme is not http or https; check url_base',
};

export class HttpClient {
  constructor(private readonly services: EngineServices) {}

  /**
   * One attempt: budget, transport (redirects followed hop by hop), events. Throws NetworkError on
   * a failed exchange.
   */
  async send(request: HttpRequest, attempt = 1): Promise<HttpResponse> {
    const { services } = this;
    const queued = services.budget ? Date.now() : 0;
    await services.budget?.acquire(request, request.signal);
    const rateLimitWaitMs = services.budget ? Date.now() - queued : 0;
    const { raw, request: final } = await followRedirects(
      request,
      (hop) => this.exchange(hop, attempt, hop === request ? rateLimitWaitMs : 0),
      services.secrets,
    );
    return toHttpResponse(
      final.method,
      { ...raw, url: final.url },
      services.secrets,
      carriesMintedCredentials(request, raw.status),
      (services.limits ?? DEFAULT_LIMITS).maxRecordDepth,
    );
  }

  private async exchange(request: HttpRequest, attempt: number, rateLimitWaitMs: number): Promise<RawResponse> {
    const { services } = this;
    const transport = services.transport ?? networkTransport;
    const started = Date.now();
    let raw: RawResponse;
    try {
      const exchange = () => transport.send(request, { secrets: services.secrets, limits: services.limits });
      raw = await (services.requestLimit ? services.requestLimit(exchange) : exchange());
    } catch (e) {
      if (request.signal?.aborted || (e as Error).name === 'AbortError') throw e;
      if (e instanceof ManifoldError) throw e;
      const err = e as Error & { code?: string };
      const code = err.code ?? 'ERR_NETWORK';
      // A URL that cannot be parsed comes from the manifest or config: retrying cannot help.
      if (code === 'ERR_INVALID_URL') {
        throw new ConfigError(
          `Invalid request URL ${services.secrets.mask(JSON.stringify(request.url))}: check the url_base/path templates and the config values they use`,
        );
      }
      // Refused before anything was sent, for a reason in the request itself: fail now, say why.
      const local = LOCAL_REQUEST_ERRORS[code];
      if (local) {
        throw new ConfigError(`${request.method} ${maskUrl(request.url, services.secrets)} cannot be sent: ${local} (${services.secrets.mask(err.message)})`, {
          stream: request.stream,
        });
      }
      this.fire(request, attempt, started, undefined, `${code}: ${err.message}`, rateLimitWaitMs);
      // got's error carries the request options (headers, URL): only its masked message goes along.
      throw new NetworkError(code, services.secrets.mask(err.message), { cause: scrubbedCause(e, services.secrets) });
    }
    services.budget?.observe?.(request, raw.status, raw.headers);
    const limits = services.limits ?? DEFAULT_LIMITS;
    // Any transport (a replay folder too) answers within the budget.
    if (raw.body.length > Math.max(limits.maxResponseBytes, limits.maxDecompressedBytes)) {
      throw responseTooLarge(`${request.method.toUpperCase()} ${maskUrl(request.url, services.secrets)}`, `${raw.body.length} bytes`, limits);
    }
    this.fire(request, attempt, started, raw, undefined, rateLimitWaitMs);
    return raw;
  }

  private fire(request: HttpRequest, attempt: number, started: number, raw?: RawResponse, error?: string, rateLimitWaitMs = 0): void {
    const listeners = this.services.onHttp;
    if (listeners.length === 0) return;
    const { secrets } = this.services;
    const event: HttpEvent = {
      stream: request.stream,
      method: request.method,
      url: maskUrl(request.url, secrets),
      requestHeaders: maskHeaders(request.headers, secrets),
      requestBody: request.body === undefined ? undefined : maskBody(request.body.toString(), secrets),
      redirectTo: raw ? redirectTarget(raw, request.url, secrets) : undefined,
      status: raw?.status,
      responseHeaders: raw ? maskHeaders(raw.headers, secrets) : undefined,
      attempt,
      durationMs: Date.now() - started,
      error: error === undefined ? undefined : secrets.mask(error),
    };
    // A few ms is the cost of asking the budget, not a hold.
    if (rateLimitWaitMs >= 5) event.rateLimitWaitMs = rateLimitWaitMs;
    if (raw) {
      // Masking a whole page is costly; only listeners that look at the body pay for it.
      let masked: Buffer | undefined;
      Object.defineProperty(event, 'responseBody', {
        enumerable: true,
        get: () => (masked ??= Buffer.from(maskBody(raw.body.toString('utf8'), secrets, carriesMintedCredentials(request, raw.status)))),
      });
    }
    for (const listener of listeners) listener(event);
  }
}

function redirectTarget(raw: RawResponse, from: string, secrets: SecretRegistry): string | undefined {
  const location = redirectLocation(raw);
  if (location === undefined) return undefined;
  try {
    return maskUrl(new URL(location, from).href, secrets);
  } catch {
    return maskUrl(location, secrets);
  }
}

const clients = new WeakMap<EngineServices, HttpClient>();

/** The client of one run (shared by every requester and authenticator of it). */
export function httpClientFor(services: EngineServices): HttpClient {
  let client = clients.get(services);
  if (!client) clients.set(services, (client = new HttpClient(services)));
  return client;
}
