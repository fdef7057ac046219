/**
 * Runs async iterables with bounded concurrency and merges their items into one iterable.
 * Producers push into a small bounded buffer and wait while it is full, so a slow consumer
 * (stdout, a destination) slows every HTTP loop down instead of letting memory grow.
 * Order within one producer is preserved. `capacity` counts items by `weight` (a batch of
 * messages weighs its length).
 */
export async function* mergeConcurrent<T>(
  producers: Iterable<() => AsyncIterable<T>>,
  concurrency: number,
  capacity = 1024,
  weight: (item: T) => number = () => 1,
): AsyncGenerator<T> {
  const queue: T[] = [];
  let head = 0;
  let queued = 0;
  let failure: { error: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  const blockedProducers: Array<() => void> = [];
  let stopped = false;
  let running = 0;
  const pending = producers[Symbol.iterator]();

  const notify = (): void => {
    const wake = wakeConsumer;
    wakeConsumer = undefined;
    wake?.();
  };

  const runProducer = async (make: () => AsyncIterable<T>): Promise<void> => {
    try {
      for await (const item of make()) {
        if (stopped) return;
        queue.push(item);
        queued += weight(item);
        notify();
        if (queued >= capacity) await new Promise<void>((r) => blockedProducers.push(r));
        if (stopped) return;
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      running--;
      if (!stopped && !failure) startNext();
      notify();
    }
  };

  const startNext = (): void => {
    const next = pending.next();
    if (next.done) return;
    running++;
    void runProducer(next.value);
  };

  try {
    for (let i = 0; i < Math.max(1, concurrency); i++) startNext();
    for (;;) {
      if (head < queue.length) {
        const item = queue[head]!;
        queue[head++] = undefined as T;
        queued -= weight(item);
        if (head > 4096 && head * 2 > queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        if (blockedProducers.length && queued < capacity) blockedProducers.splice(0).forEach((r) => r());
        yield item;
        continue;
      }
      if (failure) throw failure.error;
      if (running === 0) return;
      blockedProducers.splice(0).forEach((r) => r());
      await new Promise<void>((r) => (wakeConsumer = r));
    }
  } finally {
    stopped = true;
    blockedProducers.splice(0).forEach((r) => r());
  }
}
