/**
 * ISO-8601 durations (`PT1M`, `PT0.5S`, `P1D`, `P1W`) as milliseconds, for policy windows.
 * Local stand-in until engine/interpolation/datetime.ts exposes PyDuration.parse; years and months
 * use 365 and 30 days, which is precise enough for a rate window.
 */
const ISO_DURATION = /^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const UNIT_MS = [365 * 86_400_000, 30 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000];

/** Milliseconds in `text`, or undefined when it is not an ISO-8601 duration. */
export function parseIsoDurationMs(text: string): number | undefined {
  const match = ISO_DURATION.exec(text.trim().toUpperCase());
  if (!match) return undefined;
  let total = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const part = match[i + 1];
    if (part !== undefined) total += Number(part) * UNIT_MS[i]!;
  }
  return total;
}
