/**
 * Template globals: Airbyte's macros (macros.py) plus the few Python builtins manifests call.
 * `range` is deliberately absent (Airbyte removes it: unbounded loops).
 */
import { randomUUID } from 'node:crypto';
import { PyDate, PyDateTime, formatDatetime, parseDatetime, strToDatetime } from './datetime.js';
import { PyDuration } from './duration.js';
import { urlQuote } from './filters.js';
import { PyCallable, TemplateRuntimeError, isPlainObject, pyCompare, pyFloat, pyInt, pyIter, pyLen, pyStr, truthy } from './python-values.js';

type Kwargs = Record<string, unknown> | undefined;

function kw(args: unknown[], kwargs: Kwargs, index: number, name: string, fallback?: unknown): unknown {
  if (args.length > index) return args[index];
  if (kwargs && Object.hasOwn(kwargs, name)) return kwargs[name];
  return fallback;
}

function extreme(args: unknown[], sign: number): unknown {
  const items = args.length === 1 ? pyIter(args[0]) : args;
  if (items.length === 0) throw new TemplateRuntimeError('max() arg is an empty sequence');
  let best = items[0];
  for (const x of items.slice(1)) if (pyCompare(x, best) * sign > 0) best = x;
  return best;
}

function todayIn(timeZone: string): PyDate {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(PyDateTime.now().toDate());
  } catch {
    throw new TemplateRuntimeError(`Unknown time zone '${timeZone}'`);
  }
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  return new PyDate(get('year'), get('month'), get('day'));
}

/** format_datetime(dt, format, input_format=None) */
function formatDatetimeMacro(dt: unknown, format: string, inputFormat: unknown): string {
  let value: PyDateTime;
  if (dt instanceof PyDateTime) value = dt;
  else if (dt instanceof PyDate) value = PyDateTime.fromWall(dt.year, dt.month, dt.day);
  else if (typeof dt === 'number') value = parseDatetime(Math.trunc(dt), typeof inputFormat === 'string' ? inputFormat : '%s');
  else if (typeof inputFormat === 'string' && inputFormat) value = parseDatetime(String(dt), inputFormat);
  else value = strToDatetime(String(dt));
  return formatDatetime(value, format);
}

const MACROS: Record<string, (args: unknown[], kwargs: Kwargs) => unknown> = {
  now_utc: () => PyDateTime.now(),
  today_utc: () => PyDate.today(),
  today_with_timezone: (a, k) => todayIn(String(kw(a, k, 0, 'timezone'))),
  timestamp: (a, k) => {
    const dt = kw(a, k, 0, 'dt');
    if (typeof dt === 'number') return Math.trunc(dt);
    if (dt instanceof PyDateTime) return dt.timestamp();
    return strToDatetime(String(dt)).timestamp();
  },
  str_to_datetime: (a, k) => strToDatetime(String(kw(a, k, 0, 's'))),
  max: (a) => extreme(a, 1),
  min: (a) => extreme(a, -1),
  day_delta: (a, k) => {
    const days = Number(kw(a, k, 0, 'num_days'));
    const format = String(kw(a, k, 1, 'format', '%Y-%m-%dT%H:%M:%S.%f%z'));
    return PyDateTime.now().plus(PyDuration.fromParts({ days })).strftime(format);
  },
  duration: (a, k) => PyDuration.parse(String(kw(a, k, 0, 'datestring'))),
  format_datetime: (a, k) => formatDatetimeMacro(kw(a, k, 0, 'dt'), String(kw(a, k, 1, 'format')), kw(a, k, 2, 'input_format')),
  sanitize_url: (a, k) => urlQuote(kw(a, k, 0, 'value'), '', true),
  camel_case_to_snake_case: (a, k) =>
    String(kw(a, k, 0, 'value'))
      .replace(/(?!^)(?=[A-Z])/g, '_')
      .toLowerCase(),
  generate_uuid: () => randomUUID(),
};

/** Python builtins manifests use (not Airbyte globals, but harmless and widely expected). */
const BUILTINS: Record<string, (args: unknown[], kwargs: Kwargs) => unknown> = {
  int: (a) => {
    const r = pyInt(a[0] ?? 0, undefined, a[1] === undefined ? 10 : Number(a[1]));
    if (r === undefined) throw new TemplateRuntimeError(`invalid literal for int(): ${pyStr(a[0], true)}`);
    return r;
  },
  float: (a) => {
    const r = pyFloat(a[0] ?? 0, undefined);
    if (r === undefined) throw new TemplateRuntimeError(`could not convert to float: ${pyStr(a[0], true)}`);
    return r;
  },
  str: (a) => (a.length ? pyStr(a[0]) : ''),
  len: (a) => pyLen(a[0]),
  bool: (a) => truthy(a[0]),
  list: (a) => (a.length ? [...pyIter(a[0])] : []),
  dict: (a, k) => ({ ...(isPlainObject(a[0]) ? a[0] : {}), ...(k ?? {}) }),
  abs: (a) => Math.abs(Number(a[0])),
};

const GLOBALS = new Map<string, PyCallable>();
for (const [name, fn] of Object.entries({ ...BUILTINS, ...MACROS })) GLOBALS.set(name, new PyCallable(name, fn));

export function getGlobal(name: string): PyCallable | undefined {
  return GLOBALS.get(name);
}

export function isMacro(name: string): boolean {
  return Object.hasOwn(MACROS, name);
}

/** Calls a macro directly (tests, and components that need e.g. format_datetime). */
export function callMacro(name: string, args: unknown[], kwargs?: Record<string, unknown>): unknown {
  const m = Object.hasOwn(MACROS, name) ? MACROS[name] : undefined;
  if (!m) throw new TemplateRuntimeError(`Unknown macro '${name}'`);
  return m(args, kwargs);
}

/** Every global (macro or builtin) a template may call (for "did you mean" hints). */
export function globalNames(): string[] {
  return [...GLOBALS.keys()];
}
