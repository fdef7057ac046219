/**
 * Instants for cursors: epoch microseconds as plain numbers (exact to µs through year 2255, and
 * comparable with `<` without allocating), parsed and formatted by the interpolation layer's
 * DatetimeParser (strftime + %s, %ms, %_ms, %s_as_float, %epoch_microseconds).
 */
import { formatDatetime, parseDatetime, PyDateTime, strToDatetime } from '../interpolation/datetime.js';
import { PyDuration } from '../interpolation/duration.js';

export type Micros = number;

/** Python's datetime.min / datetime.max (UTC), the bounds a cursor clamps to. */
export const MIN_INSTANT: Micros = PyDateTime.fromWall(1, 1, 1).epochMicros;
export const MAX_INSTANT: Micros = PyDateTime.fromWall(9999, 12, 31, 23, 59, 59, 999_999).epochMicros;

/** Now, as the interpolation layer sees it (frozen by its setNowForTesting in tests). */
export function nowMicros(): Micros {
  return PyDateTime.now().epochMicros;
}

/** `dt ± duration`; months follow isodate (day clamped to the month), results clamp to datetime.min/max. */
export function addDuration(us: Micros, duration: PyDuration, sign: 1 | -1 = 1): Micros {
  if (us >= MAX_INSTANT && sign > 0) return MAX_INSTANT;
  const dt = PyDateTime.fromEpochMicros(us);
  const out = (sign > 0 ? dt.plus(duration) : dt.minus(duration)).epochMicros;
  return Number.isFinite(out) ? Math.min(MAX_INSTANT, Math.max(MIN_INSTANT, out)) : sign > 0 ? MAX_INSTANT : MIN_INSTANT;
}

export function parseDuration(iso: string): PyDuration {
  return PyDuration.parse(iso);
}

// ── parsing / formatting (delegated to the interpolation layer's DatetimeParser) ───────────────

/** strptime (with Airbyte's extra directives); undefined when `value` does not match. Naive → UTC. */
export function tryParse(value: unknown, format: string): Micros | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    return parseDatetime(typeof value === 'number' ? value : String(value), format).epochMicros;
  } catch {
    return undefined;
  }
}

/** Tries each format in order (Airbyte's cursor_datetime_formats rule). */
export function parseWithFormats(value: unknown, formats: readonly string[]): Micros | undefined {
  for (const f of formats) {
    const us = tryParse(value, f);
    if (us !== undefined) return us;
  }
  return undefined;
}

/** ISO-8601 (dateutil isoparse), naive → UTC. */
export function parseIso(value: string): Micros | undefined {
  try {
    return strToDatetime(value).epochMicros;
  } catch {
    return undefined;
  }
}

/** strftime of the UTC instant (with Airbyte's extra directives). */
export function formatInstant(us: Micros, format: string): string {
  return formatDatetime(PyDateTime.fromEpochMicros(us), format);
}

/** Python's `datetime.isoformat()` of the UTC instant (`2021-01-01T00:00:00+00:00`). */
export function isoformat(us: Micros): string {
  return PyDateTime.fromEpochMicros(us).isoformat();
}
