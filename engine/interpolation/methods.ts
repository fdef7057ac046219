/**
 * The whitelist of methods templates may call on values (`d.get('k')`, `s.split(',')`,
 * `dt.strftime(...)`). Nothing outside these tables is reachable: this is the sandbox boundary.
 */
import { PyDate, PyDateTime, parseOffset } from './datetime.js';
import { PyDuration } from './duration.js';
import { TemplateRuntimeError, UndefinedError, isPlainObject, pyEquals, pyStr, typeName } from './python-values.js';
import { ensureTemplateSize } from './size-guard.js';

type Method = (self: never, args: unknown[], kwargs: Record<string, unknown> | undefined) => unknown;

function str(v: unknown): string {
  return typeof v === 'string' ? v : pyStr(v);
}

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === undefined || chars === null) {
    if (left) s = s.replace(/^\s+/, '');
    if (right) s = s.replace(/\s+$/, '');
    return s;
  }
  const set = new Set([...String(chars)]);
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.has(s[a]!)) a++;
  if (right) while (b > a && set.has(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function pySplit(s: string, sep: unknown, maxsplit: unknown): string[] {
  const max = typeof maxsplit === 'number' && maxsplit >= 0 ? maxsplit : Infinity;
  if (sep === undefined || sep === null) {
    const parts = s.trim().split(/\s+/).filter(Boolean);
    if (max === Infinity || parts.length <= max + 1) return parts;
    const out: string[] = [];
    let rest = s.replace(/^\s+/, '');
    for (let i = 0; i < max; i++) {
      const m = /\s+/.exec(rest);
      if (!m) break;
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    out.push(rest);
    return out;
  }
  const separator = String(sep);
  if (separator === '') throw new TemplateRuntimeError('empty separator');
  const parts = s.split(separator);
  if (parts.length - 1 <= max) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(separator)];
}

/** str.format with positional `{}`/`{0}` and named `{name}` fields (no format specs beyond plain). */
function padWidth(v: unknown, method: string): number {
  const width = Number(v);
  ensureTemplateSize(width, `a string padded by ${method}()`);
  return width;
}

function pyFormat(s: string, args: unknown[], kwargs: Record<string, unknown> | undefined): string {
  let auto = 0;
  return s.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const name = (field ?? '').split(/[:!]/)[0]!;
    const v = name === '' ? args[auto++] : /^\d+$/.test(name) ? args[Number(name)] : kwargs?.[name];
    return str(v);
  });
}

const STRING_METHODS: Record<string, (s: string, a: unknown[], kw: Record<string, unknown> | undefined) => unknown> = {
  split: (s, a, kw) => pySplit(s, a[0] ?? kw?.sep, a[1] ?? kw?.maxsplit),
  rsplit: (s, a) => {
    if (a[1] === undefined) return pySplit(s, a[0], -1);
    const sep = String(a[0]);
    const parts = s.split(sep);
    const max = Number(a[1]);
    return parts.length - 1 <= max ? parts : [parts.slice(0, parts.length - max).join(sep), ...parts.slice(parts.length - max)];
  },
  strip: (s, a) => stripChars(s, a[0], true, true),
  lstrip: (s, a) => stripChars(s, a[0], true, false),
  rstrip: (s, a) => stripChars(s, a[0], false, true),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  title: (s) => s.toLowerCase().replace(/(^|[^A-Za-z])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  replace: (s, a) => {
    const count = typeof a[2] === 'number' && a[2] >= 0 ? a[2] : Infinity;
    const parts = s.split(str(a[0]));
    ensureTemplateSize(s.length + Math.min(parts.length - 1, count) * (str(a[1]).length - str(a[0]).length), 'the result of replace()');
    if (parts.length - 1 <= count) return parts.join(str(a[1]));
    return parts.slice(0, count + 1).join(str(a[1])) + str(a[0]) + parts.slice(count + 1).join(str(a[0]));
  },
  startswith: (s, a) => (Array.isArray(a[0]) ? a[0].some((p) => s.startsWith(str(p))) : s.startsWith(str(a[0]))),
  endswith: (s, a) => (Array.isArray(a[0]) ? a[0].some((p) => s.endsWith(str(p))) : s.endsWith(str(a[0]))),
  join: (s, a) => {
    const items = Array.isArray(a[0]) ? a[0] : isPlainObject(a[0]) ? Object.keys(a[0]) : typeof a[0] === 'string' ? [...a[0]] : [];
    return items
      .map((x) => {
        if (typeof x !== 'string') throw new TemplateRuntimeError(`sequence item: expected str instance, ${typeName(x)} found`);
        return x;
      })
      .join(s);
  },
  format: (s, a, kw) => pyFormat(s, a, kw),
  find: (s, a) => s.indexOf(str(a[0])),
  rfind: (s, a) => s.lastIndexOf(str(a[0])),
  index: (s, a) => {
    const i = s.indexOf(str(a[0]));
    if (i < 0) throw new TemplateRuntimeError('substring not found');
    return i;
  },
  count: (s, a) => (str(a[0]) === '' ? s.length + 1 : s.split(str(a[0])).length - 1),
  isdigit: (s) => /^\d+$/.test(s),
  isnumeric: (s) => /^\d+$/.test(s),
  isdecimal: (s) => /^\d+$/.test(s),
  isalpha: (s) => /^[A-Za-z]+$/.test(s),
  isalnum: (s) => /^[A-Za-z0-9]+$/.test(s),
  islower: (s) => /[a-z]/.test(s) && s === s.toLowerCase(),
  isupper: (s) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  isspace: (s) => /^\s+$/.test(s),
  zfill: (s, a) => {
    const width = Number(a[0]);
    ensureTemplateSize(width, 'a string padded by zfill()');
    const sign = /^[+-]/.test(s) ? s[0]! : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  },
  ljust: (s, a) => s.padEnd(padWidth(a[0], 'ljust'), a[1] === undefined ? ' ' : str(a[1])),
  rjust: (s, a) => s.padStart(padWidth(a[0], 'rjust'), a[1] === undefined ? ' ' : str(a[1])),
  center: (s, a) => {
    const width = padWidth(a[0], 'center');
    const total = Math.max(0, width - s.length);
    const left = Math.floor(total / 2) + (total % 2 && width % 2 ? 1 : 0);
    const fill = a[1] === undefined ? ' ' : str(a[1]);
    return fill.repeat(left) + s + fill.repeat(total - left);
  },
  removeprefix: (s, a) => (s.startsWith(str(a[0])) ? s.slice(str(a[0]).length) : s),
  removesuffix: (s, a) => (str(a[0]) && s.endsWith(str(a[0])) ? s.slice(0, -str(a[0]).length) : s),
  swapcase: (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  splitlines: (s) => s.split(/\r\n|\r|\n/).filter((x, i, arr) => i < arr.length - 1 || x !== ''),
  encode: (s) => s,
  decode: (s) => s,
};

const DICT_METHODS: Record<string, (d: Record<string, unknown>, a: unknown[]) => unknown> = {
  get: (d, a) => {
    const key = a[0];
    if (key === undefined) throw new UndefinedError('dict.get() of an undefined key');
    const k = typeof key === 'string' ? key : pyStr(key);
    return Object.hasOwn(d, k) ? d[k] : a.length > 1 ? a[1] : null;
  },
  keys: (d) => Object.keys(d),
  values: (d) => Object.values(d),
  items: (d) => Object.entries(d),
  copy: (d) => ({ ...d }),
};

const LIST_METHODS: Record<string, (l: unknown[], a: unknown[]) => unknown> = {
  index: (l, a) => {
    const i = l.findIndex((x) => pyEquals(x, a[0]));
    if (i < 0) throw new TemplateRuntimeError(`${pyStr(a[0], true)} is not in list`);
    return i;
  },
  count: (l, a) => l.filter((x) => pyEquals(x, a[0])).length,
  copy: (l) => [...l],
};

function offsetArg(v: unknown): number {
  if (v === undefined || v === null) return 0;
  const o = parseOffset(String(v));
  if (o === undefined) throw new TemplateRuntimeError(`unsupported time zone ${pyStr(v)}`);
  return o;
}

const DATETIME_METHODS: Record<string, (d: PyDateTime, a: unknown[], kw: Record<string, unknown> | undefined) => unknown> = {
  strftime: (d, a) => d.strftime(str(a[0])),
  isoformat: (d, a) => d.isoformat(a[0] === undefined ? 'T' : str(a[0])),
  timestamp: (d) => d.timestamp(),
  date: (d) => d.date(),
  astimezone: (d, a) => d.astimezone(offsetArg(a[0])),
  replace: (d, _a, kw) => d.replace((kw ?? {}) as Record<string, number>),
  weekday: (d) => d.weekday(),
  isoweekday: (d) => d.weekday() + 1,
};

const DATE_METHODS: Record<string, (d: PyDate, a: unknown[]) => unknown> = {
  strftime: (d, a) => d.strftime(str(a[0])),
  isoformat: (d) => d.isoformat(),
  weekday: (d) => d.weekday(),
  isoweekday: (d) => d.weekday() + 1,
};

const DURATION_METHODS: Record<string, (d: PyDuration) => unknown> = {
  total_seconds: (d) => d.total_seconds(),
};

/** Calls `obj.name(...)` if `name` is whitelisted for obj's type; undefined `found` otherwise. */
export function callMethod(obj: unknown, name: string, args: unknown[], kwargs: Record<string, unknown> | undefined): { found: boolean; value?: unknown } {
  let m: Method | undefined;
  if (typeof obj === 'string') m = own(STRING_METHODS, name) as Method | undefined;
  else if (Array.isArray(obj)) m = own(LIST_METHODS, name) as Method | undefined;
  else if (obj instanceof PyDateTime) m = own(DATETIME_METHODS, name) as Method | undefined;
  else if (obj instanceof PyDate) m = own(DATE_METHODS, name) as Method | undefined;
  else if (obj instanceof PyDuration) m = own(DURATION_METHODS, name) as Method | undefined;
  else if (isPlainObject(obj)) m = own(DICT_METHODS, name) as Method | undefined;
  if (!m) return { found: false };
  return { found: true, value: m(obj as never, args, kwargs) };
}

export function hasMethod(obj: unknown, name: string): boolean {
  if (typeof obj === 'string') return own(STRING_METHODS, name) !== undefined;
  if (Array.isArray(obj)) return own(LIST_METHODS, name) !== undefined;
  if (obj instanceof PyDateTime) return own(DATETIME_METHODS, name) !== undefined;
  if (obj instanceof PyDate) return own(DATE_METHODS, name) !== undefined;
  if (obj instanceof PyDuration) return own(DURATION_METHODS, name) !== undefined;
  if (isPlainObject(obj)) return own(DICT_METHODS, name) !== undefined;
  return false;
}

const DATETIME_ATTRS = new Set(['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond']);
const DURATION_ATTRS = new Set(['days', 'seconds', 'microseconds']);

/** Data attributes of non-dict values (`dt.year`, `td.days`); undefined when there is none. */
export function valueAttribute(obj: unknown, name: string): { found: boolean; value?: unknown } {
  if ((obj instanceof PyDateTime && DATETIME_ATTRS.has(name)) || (obj instanceof PyDate && ['year', 'month', 'day'].includes(name))) {
    return { found: true, value: (obj as unknown as Record<string, number>)[name] };
  }
  if (obj instanceof PyDuration && DURATION_ATTRS.has(name)) return { found: true, value: obj[name as 'days'] };
  return { found: false };
}

function own<T>(table: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}
