/**
 * Runs async iterables with bounded concurrency and merges their items into one iterable, through
 * the shared BoundedChannel (a slow consumer slows the producers down). Order within one producer
 * is preserved. `capacity` counts items by `weight` (a batch of messages weighs its length). A
 * producer failure reaches the consumer after the items already queued; no producer starts after it.
 */
import { BoundedChannel } from '../stream/bounded-channel.js';

export async function* mergeConcurrent<T>(
  producers: Iterable<() => AsyncIterable<T>>,
  concurrency: number,
  capacity = 1024,
  weight: (item: T) => number = () => 1,
): AsyncGenerator<T> {
  const channel = new BoundedChannel<T>(capacity, weight);
  const pending = producers[Symbol.iterator]();

  const runProducer = async (make: () => AsyncIterable<T>): Promise<void> => {
    let failure: { error: unknown } | undefined;
    try {
      for await (const item of make()) {
        if (!(await channel.push(item))) return;
      }
    } catch (error) {
      failure = { error };
    } finally {
      channel.closeProducer(failure);
      if (!channel.isClosed && !channel.failed) startNext();
    }
  };

  const startNext = (): void => {
    const next = pending.next();
    if (next.done) return;
    channel.openProducer();
    void runProducer(next.value);
  };

  for (let i = 0; i < Math.max(1, concurrency); i++) startNext();
  yield* channel.drain(false);
}
