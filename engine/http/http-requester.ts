/**
 * HttpRequester: turns (slice, page token, contributions of paginator/cursor/routers) into an HTTP
 * request, authenticates it and sends it under the error handler's retry policy.
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Authenticator, QueryPropertyChunks, Requester, SendArgs } from '../contracts.js';
import type { ErrorHandler } from '../errors/error-handler.js';
import type { InterpolationContext } from '../interpolation/index.js';
import { InterpolatedString } from '../interpolation/index.js';
import type { EngineServices, HttpRequest } from '../services.js';
import { sliceView, type HttpResponse, type Obj, type RequestOptions } from '../types.js';
import type { RequestBody } from './request-body.js';
import { FlatInputs, JsonInputs } from './request-inputs.js';
import { sendWithRetries } from './send-with-retries.js';
import { encodeForm, isAbsoluteUrl, joinUrl, normalizePath, paramsNotInUrl, withQuery } from './url.js';
import { originOf as originOfUrl } from './redirects.js';
import { maskUrl } from './redact.js';
import { ManifoldError } from '../errors/manifold-error.js';
import { emptyValueHint } from '../interpolation/empty-value-hint.js';
import { UrlTemplate } from './url-template.js';
import { getOrigin, setOrigin } from '../manifest/locations.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

interface RequesterParts {
  urlBase: UrlTemplate | undefined;
  url: UrlTemplate | undefined;
  path: UrlTemplate | undefined;
  /** The path as written, for messages. */
  pathSource?: string | undefined;
  method: string;
  params: FlatInputs;
  headers: FlatInputs;
  bodyJson: JsonInputs;
  bodyData: FlatInputs;
  bodyText: InterpolatedString | undefined;
  /** The request parameter that carries the QueryProperties chunk, if any. */
  queryPropertiesParam?: string | undefined;
}

export class HttpRequester implements Requester {
  constructor(
    private readonly parts: RequesterParts,
    private readonly config: Obj,
    private readonly parameters: Obj,
    private readonly services: EngineServices,
    private readonly errorHandler: ErrorHandler,
    private readonly authenticator: Authenticator | undefined,
    readonly queryProperties?: QueryPropertyChunks | undefined,
  ) {}

  async send(args: SendArgs): Promise<HttpResponse | undefined> {
    const base = this.baseOptions(args);
    return sendWithRetries(() => this.finish(base, args), {
      services: this.services,
      errorHandler: this.errorHandler,
      authenticator: this.authenticator,
      signal: args.signal,
      checkBody: args.checkBody,
      idempotent: args.idempotent,
    });
  }

  prepare(args: SendArgs): Promise<HttpRequest> {
    return this.finish(this.baseOptions(args), args);
  }

  credentialOrigin(args: SendArgs): string | undefined {
    // Only what the manifest and the person running it chose decides where credentials may go:
    // next-page tokens and async job responses come from the API.
    const ctx: InterpolationContext = {
      config: this.config,
      parameters: this.parameters,
      stream_slice: sliceView(stripResponseFields(args.slice)),
      next_page_token: undefined,
    };
    // `url`, when set, is what the request goes to (url_base only completes a RequestPath link).
    for (const template of [this.parts.url, this.parts.urlBase]) {
      try {
        const origin = template ? originOfUrl(template.render(ctx)) : undefined;
        if (origin) return origin;
      } catch {
        // Rendering needs a response-derived value: not where credentials are decided.
      }
    }
    return args.trustedOrigin;
  }

  /** Origins this requester already warned about (once each). */
  private readonly warnedOrigins = new Set<string>();

  private context(args: SendArgs): InterpolationContext {
    const ctx: InterpolationContext = {
      config: this.config,
      parameters: this.parameters,
      stream_slice: sliceView(args.slice),
      next_page_token: args.nextPageToken,
    };
    const extra = args.slice.extra_fields;
    // AsyncRetriever's job responses reach its requesters' templates as top-level names (as in Airbyte).
    if (extra && (extra.creation_response !== undefined || extra.polling_response !== undefined || extra.download_target !== undefined)) {
      ctx.creation_response = extra.creation_response;
      ctx.polling_response = extra.polling_response;
      ctx.download_target = extra.download_target;
    }
    return ctx;
  }

  /** Everything but auth, which may change between attempts (token refresh after a 401). */
  private baseOptions(args: SendArgs): { url: string; own: Partial<RequestOptions> } {
    const ctx = this.context(args);
    const { parts } = this;
    const own: Partial<RequestOptions> = {
      params: parts.params.isEmpty ? {} : parts.params.eval(ctx),
      headers: parts.headers.isEmpty ? {} : stringValues(parts.headers.eval(ctx)),
    };
    if (parts.queryPropertiesParam) {
      const chunk = args.slice.extra_fields?.query_properties;
      if (Array.isArray(chunk)) own.params![parts.queryPropertiesParam] = chunk.join(',');
    }
    if (!parts.bodyJson.isEmpty) own.bodyJson = parts.bodyJson.eval(ctx);
    else if (parts.bodyText) own.bodyData = parts.bodyText.evalString(ctx);
    else if (!parts.bodyData.isEmpty) own.bodyData = parts.bodyData.eval(ctx);
    return { url: this.url(ctx, args.pathOverride, args.stream), own };
  }

  /** A path part that renders empty (`/projects//tasks`) is reported once, with what it could have used. */
  private emptyPathReported = false;

  private url(ctx: InterpolationContext, pathOverride: string | undefined, stream?: string): string {
    const { urlBase, url, path } = this.parts;
    const base = urlBase?.render(ctx) ?? '';
    if (pathOverride) {
      if (isAbsoluteUrl(pathOverride)) return pathOverride;
      return joinUrl(base || originOf(url?.render(ctx) ?? ''), normalizePath(pathOverride));
    }
    if (url) return url.render(ctx);
    const onEmpty = this.emptyPathReported
      ? undefined
      : (source: string): void => {
          const hint = emptyValueHint(source, ctx as Obj);
          if (!hint || this.emptyPathReported) return;
          this.emptyPathReported = true;
          this.services.logger.warn(`${stream ? `Stream "${stream}": ` : ''}path ${JSON.stringify(this.parts.pathSource)} has an empty part: ${hint}`);
        };
    return joinUrl(base, normalizePath(path?.render(ctx, onEmpty) ?? ''));
  }

  private async finish(base: { url: string; own: Partial<RequestOptions> }, args: SendArgs): Promise<HttpRequest> {
    const trusted = this.credentialOrigin(args);
    // APIs behind a TLS-terminating proxy often write their next-page links as http:// on their own
    // host: such a link is followed over https rather than sending anything in clear text.
    const requestUrl = upgradedToTrustedScheme(base.url, trusted);
    if (requestUrl !== base.url) base = { ...base, url: requestUrl };
    const target = originOfUrl(base.url);
    // Credentials go only to their own origin; a URL the API handed us (next page, download target)
    // on another origin gets the request without them (see docs/security.md).
    const foreign = target === undefined || target !== trusted;
    const auth =
      this.authenticator && args.withoutAuth
        ? { headers: { 'X-Manifold-Auth': 'omitted in dry run (added when sending)' } }
        : this.authenticator && !foreign
          ? await this.authenticator.authOptions(args.signal)
          : {};
    const merged = mergeOptions([base.own, auth, ...args.extra]);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(merged.headers)) if (v !== undefined && v !== null && v !== '') headers[k] = String(v);
    let body: string | undefined;
    if (merged.bodyJson !== undefined) {
      body = JSON.stringify(merged.bodyJson);
      setDefaultHeader(headers, 'Content-Type', 'application/json');
    } else if (typeof merged.bodyData === 'string') {
      if (merged.bodyData !== '') body = merged.bodyData;
    } else if (merged.bodyData) {
      body = encodeForm(merged.bodyData);
      setDefaultHeader(headers, 'Content-Type', 'application/x-www-form-urlencoded');
    }
    let url = withQuery(base.url, encodeForm(paramsNotInUrl(base.url, merged.params)));
    if (foreign) {
      const withheld = this.withoutSecrets(headers, url, body, args);
      url = withheld.url;
      if ((withheld.stripped || this.authenticator) && target !== undefined && !this.warnedOrigins.has(target)) {
        this.warnedOrigins.add(target);
        this.services.logger.warn(
          `${args.stream ? `Stream "${args.stream}": ` : ''}${maskUrl(url, this.services.secrets)} is not on the origin its credentials belong to (${trusted ?? 'none'}); sent without credentials.`,
        );
      }
    }
    return {
      method: this.parts.method,
      url,
      headers,
      body,
      stream: args.stream,
      signal: args.signal,
      credentialResponse: args.credentialResponse,
    };
  }

  /**
   * For a request to a foreign origin: headers and query parameters that carry a secret (in any
   * form) are removed; a body that carries one is refused.
   */
  private withoutSecrets(headers: Record<string, string>, url: string, body: string | undefined, args: SendArgs): { url: string; stripped: boolean } {
    const { secrets } = this.services;
    let stripped = false;
    for (const [name, value] of Object.entries(headers)) {
      if (secrets.appearsIn(value) || secrets.appearsIn(name)) {
        delete headers[name];
        stripped = true;
      }
    }
    const q = url.indexOf('?');
    if (q >= 0) {
      const pairs = url.slice(q + 1).split('&');
      const kept = pairs.filter((pair) => !secrets.appearsIn(pair));
      if (kept.length !== pairs.length) {
        stripped = true;
        url = kept.length ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
      }
    }
    if (body !== undefined && secrets.appearsIn(body)) {
      throw new ManifoldError(
        `${args.stream ? `Stream "${args.stream}": ` : ''}refusing to send a request body that carries a secret to ${maskUrl(url, secrets)}, which is not on the origin its credentials belong to.`,
        { failureType: 'config_error', stream: args.stream },
      );
    }
    return { url, stripped };
  }
}

/** `http://host/…` → `https://host/…` when the trusted origin is `https://host` (default ports only). */
function upgradedToTrustedScheme(url: string, trusted: string | undefined): string {
  if (!trusted?.startsWith('https://') || !url.startsWith('http://')) return url;
  try {
    const parsed = new URL(url);
    if (parsed.port !== '' || `https://${parsed.host}` !== trusted) return url;
    parsed.protocol = 'https:';
    return parsed.href;
  } catch {
    return url;
  }
}

/** The slice without the async job's response data (download_target & co. come from the API). */
function stripResponseFields(slice: SendArgs['slice']): SendArgs['slice'] {
  const extra = slice.extra_fields;
  if (!extra || (extra.creation_response === undefined && extra.polling_response === undefined && extra.download_target === undefined)) return slice;
  const { creation_response: _c, polling_response: _p, download_target: _d, ...rest } = extra;
  return { ...slice, extra_fields: rest };
}

function stringValues(fields: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null && v !== '') out[k] = Array.isArray(v) ? v.join(',') : String(v);
  return out;
}

function setDefaultHeader(headers: Record<string, string>, name: string, value: string): void {
  const lower = name.toLowerCase();
  if (!Object.keys(headers).some((k) => k.toLowerCase() === lower)) headers[name] = value;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** Later contributions win per key; JSON bodies merge at the top level like Airbyte's combine. */
export function mergeOptions(list: Array<Partial<RequestOptions> | undefined>): RequestOptions {
  const out: RequestOptions = { params: {}, headers: {} };
  for (const o of list) {
    if (!o) continue;
    if (o.params) Object.assign(out.params, o.params);
    if (o.headers) Object.assign(out.headers, o.headers);
    if (o.bodyJson !== undefined) {
      out.bodyJson =
        Array.isArray(o.bodyJson) || Array.isArray(out.bodyJson) || !out.bodyJson
          ? Array.isArray(o.bodyJson)
            ? o.bodyJson
            : { ...o.bodyJson }
          : { ...out.bodyJson, ...o.bodyJson };
    }
    if (o.bodyData !== undefined) {
      out.bodyData =
        typeof o.bodyData === 'string' || typeof out.bodyData !== 'object' || !out.bodyData
          ? typeof o.bodyData === 'string'
            ? o.bodyData
            : { ...o.bodyData }
          : { ...out.bodyData, ...o.bodyData };
    }
  }
  return out;
}

/** Runs (by their services) already told that use_cache is not honoured: once per run is enough. */
const toldAboutCache = new WeakSet<object>();

export function buildHttpRequester(node: ManifestNode, ctx: BuildContext): HttpRequester {
  const method = String(node.http_method ?? 'GET').toUpperCase();
  // Airbyte caches responses of requesters with use_cache (mostly parents shared by substreams).
  // We send every request: the records are the same, only the request count differs.
  if (node.use_cache === true && !toldAboutCache.has(ctx.services)) {
    toldAboutCache.add(ctx.services);
    ctx.services.logger.info(`${ctx.path}: use_cache is accepted but responses are not cached; every request is sent`);
  }
  if (!METHODS.includes(method)) throw ctx.error(`http_method must be one of ${METHODS.join(', ')} (got "${method}")`, 'http_method');
  if (node.url_base === undefined && node.url === undefined) throw ctx.error('HttpRequester needs url_base (or url)', 'url_base');
  if (node.request_body_json !== undefined && node.request_body_data !== undefined) {
    throw ctx.error('HttpRequester accepts request_body_json or request_body_data, not both', 'request_body_json');
  }
  let bodyJsonSource = node.request_body_json;
  let bodyDataSource = node.request_body_data;
  let bodyText: InterpolatedString | undefined;
  if (node.request_body !== undefined && node.request_body !== null) {
    const body = ctx.build<RequestBody>(node.request_body, 'request_body', 'RequestBodyJsonObject');
    if (body.kind === 'json') bodyJsonSource = body.value;
    else if (body.kind === 'form') bodyDataSource = body.value;
    else bodyText = InterpolatedString.create(body.value, { parameters: ctx.parameters });
  }
  if (typeof bodyDataSource === 'string') {
    bodyText = InterpolatedString.create(bodyDataSource, { parameters: ctx.parameters });
    bodyDataSource = undefined;
  }
  const { params: paramsSource, queryPropertiesParam } = splitQueryProperties(node.request_parameters);
  const parts: RequesterParts = {
    urlBase: node.url_base === undefined ? undefined : new UrlTemplate(node.url_base, 'url', ctx.parameters, 'url_base'),
    url: node.url === undefined ? undefined : new UrlTemplate(node.url, 'url', ctx.parameters, 'url'),
    path: node.path === undefined ? undefined : new UrlTemplate(node.path, 'path', ctx.parameters, 'path'),
    pathSource: node.path === undefined ? undefined : String(node.path),
    method,
    params: new FlatInputs(paramsSource, ctx, 'request_parameters', true),
    headers: new FlatInputs(node.request_headers, ctx, 'request_headers', false),
    bodyJson: new JsonInputs(bodyJsonSource, ctx),
    bodyData: new FlatInputs(bodyDataSource, ctx, 'request_body_data', true),
    bodyText,
    queryPropertiesParam,
  };
  const errorHandler = ctx.build<ErrorHandler>(node.error_handler ?? {}, 'error_handler', 'DefaultErrorHandler');
  const authenticator = ctx.buildOptional<Authenticator>(withApiUrl(node.authenticator, node.url_base), 'authenticator');
  if (node.fetch_properties_from_endpoint !== undefined) {
    ctx.services.logger.warn(`${ctx.path}: fetch_properties_from_endpoint is not supported and is ignored; use QueryProperties in request_parameters.`);
  }
  const queryProperties = queryPropertiesParam
    ? ctx.build<QueryPropertyChunks>((node.request_parameters as Obj)[queryPropertiesParam], 'request_parameters', 'QueryProperties')
    : undefined;
  return new HttpRequester(parts, ctx.config, ctx.parameters, ctx.services, errorHandler, authenticator, queryProperties);
}

/** A QueryProperties value in request_parameters is no template: the requester fills it per chunk. */
function splitQueryProperties(params: unknown): { params: unknown; queryPropertiesParam: string | undefined } {
  if (!params || typeof params !== 'object' || Array.isArray(params)) return { params, queryPropertiesParam: undefined };
  const entry = Object.entries(params).find(([, v]) => v !== null && typeof v === 'object' && (v as Obj).type === 'QueryProperties');
  if (!entry) return { params, queryPropertiesParam: undefined };
  const rest = { ...(params as Obj) };
  delete rest[entry[0]];
  return { params: rest, queryPropertiesParam: entry[0] };
}

/** LegacySessionTokenAuthenticator's login/validate paths are relative to this requester's url_base. */
function withApiUrl(auth: unknown, urlBase: unknown): unknown {
  if (!auth || typeof auth !== 'object' || (auth as ManifestNode).type !== 'LegacySessionTokenAuthenticator' || 'api_url' in auth) return auth;
  const copy = { ...(auth as ManifestNode), api_url: urlBase };
  const origin = getOrigin(auth);
  if (origin) setOrigin(copy, origin);
  return copy;
}

registerComponent('HttpRequester', buildHttpRequester, 'Builds and sends HTTP requests (url, params, headers, body, auth, retries).');
