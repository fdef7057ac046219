import { describe, expect, it } from '@jest/globals';
import { mergeConcurrent } from '../../engine/source/merge.js';

async function* produce(name: string, n: number, log: string[], delayMs = 0): AsyncGenerator<string> {
  for (let i = 0; i < n; i++) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    log.push(`${name}${i}`);
    yield `${name}${i}`;
  }
}

describe('mergeConcurrent', () => {
  it('keeps each producer in order and yields everything exactly once', async () => {
    const log: string[] = [];
    const out: string[] = [];
    for await (const x of mergeConcurrent([() => produce('a', 50, log, 1), () => produce('b', 30, log), () => produce('c', 10, log, 2)], 2)) out.push(x);
    expect([...out].sort()).toEqual([...log].sort());
    for (const p of ['a', 'b', 'c']) {
      const mine = out.filter((x) => x.startsWith(p));
      expect(mine).toEqual([...mine].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1))));
    }
    expect(out.length).toBe(90);
  });

  it('runs no more producers at once than the concurrency allows', async () => {
    let active = 0;
    let peak = 0;
    const producer = (n: number) =>
      async function* () {
        active++;
        peak = Math.max(peak, active);
        for (let i = 0; i < n; i++) {
          await new Promise((r) => setTimeout(r, 1));
          yield i;
        }
        active--;
      };
    let count = 0;
    for await (const _ of mergeConcurrent(
      Array.from({ length: 8 }, () => producer(5)),
      3,
    ))
      count++;
    expect(count).toBe(40);
    expect(peak).toBe(3);
  });

  it('applies backpressure: producers stop pulling while the consumer is slow', async () => {
    let produced = 0;
    async function* fast() {
      for (let i = 0; i < 10_000; i++) {
        produced++;
        yield i;
      }
    }
    const it = mergeConcurrent([fast], 1, 16)[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setTimeout(r, 20));
    // Only about one buffer's worth was pulled ahead of the consumer.
    expect(produced).toBeLessThanOrEqual(20);
    await it.return?.(undefined);
  });

  it('rethrows a producer failure to the consumer', async () => {
    async function* boom(): AsyncGenerator<number> {
      yield 1;
      throw new Error('producer failed');
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const x of mergeConcurrent([boom], 2)) seen.push(x);
      })(),
    ).rejects.toThrow('producer failed');
    expect(seen).toEqual([1]);
  });
});
