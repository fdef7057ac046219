/**
 * The bounded queue between concurrent producers and one consumer (BoundedChannel), directly and
 * through its two users: mergeConcurrent (streams of a Source) and runConcurrently (slices of a
 * stream). Lost wake-ups are how concurrent readers hang, so the interleavings are randomised
 * (seeded) and a watchdog turns a hang into a failure: it counts event-loop turns without progress.
 */
import { describe, it, expect } from '@jest/globals';
import { BoundedChannel } from '../../engine/stream/bounded-channel.js';
import { mergeConcurrent } from '../../engine/source/merge.js';
import { runConcurrently } from '../../engine/stream/concurrent-units.js';

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Some asynchrony: none, a microtask, a few microtasks, or a macrotask turn. */
async function jitter(rand: () => number): Promise<void> {
  const r = rand();
  if (r < 0.25) return;
  if (r < 0.5) await Promise.resolve();
  else if (r < 0.75) for (let i = 0; i < 1 + Math.floor(rand() * 5); i++) await null;
  else await turn();
}

/** Consumes `source`, failing with "stalled" after 2000 event-loop turns with no item taken. */
async function collect<T>(source: AsyncIterable<T>, rand?: () => number): Promise<T[]> {
  const out: T[] = [];
  let done = false;
  let progress = 0;
  const watchdog = (async () => {
    let seen = -1;
    let idle = 0;
    while (!done) {
      await turn();
      if (progress !== seen) {
        seen = progress;
        idle = 0;
      } else if (++idle > 2000) throw new Error(`stalled after ${out.length} items`);
    }
  })();
  const consume = (async () => {
    for await (const item of source) {
      out.push(item);
      progress++;
      if (rand) await jitter(rand);
    }
    done = true;
  })();
  await Promise.race([consume, watchdog]);
  done = true;
  await consume;
  return out;
}

/** Settles everything that can run without a new event-loop turn, and a few turns more. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await turn();
}

describe('BoundedChannel: no lost wake-ups', () => {
  for (const seed of Array.from({ length: 40 }, (_, i) => i + 1)) {
    it(`delivers every item once, in each producer's order, and ends (seed ${seed})`, async () => {
      const rand = random(seed);
      const producers = 2 + Math.floor(rand() * 8);
      const capacity = 1 + Math.floor(rand() * 4);
      const channel = new BoundedChannel<{ p: number; i: number; w: number }>(capacity, (item) => item.w, Math.max(1, capacity / 2));
      const counts = Array.from({ length: producers }, () => Math.floor(rand() * 30));
      for (let p = 0; p < producers; p++) channel.openProducer();
      counts.forEach((count, p) => {
        void (async () => {
          await jitter(rand);
          for (let i = 0; i < count; i++) {
            await jitter(rand);
            await channel.push({ p, i, w: 1 + Math.floor(rand() * 3) });
          }
          await jitter(rand);
          channel.closeProducer();
        })();
      });
      const out = await collect(channel.drain(seed % 2 === 0), rand);
      expect(out.length).toBe(counts.reduce((a, b) => a + b, 0));
      for (let p = 0; p < producers; p++) {
        expect(out.filter((x) => x.p === p).map((x) => x.i)).toEqual(Array.from({ length: counts[p]! }, (_, i) => i));
      }
    });
  }

  it('ends when the last producer closes without pushing anything, while the consumer waits', async () => {
    const channel = new BoundedChannel<number>(4);
    channel.openProducer();
    channel.openProducer();
    setImmediate(() => channel.closeProducer());
    setImmediate(() => setImmediate(() => channel.closeProducer()));
    expect(await collect(channel.drain(false))).toEqual([]);
  });

  it('mergeConcurrent with random producer timings merges everything (20 seeds)', async () => {
    for (let seed = 100; seed < 120; seed++) {
      const rand = random(seed);
      const sizes = Array.from({ length: 6 }, () => Math.floor(rand() * 40));
      const producers = sizes.map(
        (n, p) =>
          async function* () {
            for (let i = 0; i < n; i++) {
              await jitter(rand);
              yield `${p}:${i}`;
            }
          },
      );
      const out = await collect(mergeConcurrent(producers, 1 + (seed % 4), 1 + (seed % 3)), rand);
      expect(out.length).toBe(sizes.reduce((a, b) => a + b, 0));
      sizes.forEach((n, p) => expect(out.filter((x) => x.startsWith(`${p}:`))).toEqual(Array.from({ length: n }, (_, i) => `${p}:${i}`)));
    }
  });

  it('runConcurrently with random unit timings merges everything (20 seeds)', async () => {
    for (let seed = 200; seed < 220; seed++) {
      const rand = random(seed);
      const sizes = Array.from({ length: 10 }, () => Math.floor(rand() * 20));
      async function* units(): AsyncGenerator<number> {
        for (let u = 0; u < sizes.length; u++) {
          await jitter(rand);
          yield u;
        }
      }
      const work = async (u: number, emit: (event: string) => Promise<void>): Promise<void> => {
        for (let i = 0; i < sizes[u]!; i++) {
          await jitter(rand);
          await emit(`${u}:${i}`);
        }
      };
      const out = await collect(
        runConcurrently(
          units(),
          work,
          1 + (seed % 4),
          () => {},
          () => 1,
          1 + (seed % 3),
        ),
        rand,
      );
      expect(out.length).toBe(sizes.reduce((a, b) => a + b, 0));
      sizes.forEach((n, u) => expect(out.filter((x) => x.startsWith(`${u}:`))).toEqual(Array.from({ length: n }, (_, i) => `${u}:${i}`)));
    }
  });
});

describe('BoundedChannel: backpressure', () => {
  it('lets producers run at most `capacity` (by weight) ahead of the consumer', async () => {
    const channel = new BoundedChannel<number>(5, (n) => n);
    let pushed = 0;
    let weightPushed = 0;
    channel.openProducer();
    void (async () => {
      for (let i = 0; i < 200; i++) {
        const weight = 1 + (i % 3);
        pushed++;
        weightPushed += weight;
        if (!(await channel.push(weight))) return;
      }
      channel.closeProducer();
    })();
    await settle();
    // 1 + 2 + 3 = 6 >= 5: the third push waits.
    expect(pushed).toBe(3);
    const consumer = channel.drain(false);
    let taken = 0;
    for (let step = 0; step < 50; step++) {
      const next = await consumer.next();
      taken += next.value as number;
      await settle();
      expect(weightPushed - taken).toBeLessThan(5 + 3);
    }
    await consumer.return(undefined);
  });

  it('with capacity 1 and resumption below 1/2, fetches nothing before it is wanted (one event per running unit)', async () => {
    for (const concurrency of [1, 3]) {
      let fetched = 0;
      async function* units(): AsyncGenerator<number> {
        for (let u = 0; u < 3; u++) yield u;
      }
      const work = async (_u: number, emit: (event: number) => Promise<void>): Promise<void> => {
        for (let i = 0; i < 5; i++) {
          fetched++;
          await emit(fetched);
        }
      };
      const events = runConcurrently(
        units(),
        work,
        concurrency,
        () => {},
        () => 1,
        1,
      );
      let pulled = 0;
      for (;;) {
        const next = await events.next();
        if (next.done) break;
        pulled++;
        await settle();
        // While the consumer holds an event, each running unit has at most the one it is waiting to hand over.
        expect(fetched - pulled).toBeLessThanOrEqual(concurrency - 1);
        if (concurrency === 1) expect(fetched).toBe(pulled);
      }
      expect(pulled).toBe(15);
    }
  });

  it('mergeConcurrent keeps a fast producer within its buffer while the consumer holds an item', async () => {
    let produced = 0;
    async function* fast(): AsyncGenerator<number> {
      for (let i = 0; i < 10_000; i++) {
        produced++;
        yield i;
      }
    }
    const merged = mergeConcurrent([fast], 1, 16);
    for (let i = 0; i < 100; i++) {
      await merged.next();
      await settle();
      expect(produced - (i + 1)).toBeLessThanOrEqual(16);
    }
    await merged.return(undefined);
  });
});

describe('BoundedChannel: cancellation and failure', () => {
  it('a consumer that stops early releases blocked producers, which see push() answer false', async () => {
    const channel = new BoundedChannel<number>(2);
    const answers: boolean[] = [];
    for (let p = 0; p < 3; p++) {
      channel.openProducer();
      void (async () => {
        for (let i = 0; ; i++) {
          const more = await channel.push(i);
          if (!more) {
            answers.push(more);
            channel.closeProducer();
            return;
          }
        }
      })();
    }
    await settle();
    for await (const item of channel.drain(false)) if (item >= 0) break;
    await settle();
    expect(answers).toEqual([false, false, false]);
    expect(channel.isClosed).toBe(true);
    expect(await channel.push(1)).toBe(false);
  });

  it('mergeConcurrent: breaking off ends the running producers (their finally runs) and starts no other', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const producers = Array.from(
      { length: 6 },
      (_, p) =>
        async function* () {
          started.push(p);
          try {
            for (let i = 0; ; i++) yield i;
          } finally {
            finished.push(p);
          }
        },
    );
    let taken = 0;
    for await (const _ of mergeConcurrent(producers, 2, 4)) if (++taken === 10) break;
    await settle();
    expect(started).toEqual([0, 1]);
    expect(finished.sort()).toEqual([0, 1]);
  });

  it('runConcurrently: breaking off calls onStop once, stops the units mid-work and pulls no more units', async () => {
    let stops = 0;
    let unitsPulled = 0;
    const stoppedWork: number[] = [];
    async function* units(): AsyncGenerator<number> {
      for (let u = 0; u < 100; u++) {
        unitsPulled++;
        yield u;
      }
    }
    const work = async (u: number, emit: (event: number) => Promise<void>): Promise<void> => {
      try {
        for (let i = 0; ; i++) await emit(i);
      } catch (e) {
        stoppedWork.push(u);
        throw e;
      }
    };
    let taken = 0;
    for await (const _ of runConcurrently(
      units(),
      work,
      3,
      () => stops++,
      () => 1,
      8,
    ))
      if (++taken === 20) break;
    await settle();
    expect(stops).toBe(1);
    expect(unitsPulled).toBe(3);
    expect(stoppedWork.sort()).toEqual([0, 1, 2]);
  });

  it('mergeConcurrent delivers the items queued before a failure, then the error, and starts no producer after it', async () => {
    const started: string[] = [];
    const producer = (name: string, fail: boolean) =>
      async function* () {
        started.push(name);
        yield `${name}1`;
        yield `${name}2`;
        if (fail) throw new Error(`${name} failed`);
      };
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const x of mergeConcurrent([producer('a', true), producer('b', false), producer('c', false)], 1, 100)) seen.push(x);
      })(),
    ).rejects.toThrow('a failed');
    expect(seen).toEqual(['a1', 'a2']);
    expect(started).toEqual(['a']);
  });

  it('runConcurrently fails at once (events still queued are dropped) and the other units stop', async () => {
    let unitsPulled = 0;
    async function* units(): AsyncGenerator<number> {
      for (let u = 0; u < 10; u++) {
        unitsPulled++;
        yield u;
      }
    }
    const work = async (u: number, emit: (event: string) => Promise<void>): Promise<void> => {
      await emit(`${u}a`);
      await emit(`${u}b`);
      if (u === 0) throw new Error('unit 0 failed');
    };
    const events = runConcurrently(
      units(),
      work,
      1,
      () => {},
      () => 1,
      100,
    );
    expect((await events.next()).value).toBe('0a');
    await settle();
    // '0b' was queued before the failure; the failure comes first.
    await expect(events.next()).rejects.toThrow('unit 0 failed');
    expect(unitsPulled).toBe(1);
  });
});
