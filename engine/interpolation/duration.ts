/**
 * Python `timedelta` / isodate `Duration` as one value: calendar months (years folded in) plus an
 * exact number of microseconds. Months stay separate because "P1M" has no fixed length: it is
 * applied to wall-clock fields (Jan 31 + P1M = Feb 28/29, per isodate).
 */
import { ManifoldError } from '../errors/manifold-error.js';

const US_PER_SECOND = 1_000_000;
const US_PER_DAY = 86_400 * US_PER_SECOND;

const ISO_DURATION =
  /^([+-])?P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

const parseCache = new Map<string, PyDuration>();

export class PyDuration {
  constructor(
    readonly months: number,
    readonly micros: number,
  ) {}

  static fromMicros(us: number): PyDuration {
    return new PyDuration(0, Math.round(us));
  }

  static fromParts(p: {
    days?: number;
    hours?: number;
    minutes?: number;
    seconds?: number;
    microseconds?: number;
    milliseconds?: number;
    weeks?: number;
  }): PyDuration {
    const us =
      ((p.weeks ?? 0) * 7 + (p.days ?? 0)) * US_PER_DAY +
      ((p.hours ?? 0) * 3600 + (p.minutes ?? 0) * 60 + (p.seconds ?? 0)) * US_PER_SECOND +
      (p.milliseconds ?? 0) * 1000 +
      (p.microseconds ?? 0);
    return PyDuration.fromMicros(us);
  }

  /** isodate.parse_duration: `P1D`, `PT0.000001S`, `P1Y2M`, `-P1W`. Durations are cached (cursor code parses them often). */
  static parse(iso: string): PyDuration {
    const cached = parseCache.get(iso);
    if (cached) return cached;
    const m = ISO_DURATION.exec(String(iso).trim());
    if (!m || iso.trim() === 'P' || /T$/.test(iso.trim())) {
      throw new ManifoldError(`Unable to parse duration string '${iso}'`, { failureType: 'config_error' });
    }
    const num = (i: number): number => (m[i] ? Number(m[i]!.replace(',', '.')) : 0);
    const sign = m[1] === '-' ? -1 : 1;
    const months = num(2) * 12 + num(3);
    const micros = PyDuration.fromParts({ weeks: num(4), days: num(5), hours: num(6), minutes: num(7), seconds: num(8) }).micros;
    const d = new PyDuration(sign * Math.trunc(months), sign * micros);
    if (parseCache.size < 1000) parseCache.set(iso, d);
    return d;
  }

  /** Python timedelta.days / .seconds / .microseconds (normalised: only days may be negative). */
  get days(): number {
    return Math.floor(this.micros / US_PER_DAY);
  }
  get seconds(): number {
    return Math.floor((this.micros - this.days * US_PER_DAY) / US_PER_SECOND);
  }
  get microseconds(): number {
    return this.micros - this.days * US_PER_DAY - this.seconds * US_PER_SECOND;
  }

  totalMicros(): number {
    return this.micros;
  }

  /** timedelta.total_seconds() */
  total_seconds(): number {
    return this.micros / US_PER_SECOND;
  }

  negate(): PyDuration {
    return new PyDuration(-this.months, -this.micros);
  }

  plus(o: PyDuration): PyDuration {
    return new PyDuration(this.months + o.months, this.micros + o.micros);
  }

  times(k: number): PyDuration {
    return new PyDuration(Math.trunc(this.months * k), Math.round(this.micros * k));
  }

  compare(o: PyDuration): number {
    return this.months - o.months || this.micros - o.micros;
  }

  /** isodate.duration_isoformat: `P1D`, `P6DT23H`, `PT0.000001S`, `P0D` for zero. */
  isoformat(): string {
    const negative = this.months < 0 || (this.months === 0 && this.micros < 0);
    const months = Math.abs(this.months);
    let us = Math.abs(this.micros);
    const days = Math.floor(us / US_PER_DAY);
    us -= days * US_PER_DAY;
    const hours = Math.floor(us / 3_600_000_000);
    us -= hours * 3_600_000_000;
    const minutes = Math.floor(us / 60_000_000);
    us -= minutes * 60_000_000;
    const seconds = Math.floor(us / US_PER_SECOND);
    us -= seconds * US_PER_SECOND;
    let out = '';
    if (months >= 12) out += `${Math.floor(months / 12)}Y`;
    if (months % 12) out += `${months % 12}M`;
    if (days) out += `${days}D`;
    if (hours || minutes || seconds || us) {
      out += 'T';
      if (hours) out += `${hours}H`;
      if (minutes) out += `${minutes}M`;
      if (seconds || us) out += us ? `${seconds}.${String(us).padStart(6, '0')}S` : `${seconds}S`;
    }
    return `${negative ? '-' : ''}P${out || '0D'}`;
  }

  /** Python str(timedelta): `1 day, 0:00:00`, `0:00:01.500000`. */
  toString(): string {
    const days = this.days;
    let rest = this.micros - days * US_PER_DAY;
    const h = Math.floor(rest / 3_600_000_000);
    rest -= h * 3_600_000_000;
    const m = Math.floor(rest / 60_000_000);
    rest -= m * 60_000_000;
    const s = Math.floor(rest / US_PER_SECOND);
    const us = rest - s * US_PER_SECOND;
    const time = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${us ? `.${String(us).padStart(6, '0')}` : ''}`;
    const prefix = this.months ? `${this.months} month${Math.abs(this.months) === 1 ? '' : 's'}, ` : '';
    return days ? `${prefix}${days} day${Math.abs(days) === 1 ? '' : 's'}, ${time}` : `${prefix}${time}`;
  }
}
