/**
 * Runs work units (slices) up to `concurrency` at a time and merges what they emit into one
 * ordered-per-unit sequence: each unit's events keep their order (a slice's records before its
 * state), units interleave. Producers pause when the consumer falls HIGH_WATER events behind
 * (weighted by `weight`: a page of records counts as its records), so a slow consumer never makes
 * a whole stream pile up in memory. `highWater` 1 makes the units fetch nothing ahead of the consumer.
 */
const HIGH_WATER = 1000;

export async function* runConcurrently<U, E>(
  units: AsyncIterator<U>,
  work: (unit: U, emit: (event: E) => Promise<void>) => Promise<void>,
  concurrency: number,
  onStop: () => void,
  weight: (event: E) => number = () => 1,
  highWater = HIGH_WATER,
): AsyncGenerator<E> {
  const queue: E[] = [];
  let queued = 0;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let running = 0;
  let exhausted = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducers: Array<() => void> = [];

  const notify = (): void => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };
  const emit = async (event: E): Promise<void> => {
    if (stopped) throw new StopSignal();
    queue.push(event);
    queued += weight(event);
    notify();
    if (queued >= highWater) await new Promise<void>((r) => wakeProducers.push(r));
    if (stopped) throw new StopSignal();
  };

  const worker = async (): Promise<void> => {
    try {
      while (!stopped && !failure) {
        const next = await units.next();
        if (next.done) break;
        await work(next.value, emit);
      }
    } catch (error) {
      if (!(error instanceof StopSignal) && !failure) failure = { error };
    } finally {
      running--;
      if (running === 0) exhausted = true;
      notify();
    }
  };

  running = Math.max(1, concurrency);
  for (let i = 0; i < running; i++) void worker();
  try {
    while (true) {
      if (failure) throw failure.error;
      if (queue.length > 0) {
        const event = queue.shift()!;
        queued -= weight(event);
        yield event;
        // Producers resume once the consumer asks for more, not when it merely took this event: with
        // a high-water mark of 1 nothing is fetched before it is wanted.
        if (queued < highWater / 2 && wakeProducers.length) {
          const waiting = wakeProducers;
          wakeProducers = [];
          for (const w of waiting) w();
        }
        continue;
      }
      if (exhausted) return;
      await new Promise<void>((r) => (wakeConsumer = r));
    }
  } finally {
    stopped = true;
    for (const w of wakeProducers) w();
    onStop();
  }
}

class StopSignal extends Error {}
