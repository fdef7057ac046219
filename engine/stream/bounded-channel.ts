/**
 * The one bounded queue between concurrent producers and a single consumer (streams merged by the
 * Source, slices merged by a stream). Producers `push` and wait while the queue holds `capacity`
 * or more (by weight: a page of records weighs its records), so a slow consumer slows every HTTP
 * loop down instead of letting memory grow. Each producer's items keep their order.
 *
 * Wake-ups: the consumer waits only after seeing an empty queue with producers still open, and
 * every push and every producer ending wakes it; JavaScript runs the check and the wait with no
 * await between them, so no wake-up can fall in the gap. Producers resume when the consumer asks
 * for more and the queue is below `resumeBelow`, or whenever the consumer finds the queue empty.
 */
export class BoundedChannel<T> {
  private readonly items: Array<{ item: T; weight: number } | undefined> = [];
  private head = 0;
  private queued = 0;
  private open = 0;
  private failure: { error: unknown } | undefined;
  private closed = false;
  private wakeConsumer: (() => void) | undefined;
  private blocked: Array<() => void> = [];

  constructor(
    private readonly capacity: number,
    private readonly weight: (item: T) => number = () => 1,
    private readonly resumeBelow = capacity,
  ) {}

  /** True once the consumer has stopped (it finished, failed or broke off): producers should stop. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** True once a producer failed. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** A producer starts: the consumer does not end while one is open. */
  openProducer(): void {
    this.open++;
  }

  /** A producer ended; with `error` it failed, which ends the consumer with that error (the first one wins). */
  closeProducer(error?: { error: unknown }): void {
    this.open--;
    if (error && !this.failure) this.failure = error;
    this.notify();
  }

  /**
   * Queues `item` and resolves when the producer may go on. False when the consumer has stopped
   * (the item is then dropped, or was never queued): the producer should end.
   */
  async push(item: T): Promise<boolean> {
    if (this.closed) return false;
    const weight = this.weight(item);
    this.items.push({ item, weight });
    this.queued += weight;
    this.notify();
    if (this.queued >= this.capacity) await new Promise<void>((resolve) => this.blocked.push(resolve));
    return !this.closed;
  }

  /**
   * The items, in queue order, until every producer has ended. A producer failure ends it with the
   * error: at once with `failFast` (queued items are dropped), else after the queued items.
   * Stopping early (break, return, an error) closes the channel and releases blocked producers.
   */
  async *drain(failFast: boolean): AsyncGenerator<T> {
    try {
      for (;;) {
        if (failFast && this.failure) throw this.failure.error;
        if (this.head < this.items.length) {
          const entry = this.items[this.head]!;
          this.items[this.head++] = undefined;
          this.queued -= entry.weight;
          if (this.head > 4096 && this.head * 2 > this.items.length) {
            this.items.splice(0, this.head);
            this.head = 0;
          }
          yield entry.item;
          // Producers resume once the consumer asks for more, not when it merely took this item:
          // with a capacity of 1 nothing is fetched before it is wanted.
          if (this.queued < this.resumeBelow) this.releaseProducers();
          continue;
        }
        if (this.failure) throw this.failure.error;
        if (this.open === 0) return;
        this.releaseProducers();
        await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      }
    } finally {
      this.closed = true;
      this.releaseProducers();
    }
  }

  private notify(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }

  private releaseProducers(): void {
    if (this.blocked.length === 0) return;
    const waiting = this.blocked;
    this.blocked = [];
    for (const resume of waiting) resume();
  }
}
