/**
 * URL and form encoding with the same results as Airbyte's Python stack (urllib `urljoin`-style
 * joining in HttpRequester, `urlencode(doseq=True)` in requests), so recorded requests and API
 * signatures match what the Python CDK would send.
 */
import { ManifoldError } from '../errors/manifold-error.js';

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

export function isAbsoluteUrl(s: string): boolean {
  return ABSOLUTE_URL.test(s);
}

/** Airbyte's `get_path()`: one leading slash dropped, a trailing one kept. */
export function normalizePath(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}

/** Joins url_base and path without duplicate or missing slashes; an absolute path wins. */
export function joinUrl(base: string, path: string): string {
  if (!path) return base;
  if (isAbsoluteUrl(path)) return path;
  if (!base) return path;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Python's `quote_plus(s, safe='')`: everything but `A-Za-z0-9_.-~` escaped, spaces as `+`. */
export function quotePlus(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Values as Python's str() renders them, which is what requests sends for non-strings. */
export function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return pythonRepr(value);
}

function pythonRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
      .join(', ')}}`;
  }
  return pythonStr(value);
}

/**
 * A rendered request value that is a Python/JSON list literal ("[1,2]", "['a', 'b']") becomes a
 * list, like Airbyte's literal_eval restricted to (str, list); anything else stays text.
 */
export function listFromLiteral(text: string): unknown[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return Array.isArray(v) ? v : undefined;
  } catch {
    // Python repr of a list of strings/numbers: single quotes, True/False/None.
    const items: unknown[] = [];
    const body = t.slice(1, -1).trim();
    if (!body) return [];
    const item = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?)|(True|False|None))\s*(,|$)/y;
    let pos = 0;
    while (pos < body.length) {
      item.lastIndex = pos;
      const m = item.exec(body);
      if (!m) return undefined;
      if (m[1] !== undefined) items.push(m[1].replace(/\\(.)/g, '$1'));
      else if (m[2] !== undefined) items.push(m[2].replace(/\\(.)/g, '$1'));
      else if (m[3] !== undefined) items.push(Number(m[3]));
      else items.push(m[4] === 'True' ? true : m[4] === 'False' ? false : null);
      pos = item.lastIndex;
      if (m[5] === '') break;
    }
    return items;
  }
}

/** True for values requests leaves out of a query string or form (None, and empty renders). */
export function isDroppedValue(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** `urlencode(doseq=True)`: list values repeat the key; None/'' dropped. */
export function encodeForm(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (isDroppedValue(value)) continue;
    const k = quotePlus(key);
    if (Array.isArray(value)) {
      for (const v of value) if (!isDroppedValue(v)) parts.push(`${k}=${quotePlus(pythonStr(v))}`);
    } else if (typeof value === 'object') {
      throw new ManifoldError(`Invalid value for \`${key}\` parameter. The values of request params cannot be an object.`, {
        failureType: 'config_error',
      });
    } else {
      parts.push(`${k}=${quotePlus(pythonStr(value))}`);
    }
  }
  return parts.join('&');
}

/**
 * Request parameters minus those the URL's query already carries with the same value, the rule of
 * the CDK's HTTP client (a next-page URL from the API usually repeats `per_page` and friends). The
 * URL's first value of a key is compared with the parameter's Python str(); blank URL values don't
 * count. A parameter with a different value is kept and sent alongside.
 */
export function paramsNotInUrl(url: string, params: Record<string, unknown>): Record<string, unknown> {
  const inUrl = firstQueryValues(url);
  if (inUrl.size === 0) return params;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const present = inUrl.get(key);
    if (present !== undefined && pythonStr(value) === present) continue;
    out[key] = value;
  }
  return out;
}

/** Python's parse_qs(query) reduced to each key's first value: `+` is a space, `k=` and bare `k` skipped. */
function firstQueryValues(url: string): Map<string, string> {
  const out = new Map<string, string>();
  const hash = url.indexOf('#');
  const withoutFragment = hash >= 0 ? url.slice(0, hash) : url;
  const q = withoutFragment.indexOf('?');
  if (q < 0) return out;
  for (const pair of withoutFragment.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || eq === pair.length - 1) continue;
    const key = unquotePlus(pair.slice(0, eq));
    if (!out.has(key)) out.set(key, unquotePlus(pair.slice(eq + 1)));
  }
  return out;
}

/** Python's unquote_plus: malformed escapes stay as they are. */
function unquotePlus(s: string): string {
  return s.replace(/\+/g, ' ').replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** Appends an encoded query to a URL that may already carry one (a next-page URL). */
export function withQuery(url: string, query: string): string {
  if (!query) return url;
  const hash = url.indexOf('#');
  const base = hash >= 0 ? url.slice(0, hash) : url;
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return base + sep + query;
}

/**
 * A value interpolated after the host, as Airbyte's CDK sends it: inserted as it is (a `/` adds a
 * path segment, `?` starts the query, `#` a fragment that is not sent), with what a URL path or
 * query cannot hold percent-encoded the way `requests` prepares a URL (urllib3 keeps unreserved
 * characters, sub-delimiters, `:@/?` and valid `%XX` escapes and encodes every other byte of the
 * UTF-8 text, every `%` too when one of them is not an escape; escapes of unreserved characters
 * are then decoded). Used for partition values (url-template.ts); credentials still go only to the
 * url_base's origin (see http-requester.ts), whatever path a value produces.
 */
export function requoteUri(value: string): string {
  const escapesValid = !/%(?![0-9A-Fa-f]{2})/.test(value);
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 128 && (URL_CHARS.test(c) || (c === '%' && escapesValid)) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out.replace(/%([0-9A-Fa-f]{2})/g, (m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : m.toUpperCase();
  });
}

const UNRESERVED = /^[A-Za-z0-9._~-]$/;
/** RFC 3986 path/query characters (and the `#` that ends them), `%` aside. */
const URL_CHARS = /^[A-Za-z0-9._~\-!$&'()*+,;=:@/?#]$/;

/**
 * Encodes an interpolated value that lands inside a URL path so it stays one segment: `/`, `?`,
 * `#`, `%` and friends are escaped. A bare `.` or `..` cannot be made harmless by escaping (URL
 * parsers treat `%2E%2E` as `..` too), so it is refused.
 */
export function encodePathSegment(value: string, what: string): string {
  if (value === '.' || value === '..') {
    throw new ManifoldError(`${what} rendered "${value}" inside a URL path, which would change the path; refusing to send the request.`, {
      failureType: 'config_error',
    });
  }
  return encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%40/g, '@').replace(/%2C/gi, ',');
}

/** A value interpolated into the host part must be a host name (or port), never more. */
export function checkHostPart(value: string, what: string): string {
  if (!/^[A-Za-z0-9._\-:[\]]*$/.test(value)) {
    throw new ManifoldError(`${what} rendered "${value}" inside the URL host, which is not a valid host name.`, {
      failureType: 'config_error',
    });
  }
  return value;
}
