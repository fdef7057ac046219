/**
 * HttpRequestRegexMatcher: selects the requests a call-rate policy applies to, by method, URL base,
 * path regex, query params and headers (all given criteria must hold).
 */
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { MatchableRequest, RequestMatcher } from './policy.js';

export interface HttpRequestRegexMatcherOptions {
  method?: string | undefined;
  urlBase?: string | undefined;
  urlPathPattern?: RegExp | undefined;
  params?: Record<string, string> | undefined;
  headers?: Record<string, string> | undefined;
  weight?: number | undefined;
}

export class HttpRequestRegexMatcher implements RequestMatcher {
  readonly weight: number | undefined;
  private readonly method: string | undefined;
  private readonly origin: string | undefined;
  private readonly basePath: string;
  private readonly pathPattern: RegExp | undefined;
  private readonly params: Array<[string, string]>;
  private readonly headers: Array<[string, string]>;

  constructor(private readonly options: HttpRequestRegexMatcherOptions) {
    this.weight = options.weight;
    this.method = options.method?.toUpperCase();
    this.pathPattern = options.urlPathPattern;
    this.params = Object.entries(options.params ?? {});
    this.headers = Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]);
    if (options.urlBase) {
      const base = new URL(options.urlBase);
      this.origin = base.origin;
      // Airbyte compares scheme://host only; real manifests (freshdesk) put `/api/v2/` in url_base,
      // which Airbyte then never matches. Treating the path as a prefix does what their authors meant.
      this.basePath = base.pathname.replace(/\/+$/, '');
    } else {
      this.origin = undefined;
      this.basePath = '';
    }
  }

  matches(request: MatchableRequest): boolean {
    if (this.method !== undefined && request.method !== this.method) return false;
    const url = request.url;
    if (this.origin !== undefined || this.pathPattern || this.params.length) {
      if (!url) return false;
      const path = url.pathname.replace(/\/+$/, '');
      if (this.origin !== undefined) {
        if (url.origin !== this.origin) return false;
        if (this.basePath && path !== this.basePath && !path.startsWith(`${this.basePath}/`)) return false;
      }
      if (this.pathPattern && !this.pathPattern.test(path)) return false;
      for (const [name, value] of this.params) {
        // Python's parse_qsl + dict(): the last occurrence of a repeated param wins.
        const values = url.searchParams.getAll(name);
        if (values.length === 0 || values[values.length - 1] !== value) return false;
      }
    }
    for (const [name, value] of this.headers) if (request.headers[name] !== value) return false;
    return true;
  }

  describe(): string {
    const o = this.options;
    const parts = [
      o.method && `method=${o.method}`,
      o.urlBase && `url_base=${o.urlBase}`,
      o.urlPathPattern && `url_path_pattern=${o.urlPathPattern.source}`,
      this.params.length && `params=${JSON.stringify(o.params)}`,
      this.headers.length && `headers=${this.headers.map(([k]) => k).join(',')}`,
    ].filter(Boolean);
    return `HttpRequestRegexMatcher(${parts.join(', ')})`;
  }
}

/** Python `re` syntax that JS spells differently: named groups and inline flags at the start. */
function compilePythonRegex(source: string): RegExp {
  let flags = '';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    if (inline[1]!.includes('i')) flags += 'i';
    if (inline[1]!.includes('m')) flags += 'm';
    if (inline[1]!.includes('s')) flags += 's';
    source = source.slice(inline[0].length);
  }
  return new RegExp(source.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'), flags);
}

function stringMap(value: unknown, field: string, ctx: BuildContext): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw ctx.error(`${field} must be a mapping`, field);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

export function buildHttpRequestRegexMatcher(node: ManifestNode, ctx: BuildContext): HttpRequestRegexMatcher {
  let urlBase: string | undefined;
  if (node.url_base !== undefined && node.url_base !== null) {
    urlBase = InterpolatedString.create(node.url_base, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters });
    try {
      new URL(urlBase);
    } catch {
      throw ctx.error(`url_base must be an absolute URL like https://api.example.com, got "${urlBase}"`, 'url_base');
    }
  }
  let urlPathPattern: RegExp | undefined;
  if (typeof node.url_path_pattern === 'string' && node.url_path_pattern !== '') {
    try {
      urlPathPattern = compilePythonRegex(node.url_path_pattern);
    } catch (e) {
      throw ctx.error(`url_path_pattern is not a valid regular expression: ${(e as Error).message}`, 'url_path_pattern');
    }
  }
  const weight = node.weight === undefined || node.weight === null ? undefined : Number(node.weight);
  if (weight !== undefined && !(Number.isInteger(weight) && weight >= 1))
    throw ctx.error(`weight must be an integer >= 1, got ${String(node.weight)}`, 'weight');
  return new HttpRequestRegexMatcher({
    method: typeof node.method === 'string' ? node.method : undefined,
    urlBase,
    urlPathPattern,
    params: stringMap(node.params, 'params', ctx),
    headers: stringMap(node.headers, 'headers', ctx),
    weight,
  });
}

registerComponent(
  'HttpRequestRegexMatcher',
  buildHttpRequestRegexMatcher,
  'Selects the requests a call-rate policy applies to (method, url_base, path regex, params, headers).',
);
