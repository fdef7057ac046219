/**
 * Python value semantics over plain JS data: JSON-like values stand for Python values
 * (null = None, undefined = Jinja Undefined, arrays = lists/tuples, plain objects = dicts).
 * Numbers carry no int/float distinction; integral numbers print as ints.
 */
import { PyDate, PyDateTime, pyFloatRepr } from './datetime.js';
import { PyDuration } from './duration.js';

/** Jinja's UndefinedError: caught by the evaluator, which then falls back to the default. */
export class UndefinedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndefinedError';
  }
}

/** A Python TypeError/ValueError raised while evaluating a template. */
export class TemplateRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateRuntimeError';
  }
}

/** The only things templates may call: macros, builtins and bound whitelisted methods. */
export class PyCallable {
  constructor(
    readonly name: string,
    readonly fn: (args: unknown[], kwargs: Record<string, unknown> | undefined) => unknown,
  ) {}
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  // Any realm's Object.prototype counts (records built by structuredClone or in a vm context
  // carry another realm's prototype); class instances do not.
  return proto === null || Object.getPrototypeOf(proto) === null;
}

export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (v === true || typeof v === 'number' || typeof v === 'string') return !Number.isNaN(v);
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof PyDuration) return v.months !== 0 || v.micros !== 0;
  if (isPlainObject(v)) {
    for (const _ in v) return true;
    return false;
  }
  return true;
}

function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

export function pyNumberStr(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  return pyFloatRepr(n);
}

/** Python str() (repr for container items), as Jinja renders values. */
export function pyStr(v: unknown, nested = false): string {
  switch (typeof v) {
    case 'string':
      return nested ? reprString(v) : v;
    case 'number':
      return pyNumberStr(v);
    case 'boolean':
      return v ? 'True' : 'False';
    case 'undefined':
      return nested ? 'None' : '';
    case 'bigint':
      return String(v);
  }
  if (v === null) return 'None';
  if (Array.isArray(v)) return `[${v.map((x) => pyStr(x, true)).join(', ')}]`;
  if (v instanceof PyDateTime) {
    if (!nested) return v.toString();
    return `datetime.datetime(${v.year}, ${v.month}, ${v.day}, ${v.hour}, ${v.minute}${v.second || v.microsecond ? `, ${v.second}` : ''}${v.microsecond ? `, ${v.microsecond}` : ''}, tzinfo=datetime.timezone.utc)`;
  }
  if (v instanceof PyDate) return nested ? `datetime.date(${v.year}, ${v.month}, ${v.day})` : v.toString();
  if (v instanceof PyDuration) return nested ? `datetime.timedelta(microseconds=${v.micros})` : v.toString();
  if (v instanceof PyCallable) return `<function ${v.name}>`;
  if (isPlainObject(v)) {
    const parts: string[] = [];
    for (const k in v) parts.push(`${reprString(k)}: ${pyStr(v[k], true)}`);
    return `{${parts.join(', ')}}`;
  }
  return '<object>';
}

export function typeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (v === undefined) return 'Undefined';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyDateTime) return 'datetime';
  if (v instanceof PyDate) return 'date';
  if (v instanceof PyDuration) return 'timedelta';
  if (isPlainObject(v)) return 'dict';
  return 'object';
}

export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (typeof a === 'boolean' && typeof b === 'number') return (a ? 1 : 0) === b;
  if (typeof b === 'boolean' && typeof a === 'number') return (b ? 1 : 0) === a;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEquals(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof PyDateTime) return b instanceof PyDateTime && a.epochMicros === b.epochMicros;
  if (a instanceof PyDate) return b instanceof PyDate && a.compare(b) === 0;
  if (a instanceof PyDuration) return b instanceof PyDuration && a.compare(b) === 0;
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !pyEquals(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Python ordering (<, >, sort, min/max); mixed types raise TypeError as in Python 3. */
export function pyCompare(a: unknown, b: unknown): number {
  if (a === undefined || b === undefined) throw new UndefinedError('cannot compare an undefined value');
  const na = typeof a === 'boolean' ? +a : a;
  const nb = typeof b === 'boolean' ? +b : b;
  if (typeof na === 'number' && typeof nb === 'number') return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof PyDateTime && b instanceof PyDateTime) return Math.sign(a.compare(b));
  if (a instanceof PyDate && b instanceof PyDate) return Math.sign(a.compare(b));
  if (a instanceof PyDuration && b instanceof PyDuration) return Math.sign(a.compare(b));
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEquals(a[i], b[i])) return pyCompare(a[i], b[i]);
    }
    return Math.sign(a.length - b.length);
  }
  throw new TemplateRuntimeError(`'<' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

export function pyContains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new TemplateRuntimeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEquals(x, item));
  if (isPlainObject(container)) return typeof item === 'string' || typeof item === 'number' ? Object.hasOwn(container, String(item)) : false;
  if (container === undefined) throw new UndefinedError('argument of type Undefined is not iterable');
  throw new TemplateRuntimeError(`argument of type '${typeName(container)}' is not iterable`);
}

/** Iterating a value as Python would (dicts yield keys, strings characters). */
export function pyIter(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isPlainObject(v)) return Object.keys(v);
  if (v === undefined) return [];
  throw new TemplateRuntimeError(`'${typeName(v)}' object is not iterable`);
}

export function pyLen(v: unknown): number {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  if (v === undefined) return 0;
  throw new TemplateRuntimeError(`object of type '${typeName(v)}' has no len()`);
}

export function pyInt(v: unknown, fallback: unknown = 0, base = 10): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : fallback;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    if (base === 10 && /^[+-]?\d+$/.test(s)) return Number(s);
    if (base !== 10) {
      const n = parseInt(s, base);
      return Number.isNaN(n) ? fallback : n;
    }
    // Jinja's int filter falls back to float() for strings like "4.0".
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Math.trunc(Number(s));
    return fallback;
  }
  if (v === undefined) throw new UndefinedError('int() of an undefined value');
  return fallback;
}

export function pyFloat(v: unknown, fallback: unknown = 0): unknown {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase().replace(/_/g, '');
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return Number(s);
    if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
    if (/^[+-]?nan$/.test(s)) return NaN;
    return fallback;
  }
  if (v === undefined) throw new UndefinedError('float() of an undefined value');
  return fallback;
}
