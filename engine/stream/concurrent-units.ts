/**
 * Runs work units (slices) up to `concurrency` at a time and merges what they emit into one
 * ordered-per-unit sequence, through the shared BoundedChannel: each unit's events keep their order
 * (a slice's records before its state), units interleave. Producers pause when the consumer falls
 * `highWater` events behind (weighted by `weight`: a page of records counts as its records) and
 * resume below half of it, so a slow consumer never makes a whole stream pile up in memory.
 * `highWater` 1 makes the units fetch nothing ahead of the consumer. A unit's failure ends the
 * sequence at once (events still queued are dropped).
 */
import { BoundedChannel } from './bounded-channel.js';

const HIGH_WATER = 1000;

export async function* runConcurrently<U, E>(
  units: AsyncIterator<U>,
  work: (unit: U, emit: (event: E) => Promise<void>) => Promise<void>,
  concurrency: number,
  onStop: () => void,
  weight: (event: E) => number = () => 1,
  highWater = HIGH_WATER,
): AsyncGenerator<E> {
  const channel = new BoundedChannel<E>(highWater, weight, highWater / 2);
  // Thrown into a unit's work when the consumer has stopped, to end it where it stands.
  const emit = async (event: E): Promise<void> => {
    if (!(await channel.push(event))) throw new StopSignal();
  };

  const worker = async (): Promise<void> => {
    let failure: { error: unknown } | undefined;
    try {
      while (!channel.isClosed && !channel.failed) {
        const next = await units.next();
        if (next.done) break;
        await work(next.value, emit);
      }
    } catch (error) {
      if (!(error instanceof StopSignal)) failure = { error };
    } finally {
      channel.closeProducer(failure);
    }
  };

  const workers = Math.max(1, concurrency);
  for (let i = 0; i < workers; i++) channel.openProducer();
  for (let i = 0; i < workers; i++) void worker();
  try {
    yield* channel.drain(true);
  } finally {
    onStop();
  }
}

class StopSignal extends Error {}
