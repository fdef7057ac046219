/**
 * Python-compatible aware datetimes for templates and incremental cursors: strftime/strptime
 * (compiled once per format, since cursor values are parsed per record), Airbyte's special
 * formats (%s, %s_as_float, %ms, %_ms, %epoch_microseconds), dateutil-like ISO parsing.
 * Instants are integer microseconds since the epoch; the offset only affects display.
 */
import { ManifoldError } from '../errors/manifold-error.js';
import { PyDuration } from './duration.js';

const US_PER_MS = 1000;
const US_PER_SECOND = 1_000_000;
const US_PER_MINUTE = 60 * US_PER_SECOND;
const US_PER_DAY = 86_400 * US_PER_SECOND;

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

let frozenNow: Date | undefined;
/** Freezes now_utc()/today_utc()/PyDateTime.now() (tests only); undefined restores the clock. */
export function setNowForTesting(d: Date | undefined): void {
  frozenNow = d;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Wall-clock fields of an instant at an offset. */
export interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  /** 0 = Sunday (JS/strftime %w convention). */
  weekday: number;
  offsetMinutes: number;
  /** Display time zone name (%Z); undefined = naive. */
  naive?: boolean;
}

function wallOf(epochMicros: number, offsetMinutes: number): WallFields {
  const wall = epochMicros + offsetMinutes * US_PER_MINUTE;
  const ms = Math.floor(wall / US_PER_MS);
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    microsecond: wall - Math.floor(wall / US_PER_SECOND) * US_PER_SECOND,
    weekday: d.getUTCDay(),
    offsetMinutes,
  };
}

function epochOfWall(y: number, mo: number, d: number, h: number, mi: number, s: number, us: number, offsetMinutes: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime() * US_PER_MS + us - offsetMinutes * US_PER_MINUTE;
}

export class PyDateTime {
  private wallCache: WallFields | undefined;

  private constructor(
    readonly epochMicros: number,
    readonly offsetMinutes: number,
  ) {}

  static fromEpochMicros(us: number, offsetMinutes = 0): PyDateTime {
    return new PyDateTime(Math.round(us), offsetMinutes);
  }

  static fromDate(d: Date): PyDateTime {
    return new PyDateTime(d.getTime() * US_PER_MS, 0);
  }

  static fromWall(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, us = 0, offsetMinutes = 0): PyDateTime {
    return new PyDateTime(epochOfWall(y, mo, d, h, mi, s, us, offsetMinutes), offsetMinutes);
  }

  static now(): PyDateTime {
    return PyDateTime.fromDate(frozenNow ?? new Date());
  }

  wall(): WallFields {
    return (this.wallCache ??= wallOf(this.epochMicros, this.offsetMinutes));
  }

  get year(): number {
    return this.wall().year;
  }
  get month(): number {
    return this.wall().month;
  }
  get day(): number {
    return this.wall().day;
  }
  get hour(): number {
    return this.wall().hour;
  }
  get minute(): number {
    return this.wall().minute;
  }
  get second(): number {
    return this.wall().second;
  }
  get microsecond(): number {
    return this.wall().microsecond;
  }

  toDate(): Date {
    return new Date(Math.floor(this.epochMicros / US_PER_MS));
  }

  /** Python datetime.isoformat(): `2021-01-01T00:00:00+00:00`, microseconds only when non-zero. */
  isoformat(sep = 'T'): string {
    const w = this.wall();
    const frac = w.microsecond ? `.${pad(w.microsecond, 6)}` : '';
    return `${pad(w.year, 4)}-${pad(w.month, 2)}-${pad(w.day, 2)}${sep}${pad(w.hour, 2)}:${pad(w.minute, 2)}:${pad(w.second, 2)}${frac}${formatOffset(this.offsetMinutes, ':')}`;
  }

  /** Python str(datetime). */
  toString(): string {
    return this.isoformat(' ');
  }

  strftime(fmt: string): string {
    return compileStrftime(fmt)(this.wall(), this.epochMicros);
  }

  /** Seconds since the epoch, as a float. */
  timestamp(): number {
    return this.epochMicros / US_PER_SECOND;
  }

  plus(d: PyDuration): PyDateTime {
    let base = this.epochMicros;
    if (d.months) {
      const w = this.wall();
      const total = w.year * 12 + (w.month - 1) + d.months;
      const year = Math.floor(total / 12);
      const month = total - year * 12 + 1;
      const day = Math.min(w.day, daysInMonth(year, month));
      base = epochOfWall(year, month, day, w.hour, w.minute, w.second, w.microsecond, this.offsetMinutes);
    }
    return new PyDateTime(base + d.micros, this.offsetMinutes);
  }

  minus(d: PyDuration): PyDateTime {
    return this.plus(d.negate());
  }

  /** Difference as a timedelta. */
  since(o: PyDateTime): PyDuration {
    return PyDuration.fromMicros(this.epochMicros - o.epochMicros);
  }

  compare(o: PyDateTime): number {
    return this.epochMicros - o.epochMicros;
  }

  date(): PyDate {
    const w = this.wall();
    return new PyDate(w.year, w.month, w.day);
  }

  /** datetime.astimezone(tz) for fixed offsets (UTC when omitted). */
  astimezone(offsetMinutes = 0): PyDateTime {
    return new PyDateTime(this.epochMicros, offsetMinutes);
  }

  /** datetime.replace(...) for the wall fields (tzinfo is not supported). */
  replace(fields: Partial<Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'microsecond', number>>): PyDateTime {
    const w = this.wall();
    return PyDateTime.fromWall(
      fields.year ?? w.year,
      fields.month ?? w.month,
      fields.day ?? w.day,
      fields.hour ?? w.hour,
      fields.minute ?? w.minute,
      fields.second ?? w.second,
      fields.microsecond ?? w.microsecond,
      this.offsetMinutes,
    );
  }

  weekday(): number {
    return (this.wall().weekday + 6) % 7;
  }
}

/** Python `date` (today_utc(), datetime.date()). */
export class PyDate {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
  ) {}

  static today(): PyDate {
    return PyDateTime.now().date();
  }

  private startOfDay(): PyDateTime {
    return PyDateTime.fromWall(this.year, this.month, this.day);
  }

  isoformat(): string {
    return `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}`;
  }

  toString(): string {
    return this.isoformat();
  }

  strftime(fmt: string): string {
    const dt = this.startOfDay();
    return compileStrftime(fmt)({ ...dt.wall(), naive: true }, dt.epochMicros);
  }

  /** date + timedelta only moves by whole days (the time part is ignored, as in Python). */
  plus(d: PyDuration): PyDate {
    const moved = this.startOfDay().plus(new PyDuration(d.months, d.days * US_PER_DAY));
    return moved.date();
  }

  minus(d: PyDuration): PyDate {
    return this.plus(d.negate());
  }

  compare(o: PyDate): number {
    return this.year - o.year || this.month - o.month || this.day - o.day;
  }

  weekday(): number {
    return this.startOfDay().weekday();
  }
}

function formatOffset(offsetMinutes: number, sep: string): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${sep}${pad(abs % 60, 2)}`;
}

// ── strftime ────────────────────────────────────────────────────────────────────────────────────

type Piece = (w: WallFields, epochMicros: number) => string;

function dayOfYear(w: WallFields): number {
  return Math.round((Date.UTC(w.year, w.month - 1, w.day) - Date.UTC(w.year, 0, 1)) / 86_400_000) + 1;
}

function isoWeek(w: WallFields): { year: number; week: number } {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day));
  const dow = (w.weekday + 6) % 7; // Monday = 0
  d.setUTCDate(d.getUTCDate() - dow + 3);
  const isoYear = d.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(isoYear, 0, 4));
  const week = 1 + Math.round((d.getTime() - firstThursday.getTime()) / 86_400_000 / 7 - (((firstThursday.getUTCDay() + 6) % 7) - 3) / 7);
  return { year: isoYear, week };
}

function weekOfYear(w: WallFields, firstWeekday: number): number {
  const doy = dayOfYear(w) - 1;
  const dow = (w.weekday - firstWeekday + 7) % 7;
  return Math.floor((doy + 7 - dow) / 7);
}

const num =
  (get: (w: WallFields) => number, width: number, fill = '0'): ((w: WallFields, unpadded: boolean) => string) =>
  (w, unpadded) => {
    const v = get(w);
    return unpadded ? String(v) : String(v).padStart(width, fill);
  };

const DIRECTIVES: Record<string, (w: WallFields, unpadded: boolean, epochMicros: number) => string> = {
  Y: (w) => String(w.year),
  y: num((w) => w.year % 100, 2),
  C: num((w) => Math.floor(w.year / 100), 2),
  m: num((w) => w.month, 2),
  d: num((w) => w.day, 2),
  e: num((w) => w.day, 2, ' '),
  H: num((w) => w.hour, 2),
  k: num((w) => w.hour, 2, ' '),
  I: num((w) => w.hour % 12 || 12, 2),
  l: num((w) => w.hour % 12 || 12, 2, ' '),
  M: num((w) => w.minute, 2),
  S: num((w) => w.second, 2),
  f: (w) => pad(w.microsecond, 6),
  j: num(dayOfYear, 3),
  a: (w) => DAY_NAMES[w.weekday]!.slice(0, 3),
  A: (w) => DAY_NAMES[w.weekday]!,
  b: (w) => MONTH_NAMES[w.month - 1]!.slice(0, 3),
  h: (w) => MONTH_NAMES[w.month - 1]!.slice(0, 3),
  B: (w) => MONTH_NAMES[w.month - 1]!,
  p: (w) => (w.hour < 12 ? 'AM' : 'PM'),
  P: (w) => (w.hour < 12 ? 'am' : 'pm'),
  w: (w) => String(w.weekday),
  u: (w) => String(w.weekday || 7),
  U: num((w) => weekOfYear(w, 0), 2),
  W: num((w) => weekOfYear(w, 1), 2),
  V: num((w) => isoWeek(w).week, 2),
  G: (w) => String(isoWeek(w).year),
  z: (w) => (w.naive ? '' : formatOffset(w.offsetMinutes, '')),
  Z: (w) => (w.naive ? '' : w.offsetMinutes === 0 ? 'UTC' : `UTC${formatOffset(w.offsetMinutes, ':')}`),
  // glibc's %s reads the wall clock as local time; the process runs in UTC, so this is wall-as-UTC.
  s: (w) => String(Math.floor(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) / 1000)),
  n: () => '\n',
  t: () => '\t',
  '%': () => '%',
};
const ALIASES: Record<string, string> = {
  T: '%H:%M:%S',
  D: '%m/%d/%y',
  F: '%Y-%m-%d',
  R: '%H:%M',
  r: '%I:%M:%S %p',
  c: '%a %b %e %H:%M:%S %Y',
  x: '%m/%d/%y',
  X: '%H:%M:%S',
};

const strftimeCache = new Map<string, Piece>();

export function compileStrftime(fmt: string): Piece {
  const cached = strftimeCache.get(fmt);
  if (cached) return cached;
  const pieces: Piece[] = [];
  const re = /%([-_0^#]?)([A-Za-z%])/g;
  let last = 0;
  for (let m = re.exec(fmt); m; m = re.exec(fmt)) {
    if (m.index > last) {
      const lit = fmt.slice(last, m.index);
      pieces.push(() => lit);
    }
    last = re.lastIndex;
    const flag = m[1]!;
    const letter = m[2]!;
    if (ALIASES[letter]) {
      const inner = compileStrftime(ALIASES[letter]);
      pieces.push(inner);
      continue;
    }
    const directive = DIRECTIVES[letter];
    if (!directive) {
      const lit = m[0];
      pieces.push(() => lit);
      continue;
    }
    const unpadded = flag === '-';
    pieces.push((w, us) => directive(w, unpadded, us));
  }
  if (last < fmt.length) {
    const lit = fmt.slice(last);
    pieces.push(() => lit);
  }
  const compiled: Piece =
    pieces.length === 1
      ? pieces[0]!
      : (w, us) => {
          let out = '';
          for (const p of pieces) out += p(w, us);
          return out;
        };
  if (strftimeCache.size < 2000) strftimeCache.set(fmt, compiled);
  return compiled;
}

/** DatetimeParser.format: strftime plus the whole-format specials and the `%_ms` directive. */
export function formatDatetime(dt: PyDateTime, format: string): string {
  switch (format) {
    case '%s':
      return String(Math.trunc(dt.epochMicros / US_PER_SECOND));
    case '%s_as_float':
      return pyFloatRepr(dt.epochMicros / US_PER_SECOND);
    case '%epoch_microseconds':
      return String(dt.epochMicros);
    case '%ms':
      return String(Math.trunc(dt.epochMicros / US_PER_MS));
  }
  if (format.includes('%_ms')) {
    format = format.split('%_ms').join(pad(Math.floor(dt.microsecond / 1000), 3).replace(/%/g, '%%'));
  }
  return dt.strftime(format);
}

export function pyFloatRepr(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
  const s = String(n);
  // JS writes 1e+21, Python 1e+21 too; small exponents differ only in padding (1e-07 vs 1e-7).
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

// ── strptime ────────────────────────────────────────────────────────────────────────────────────

interface FieldSet {
  Y?: number;
  y?: number;
  m?: number;
  d?: number;
  H?: number;
  I?: number;
  p?: string;
  M?: number;
  S?: number;
  f?: string;
  z?: string;
  j?: number;
  b?: string;
  Z?: string;
}

const MONTH_PATTERN = MONTH_NAMES.map((n) => `${n}|${n.slice(0, 3)}`).join('|');
const DAY_PATTERN = DAY_NAMES.map((n) => `${n}|${n.slice(0, 3)}`).join('|');

/** Python's _strptime regexes; each capturing group feeds one field. */
const PARSE_DIRECTIVES: Record<string, { re: string; field?: keyof FieldSet; numeric?: boolean }> = {
  d: { re: '(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])', field: 'd', numeric: true },
  e: { re: '(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])', field: 'd', numeric: true },
  f: { re: '([0-9]{1,6})', field: 'f' },
  H: { re: '(2[0-3]|[0-1]\\d|\\d)', field: 'H', numeric: true },
  I: { re: '(1[0-2]|0[1-9]|[1-9])', field: 'I', numeric: true },
  j: { re: '(36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])', field: 'j', numeric: true },
  m: { re: '(1[0-2]|0[1-9]|[1-9])', field: 'm', numeric: true },
  M: { re: '([0-5]\\d|\\d)', field: 'M', numeric: true },
  S: { re: '(6[0-1]|[0-5]\\d|\\d)', field: 'S', numeric: true },
  y: { re: '(\\d\\d)', field: 'y', numeric: true },
  Y: { re: '(\\d\\d\\d\\d)', field: 'Y', numeric: true },
  z: { re: '([+-]\\d\\d:?[0-5]\\d(?::?[0-5]\\d(?:\\.\\d{1,6})?)?|Z)', field: 'z' },
  Z: { re: '(utc|gmt|z)', field: 'Z' },
  b: { re: `(${MONTH_PATTERN})`, field: 'b' },
  B: { re: `(${MONTH_PATTERN})`, field: 'b' },
  h: { re: `(${MONTH_PATTERN})`, field: 'b' },
  a: { re: `(?:${DAY_PATTERN})` },
  A: { re: `(?:${DAY_PATTERN})` },
  p: { re: '(am|pm)', field: 'p' },
  w: { re: '(?:[0-6])' },
  u: { re: '(?:[1-7])' },
  U: { re: '(?:5[0-3]|[0-4]\\d|\\d)' },
  W: { re: '(?:5[0-3]|[0-4]\\d|\\d)' },
  '%': { re: '%' },
};

type Parser = (value: string) => PyDateTime;
const strptimeCache = new Map<string, Parser>();

function mismatch(value: string, format: string): ManifoldError {
  return new ManifoldError(`time data '${value}' does not match format '${format}'`, { failureType: 'config_error' });
}

/** Compiles a Python strptime format into a parser (naive results are taken as UTC). */
export function compileStrptime(format: string): Parser {
  const cached = strptimeCache.get(format);
  if (cached) return cached;
  const fields: Array<{ field: keyof FieldSet; numeric: boolean }> = [];
  let source = '';
  const re = /%([A-Za-z%])|(\s+)|([^%\s]+)|(%)/g;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    if (m[1]) {
      const d = PARSE_DIRECTIVES[m[1]];
      if (!d) throw new ManifoldError(`'${m[1]}' is a bad directive in format '${format}'`, { failureType: 'config_error' });
      source += d.re;
      if (d.field) fields.push({ field: d.field, numeric: d.numeric ?? false });
    } else if (m[2]) {
      source += '\\s+';
    } else {
      source += m[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  const regex = new RegExp(`^${source}$`, 'i');
  const parser: Parser = (value) => {
    const match = regex.exec(value);
    if (!match) throw mismatch(value, format);
    const f: FieldSet = {};
    for (let i = 0; i < fields.length; i++) {
      const { field, numeric } = fields[i]!;
      const raw = match[i + 1]!;
      (f as Record<string, unknown>)[field] = numeric ? Number(raw) : raw;
    }
    return buildFromFields(f, value, format);
  };
  if (strptimeCache.size < 2000) strptimeCache.set(format, parser);
  return parser;
}

function buildFromFields(f: FieldSet, value: string, format: string): PyDateTime {
  let year = f.Y ?? (f.y !== undefined ? (f.y < 69 ? 2000 + f.y : 1900 + f.y) : 1900);
  let month = f.m ?? 1;
  let day = f.d ?? 1;
  if (f.b) month = MONTH_NAMES.findIndex((n) => n.slice(0, 3).toLowerCase() === f.b!.slice(0, 3).toLowerCase()) + 1;
  if (f.j !== undefined && f.m === undefined && f.d === undefined) {
    const d = new Date(Date.UTC(year, 0, f.j));
    year = d.getUTCFullYear();
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  }
  if (day > daysInMonth(year, month)) throw new ManifoldError(`day is out of range for month: '${value}' ('${format}')`, { failureType: 'config_error' });
  let hour = f.H ?? 0;
  if (f.I !== undefined) {
    hour = f.I % 12;
    if (f.p && f.p.toLowerCase() === 'pm') hour += 12;
  }
  const micros = f.f ? Number(f.f.padEnd(6, '0')) : 0;
  let offset = 0;
  if (f.z && f.z !== 'Z' && f.z !== 'z') {
    const z = f.z.replace(/:/g, '');
    const sign = z[0] === '-' ? -1 : 1;
    offset = sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  }
  return PyDateTime.fromWall(year, month, day, hour, f.M ?? 0, f.S ?? 0, micros, offset);
}

function toInt(value: string | number, format: string): number {
  if (typeof value === 'number') return Math.trunc(value);
  const s = value.trim();
  if (!/^[+-]?\d+$/.test(s)) throw mismatch(value, format);
  return Number(s);
}

/** DatetimeParser.parse: strptime plus %s, %s_as_float, %ms, %_ms, %epoch_microseconds. */
export function parseDatetime(value: string | number, format: string): PyDateTime {
  switch (format) {
    case '%s':
      return PyDateTime.fromEpochMicros(toInt(value, format) * US_PER_SECOND);
    case '%s_as_float': {
      const n = Number(value);
      if (typeof value === 'string' && (value.trim() === '' || Number.isNaN(n))) throw mismatch(value, format);
      return PyDateTime.fromEpochMicros(Math.round(n * US_PER_SECOND));
    }
    case '%epoch_microseconds':
      return PyDateTime.fromEpochMicros(toInt(value, format));
    case '%ms':
      return PyDateTime.fromEpochMicros(toInt(value, format) * US_PER_MS);
  }
  const effective = format.includes('%_ms') ? format.split('%_ms').join('%f') : format;
  return compileStrptime(effective)(String(value));
}

// ── ISO parsing (dateutil.parser.isoparse) ──────────────────────────────────────────────────────

const ISO_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|(\d{2})(\d{2}))?(?:[^\d](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** dateutil isoparse; naive → UTC; the result is converted to UTC. */
export function strToDatetime(s: string): PyDateTime {
  const text = String(s).trim();
  const m = ISO_RE.exec(text);
  if (!m) throw new ManifoldError(`Invalid isoformat string: '${s}'`, { failureType: 'config_error' });
  const year = Number(m[1]);
  const month = Number(m[2] ?? m[4] ?? 1);
  const day = Number(m[3] ?? m[5] ?? 1);
  let hour = Number(m[6] ?? 0);
  const minute = Number(m[7] ?? 0);
  const second = Number(m[8] ?? 0);
  const micros = m[9] ? Number(m[9].slice(0, 6).padEnd(6, '0')) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || minute > 59 || second > 59 || hour > 24) {
    throw new ManifoldError(`Invalid isoformat string: '${s}'`, { failureType: 'config_error' });
  }
  let extraDay = 0;
  if (hour === 24) {
    if (minute || second || micros) throw new ManifoldError(`Invalid isoformat string: '${s}'`, { failureType: 'config_error' });
    hour = 0;
    extraDay = US_PER_DAY;
  }
  let offset = 0;
  const tz = m[10];
  if (tz && tz !== 'Z' && tz !== 'z') {
    const z = tz.replace(':', '');
    offset = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5) || 0));
  }
  const dt = PyDateTime.fromWall(year, month, day, hour, minute, second, micros, offset);
  return PyDateTime.fromEpochMicros(dt.epochMicros + extraDay, 0);
}

/** Parses `+05:30`/`-0800`/`Z` into minutes (used by astimezone-like helpers). */
export function parseOffset(text: string): number | undefined {
  const m = /^(?:Z|UTC|GMT|([+-])(\d{2}):?(\d{2})?)$/i.exec(text.trim());
  if (!m) return undefined;
  if (!m[1]) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}
