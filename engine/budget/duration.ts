/**
 * Policy windows as milliseconds, parsed by the interpolation layer's isodate-compatible
 * PyDuration. Calendar months have no fixed length; a window needs one, so a month counts 30 days.
 */
import { PyDuration } from '../interpolation/duration.js';

const MS_PER_MONTH = 30 * 86_400_000;

/** Milliseconds in an ISO-8601 duration (`PT1M`, `PT0.5S`, `P1D`), or undefined if it is not one. */
export function parseIsoDurationMs(text: string): number | undefined {
  let duration: PyDuration;
  try {
    duration = PyDuration.parse(text);
  } catch {
    return undefined;
  }
  return duration.months * MS_PER_MONTH + duration.totalMicros() / 1000;
}
