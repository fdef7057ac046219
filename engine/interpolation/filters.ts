/**
 * Jinja built-in filters and tests used by manifests, plus Airbyte's filters (filters.py):
 * hash, base64encode, base64decode, base64binascii_decode, string, regex_search, regex_replace, hmac.
 */
import { createHash, createHmac, getHashes } from 'node:crypto';
import {
  PyCallable,
  TemplateRuntimeError,
  isPlainObject,
  pyCompare,
  pyContains,
  pyEquals,
  pyFloat,
  pyInt,
  pyIter,
  pyLen,
  pyStr,
  truthy,
} from './python-values.js';
import { PyDate, PyDateTime } from './datetime.js';
import { ensureTemplateSize } from './size-guard.js';

export type Kwargs = Record<string, unknown> | undefined;
export type Filter = (value: unknown, args: unknown[], kwargs: Kwargs) => unknown;
export type Test = (value: unknown, args: unknown[]) => boolean;

function arg(args: unknown[], kwargs: Kwargs, index: number, name: string, fallback?: unknown): unknown {
  if (args.length > index) return args[index];
  if (kwargs && Object.hasOwn(kwargs, name)) return kwargs[name];
  return fallback;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : pyStr(v);
}

/** Python json.dumps (default separators, ensure_ascii). */
export function pyJsonDumps(v: unknown, sortKeys = false): string {
  const enc = (x: unknown): string => {
    if (x === null || x === undefined) return 'null';
    if (typeof x === 'boolean') return x ? 'true' : 'false';
    if (typeof x === 'number') return Number.isFinite(x) ? pyStr(x) : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
    if (typeof x === 'string') return JSON.stringify(x).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (Array.isArray(x)) return `[${x.map(enc).join(', ')}]`;
    if (isPlainObject(x)) {
      const keys = Object.keys(x);
      if (sortKeys) keys.sort();
      return `{${keys.map((k) => `${enc(k)}: ${enc(x[k])}`).join(', ')}}`;
    }
    throw new TemplateRuntimeError(`Object of type ${x instanceof PyDateTime ? 'datetime' : x instanceof PyDate ? 'date' : 'object'} is not JSON serializable`);
  };
  return enc(v);
}

/** Python `re` syntax → JS RegExp source (named groups, \A, \Z). */
export function pyRegex(pattern: string, flags = ''): RegExp {
  const source = pattern
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  return new RegExp(source, flags);
}

const regexCache = new Map<string, RegExp>();
function cachedRegex(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  let re = regexCache.get(key);
  if (!re) {
    try {
      re = pyRegex(pattern, flags);
    } catch (e) {
      // The pattern is manifest text: an invalid one is the author's error, not an engine crash.
      throw new TemplateRuntimeError(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
    }
    if (regexCache.size < 500) regexCache.set(key, re);
  }
  return re;
}

function pyReplacement(repl: string): string {
  return repl
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\d+)>/g, '$$$1')
    .replace(/\\g<(\w+)>/g, '$$<$1>')
    .replace(/\\(\d+)/g, '$$$1')
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t')
    .replace(/\\\\/g, '\\');
}

/** urllib.parse.quote with Jinja's url_quote rules. */
export function urlQuote(v: unknown, safe: string, plusForSpace: boolean): string {
  const s = str(v);
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.\-~]/.test(c) || safe.includes(c)) out += c;
    else if (c === ' ' && plusForSpace) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function attrGetter(attribute: unknown): (v: unknown) => unknown {
  const parts = String(attribute).split('.');
  return (v) => {
    let cur = v;
    for (const p of parts) {
      if (Array.isArray(cur) && /^-?\d+$/.test(p)) cur = cur[Number(p)];
      else if (isPlainObject(cur)) cur = Object.hasOwn(cur, p) ? cur[p] : undefined;
      else return undefined;
    }
    return cur;
  };
}

export const TESTS: Record<string, Test> = {
  none: (v) => v === null,
  defined: (v) => v !== undefined,
  undefined: (v) => v === undefined,
  true: (v) => v === true,
  false: (v) => v === false,
  boolean: (v) => typeof v === 'boolean',
  number: (v) => typeof v === 'number',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  string: (v) => typeof v === 'string',
  mapping: (v) => isPlainObject(v),
  sequence: (v) => typeof v === 'string' || Array.isArray(v) || isPlainObject(v),
  iterable: (v) => typeof v === 'string' || Array.isArray(v) || isPlainObject(v),
  callable: (v) => v instanceof PyCallable,
  even: (v) => Number(v) % 2 === 0,
  odd: (v) => Math.abs(Number(v) % 2) === 1,
  divisibleby: (v, a) => Number(v) % Number(a[0]) === 0,
  eq: (v, a) => pyEquals(v, a[0]),
  ne: (v, a) => !pyEquals(v, a[0]),
  lt: (v, a) => pyCompare(v, a[0]) < 0,
  le: (v, a) => pyCompare(v, a[0]) <= 0,
  gt: (v, a) => pyCompare(v, a[0]) > 0,
  ge: (v, a) => pyCompare(v, a[0]) >= 0,
  in: (v, a) => pyContains(a[0], v),
  sameas: (v, a) => v === a[0],
  lower: (v) => typeof v === 'string' && v === v.toLowerCase(),
  upper: (v) => typeof v === 'string' && v === v.toUpperCase(),
  escaped: () => false,
};
Object.assign(TESTS, {
  '==': TESTS.eq,
  equalto: TESTS.eq,
  '!=': TESTS.ne,
  '<': TESTS.lt,
  lessthan: TESTS.lt,
  '<=': TESTS.le,
  '>': TESTS.gt,
  greaterthan: TESTS.gt,
  '>=': TESTS.ge,
});

function applyTest(name: unknown, value: unknown, args: unknown[]): boolean {
  if (name === undefined) return truthy(value);
  const t = Object.hasOwn(TESTS, String(name)) ? TESTS[String(name)] : undefined;
  if (!t) throw new TemplateRuntimeError(`No test named '${String(name)}'.`);
  return t(value, args);
}

function selectBy(value: unknown, args: unknown[], byAttr: boolean, keep: boolean): unknown[] {
  const items = pyIter(value);
  const get = byAttr ? attrGetter(args[0]) : (v: unknown) => v;
  const rest = byAttr ? args.slice(1) : args;
  return items.filter((x) => applyTest(rest[0], get(x), rest.slice(1)) === keep);
}

function sortItems(value: unknown, args: unknown[], kwargs: Kwargs): unknown[] {
  const reverse = truthy(arg(args, kwargs, 0, 'reverse', false));
  const caseSensitive = truthy(arg(args, kwargs, 1, 'case_sensitive', false));
  const attribute = arg(args, kwargs, 2, 'attribute');
  const get = attribute === undefined || attribute === null ? (v: unknown) => v : attrGetter(attribute);
  const key = (v: unknown): unknown => {
    const k = get(v);
    return !caseSensitive && typeof k === 'string' ? k.toLowerCase() : k;
  };
  const sorted = [...pyIter(value)].sort((a, b) => pyCompare(key(a), key(b)));
  return reverse ? sorted.reverse() : sorted;
}

export const FILTERS: Record<string, Filter> = {
  // ── Jinja built-ins ──
  int: (v, a, kw) => pyInt(v, arg(a, kw, 0, 'default', 0), Number(arg(a, kw, 1, 'base', 10))),
  float: (v, a, kw) => pyFloat(v, arg(a, kw, 0, 'default', 0)),
  length: (v) => pyLen(v),
  count: (v) => pyLen(v),
  list: (v) => [...pyIter(v)],
  first: (v) => {
    const items = pyIter(v);
    return items.length ? items[0] : undefined;
  },
  last: (v) => {
    const items = pyIter(v);
    return items.length ? items[items.length - 1] : undefined;
  },
  join: (v, a, kw) => {
    const attribute = arg(a, kw, 1, 'attribute');
    const get = attribute === undefined || attribute === null ? (x: unknown) => x : attrGetter(attribute);
    const items = pyIter(v).map((x) => str(get(x)));
    const separator = str(arg(a, kw, 0, 'd', ''));
    ensureTemplateSize(items.reduce((n, x) => n + x.length, 0) + separator.length * Math.max(0, items.length - 1), 'the result of join');
    return items.join(separator);
  },
  default: (v, a, kw) => {
    const fallback = arg(a, kw, 0, 'default_value', '');
    const boolean = truthy(arg(a, kw, 1, 'boolean', false));
    return v === undefined || (boolean && !truthy(v)) ? fallback : v;
  },
  map: (v, a, kw) => {
    const items = pyIter(v);
    const attribute = kw?.attribute;
    if (attribute !== undefined) {
      const get = attrGetter(attribute);
      const hasDefault = kw && Object.hasOwn(kw, 'default');
      return items.map((x) => {
        const r = get(x);
        return r === undefined && hasDefault ? kw!.default : r;
      });
    }
    const name = String(a[0]);
    const f = Object.hasOwn(FILTERS, name) ? FILTERS[name] : undefined;
    if (!f) throw new TemplateRuntimeError(`No filter named '${name}'.`);
    const rest = a.slice(1);
    return items.map((x) => f(x, rest, kw));
  },
  selectattr: (v, a) => selectBy(v, a, true, true),
  rejectattr: (v, a) => selectBy(v, a, true, false),
  select: (v, a) => selectBy(v, a, false, true),
  reject: (v, a) => selectBy(v, a, false, false),
  tojson: (v, a, kw) => {
    void a;
    void kw;
    return pyJsonDumps(v, true).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027');
  },
  urlencode: (v) => {
    if (typeof v === 'string') return urlQuote(v, '/', false);
    const pairs = isPlainObject(v) ? Object.entries(v) : (pyIter(v) as unknown[][]);
    return pairs.map(([k, x]) => `${urlQuote(k, '', true)}=${urlQuote(x, '', true)}`).join('&');
  },
  replace: (v, a) => {
    const s = str(v);
    const count = typeof a[2] === 'number' ? a[2] : Infinity;
    const parts = s.split(str(a[0]));
    ensureTemplateSize(s.length + Math.min(parts.length - 1, count) * (str(a[1]).length - str(a[0]).length), 'the result of replace');
    if (parts.length - 1 <= count) return parts.join(str(a[1]));
    return parts.slice(0, count + 1).join(str(a[1])) + str(a[0]) + parts.slice(count + 1).join(str(a[0]));
  },
  lower: (v) => str(v).toLowerCase(),
  upper: (v) => str(v).toUpperCase(),
  capitalize: (v) => {
    const s = str(v);
    return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
  },
  title: (v) =>
    str(v)
      .toLowerCase()
      .replace(/(^|[^A-Za-z])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  trim: (v, a) => {
    const s = str(v);
    if (a[0] === undefined || a[0] === null) return s.trim();
    const set = new Set([...str(a[0])]);
    let i = 0;
    let j = s.length;
    while (i < j && set.has(s[i]!)) i++;
    while (j > i && set.has(s[j - 1]!)) j--;
    return s.slice(i, j);
  },
  unique: (v, a, kw) => {
    const attribute = arg(a, kw, 1, 'attribute');
    const get = attribute === undefined || attribute === null ? (x: unknown) => x : attrGetter(attribute);
    const seen: unknown[] = [];
    const out: unknown[] = [];
    for (const x of pyIter(v)) {
      const k = get(x);
      const norm = typeof k === 'string' ? k.toLowerCase() : k;
      if (!seen.some((s) => pyEquals(s, norm))) {
        seen.push(norm);
        out.push(x);
      }
    }
    return out;
  },
  round: (v, a, kw) => {
    const precision = Number(arg(a, kw, 0, 'precision', 0));
    const method = String(arg(a, kw, 1, 'method', 'common'));
    const n = Number(v);
    const m = 10 ** precision;
    if (method === 'ceil') return Math.ceil(n * m) / m;
    if (method === 'floor') return Math.floor(n * m) / m;
    return (Math.sign(n) * Math.round(Math.abs(n) * m)) / m;
  },
  abs: (v) => Math.abs(Number(v)),
  sort: (v, a, kw) => sortItems(v, a, kw),
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...pyIter(v)].reverse()),
  sum: (v, a, kw) => {
    const attribute = arg(a, kw, 0, 'attribute');
    const get = attribute === undefined || attribute === null ? (x: unknown) => x : attrGetter(attribute);
    return pyIter(v).reduce((acc: number, x) => acc + Number(get(x)), Number(arg(a, kw, 1, 'start', 0)));
  },
  min: (v) => pyIter(v).reduce((m, x) => (m === undefined || pyCompare(x, m) < 0 ? x : m), undefined as unknown),
  max: (v) => pyIter(v).reduce((m, x) => (m === undefined || pyCompare(x, m) > 0 ? x : m), undefined as unknown),
  items: (v) => (isPlainObject(v) ? Object.entries(v) : []),
  dictsort: (v) => (isPlainObject(v) ? Object.entries(v).sort((x, y) => pyCompare(x[0], y[0])) : []),
  safe: (v) => v,
  e: (v) => str(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
  truncate: (v, a) => {
    const s = str(v);
    const n = Number(a[0] ?? 255);
    return s.length <= n ? s : `${s.slice(0, n - 3)}...`;
  },
  wordcount: (v) => (str(v).match(/\w+/g) ?? []).length,
  batch: (v, a) => {
    const items = pyIter(v);
    const size = Number(a[0]);
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
  },

  // ── Airbyte filters (filters.py) ──
  string: (v) => (typeof v === 'string' ? v : `"""${pyJsonDumps(v)}"""`),
  hash: (v, a, kw) => {
    const type = String(arg(a, kw, 0, 'hash_type', 'md5'));
    if (!getHashes().includes(type)) throw new TemplateRuntimeError(`Unsupported hash type: ${type}`);
    const h = createHash(type).update(str(v));
    const salt = arg(a, kw, 1, 'salt');
    if (salt !== undefined && salt !== null) h.update(str(salt));
    return h.digest('hex');
  },
  hmac: (v, a, kw) => {
    const type = String(arg(a, kw, 1, 'hash_type', 'sha256'));
    if (type !== 'sha256') throw new TemplateRuntimeError('Only SHA256 is supported by the hmac filter');
    return createHmac('sha256', str(arg(a, kw, 0, 'key')))
      .update(str(v))
      .digest('hex');
  },
  base64encode: (v) => Buffer.from(str(v), 'utf8').toString('base64'),
  base64decode: (v) => Buffer.from(str(v), 'base64').toString('utf8'),
  // Airbyte's filter of this name encodes (filters.py), despite the name.
  base64binascii_decode: (v) => Buffer.from(str(v), 'latin1').toString('base64'),
  regex_search: (v, a) => {
    const m = cachedRegex(str(a[0]), '').exec(str(v));
    if (!m) return null;
    return m.length > 1 ? (m[1] ?? null) : '';
  },
  regex_replace: (v, a) => str(v).replace(cachedRegex(str(a[0]), 'g'), pyReplacement(str(a[1]))),
};
FILTERS.d = FILTERS.default!;
FILTERS.escape = FILTERS.e!;

export function getFilter(name: string): Filter | undefined {
  return Object.hasOwn(FILTERS, name) ? FILTERS[name] : undefined;
}

export function getTest(name: string): Test | undefined {
  return Object.hasOwn(TESTS, name) ? TESTS[name] : undefined;
}

/** Every filter name a template may use (for "did you mean" hints). */
export function filterNames(): string[] {
  return Object.keys(FILTERS);
}
