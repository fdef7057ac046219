/**
 * Time source for api_budget scheduling. Injectable so tests can drive admission schedules
 * deterministically instead of waiting on wall-clock time.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => (signal ? sleepFor(ms, undefined, { signal }) : sleepFor(ms)),
};
