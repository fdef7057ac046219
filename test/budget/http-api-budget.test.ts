import { describe, it, expect } from '@jest/globals';
import '../../engine/budget/index.js';
import { type HttpApiBudget, parseResetTime } from '../../engine/budget/index.js';
import type { HttpRequest } from '../../engine/services.js';
import { buildNode, ManualClock, maxInAnyWindow, request, services, settle } from './helpers.js';

const MINUTE = 60_000;

function budgetFrom(node: Record<string, unknown>, clock: ManualClock, config = {}): HttpApiBudget {
  return buildNode<HttpApiBudget>({ type: 'HTTPAPIBudget', ...node }, { config, services: services({ clock }) });
}

/** Fires every request at once (as N concurrent streams would) and records when each was let go. */
function burst(budget: HttpApiBudget, clock: ManualClock, requests: HttpRequest[]): { sent: number[]; done: Promise<void[]> } {
  const sent: number[] = [];
  const done = Promise.all(
    requests.map(async (r) => {
      await budget.acquire(r);
      sent.push(clock.now());
    }),
  );
  return { sent, done };
}

const times = (n: number, url: string): HttpRequest[] => Array.from({ length: n }, () => request(url));

describe('MovingWindowCallRatePolicy admission', () => {
  it('lets a burst of 90 concurrent callers through at exactly 30 per minute, never more in any minute', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const budget = budgetFrom({ policies: [{ type: 'MovingWindowCallRatePolicy', rates: [{ limit: 30, interval: 'PT1M' }], matchers: [] }] }, clock);
    const { sent, done } = burst(budget, clock, times(90, 'https://api.x.com/analytics'));
    await clock.runAll();
    await done;
    expect(sent).toHaveLength(90);
    expect(sent.filter((t) => t === t0)).toHaveLength(30);
    expect(sent.filter((t) => t === t0 + MINUTE)).toHaveLength(30);
    expect(sent.filter((t) => t === t0 + 2 * MINUTE)).toHaveLength(30);
    expect(maxInAnyWindow(sent, MINUTE)).toBe(30);
  });

  it('enforces several rates at once (3/s and 10/min, like cin7)', async () => {
    const clock = new ManualClock();
    const budget = budgetFrom(
      {
        policies: [
          {
            type: 'MovingWindowCallRatePolicy',
            rates: [
              { limit: 3, interval: 'PT1S' },
              { limit: 10, interval: 'PT1M' },
            ],
            matchers: [],
          },
        ],
      },
      clock,
    );
    const { sent, done } = burst(budget, clock, times(25, 'https://api.x.com/a'));
    await clock.runAll();
    await done;
    expect(maxInAnyWindow(sent, 1000)).toBeLessThanOrEqual(3);
    expect(maxInAnyWindow(sent, MINUTE)).toBeLessThanOrEqual(10);
    const t0 = Math.min(...sent);
    // 10 in the first minute (3+3+3+1 over four seconds), the next 10 as those leave the minute, then 3+2.
    expect(sent.filter((t) => t < t0 + MINUTE)).toHaveLength(10);
    expect(sent.filter((t) => t >= t0 + MINUTE && t < t0 + 2 * MINUTE)).toHaveLength(10);
    expect(sent.filter((t) => t >= t0 + 2 * MINUTE).sort((a, b) => a - b)).toEqual([0, 0, 0, 1000, 1000].map((d) => t0 + 2 * MINUTE + d));
  });

  it('keeps "30/min on analytics, 120/min elsewhere" apart, using >= 90% of each budget', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const budget = budgetFrom(
      {
        policies: [
          { type: 'MovingWindowCallRatePolicy', rates: [{ limit: 30, interval: 'PT1M' }], matchers: [{ url_path_pattern: '^/analytics' }] },
          { type: 'MovingWindowCallRatePolicy', rates: [{ limit: 120, interval: 'PT1M' }], matchers: [] },
        ],
      },
      clock,
    );
    // Streams keep asking: every caller sends its next request as soon as the previous one is let go.
    const analytics: number[] = [];
    const other: number[] = [];
    const end = t0 + 5 * MINUTE;
    const caller = async (url: string, log: number[]): Promise<void> => {
      while (clock.now() < end) {
        await budget.acquire(request(url));
        if (clock.now() >= end) break;
        log.push(clock.now());
      }
    };
    const callers = [
      ...Array.from({ length: 4 }, () => caller('https://api.x.com/analytics/report', analytics)),
      ...Array.from({ length: 8 }, () => caller('https://api.x.com/campaigns', other)),
    ];
    await clock.advanceTo(end);
    expect(maxInAnyWindow(analytics, MINUTE)).toBe(30);
    expect(maxInAnyWindow(other, MINUTE)).toBe(120);
    expect(analytics.length / (5 * 30)).toBeGreaterThanOrEqual(0.9);
    expect(other.length / (5 * 120)).toBeGreaterThanOrEqual(0.9);
    await clock.runAll();
    await Promise.all(callers);
  });

  it('does not limit requests no policy matches', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const budget = budgetFrom(
      { policies: [{ type: 'MovingWindowCallRatePolicy', rates: [{ limit: 1, interval: 'PT1H' }], matchers: [{ url_path_pattern: '^/slow' }] }] },
      clock,
    );
    const { sent, done } = burst(budget, clock, times(50, 'https://api.x.com/fast'));
    await done;
    expect(sent).toEqual(Array(50).fill(t0));
  });

  it('charges matcher weights against the window', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const budget = budgetFrom(
      {
        policies: [{ type: 'MovingWindowCallRatePolicy', rates: [{ limit: 10, interval: 'PT1S' }], matchers: [{ url_path_pattern: 'search', weight: 5 }, {}] }],
      },
      clock,
    );
    const { sent, done } = burst(budget, clock, [...times(3, 'https://api.x.com/search'), ...times(2, 'https://api.x.com/items')]);
    await clock.runAll();
    await done;
    // Two searches fill the second; the third search and both light calls fit together in the next one.
    expect(sent.sort((a, b) => a - b)).toEqual([t0, t0, t0 + 1000, t0 + 1000, t0 + 1000]);
  });

  it('takes the rate limit from config when it is a template', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const budget = budgetFrom(
      { policies: [{ type: 'MovingWindowCallRatePolicy', rates: [{ limit: "{{ config['rpm'] }}", interval: 'PT1M' }], matchers: [] }] },
      clock,
      { rpm: 2 },
    );
    const { sent, done } = burst(budget, clock, times(3, 'https://api.x.com/a'));
    await clock.runAll();
    await done;
    expect(sent).toEqual([t0, t0, t0 + MINUTE]);
  });
});

describe('FixedWindowCallRatePolicy admission', () => {
  it('admits call_limit per period from the first call, the rest at the next window start', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const budget = budgetFrom({ policies: [{ type: 'FixedWindowCallRatePolicy', period: 'PT1M', call_limit: 50, matchers: [] }] }, clock);
    const { sent, done } = burst(budget, clock, times(120, 'https://api.x.com/a'));
    await clock.runAll();
    await done;
    expect(sent.filter((t) => t === t0)).toHaveLength(50);
    expect(sent.filter((t) => t === t0 + MINUTE)).toHaveLength(50);
    expect(sent.filter((t) => t === t0 + 2 * MINUTE)).toHaveLength(20);
  });

  it('starts counting afresh after an idle gap longer than the period', async () => {
    const clock = new ManualClock();
    const budget = budgetFrom({ policies: [{ type: 'FixedWindowCallRatePolicy', period: 'PT1M', call_limit: 2, matchers: [] }] }, clock);
    await budget.acquire(request('https://api.x.com/a'));
    await budget.acquire(request('https://api.x.com/a'));
    await clock.advanceBy(5 * MINUTE + 10);
    const { sent, done } = burst(budget, clock, times(3, 'https://api.x.com/a'));
    await clock.runAll();
    await done;
    const now = sent[0]!;
    // The window in force began 5 minutes after the first call: the third call waits for its end.
    expect(sent).toEqual([now, now, now - 10 + MINUTE]);
  });

  it('lowers what is left when the API reports fewer remaining calls', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const budget = budgetFrom({ policies: [{ type: 'FixedWindowCallRatePolicy', period: 'PT1M', call_limit: 10, matchers: [] }] }, clock);
    const first = request('https://api.x.com/a');
    await budget.acquire(first);
    budget.observe(first, 200, { 'ratelimit-remaining': '2' });
    const { sent, done } = burst(budget, clock, times(4, 'https://api.x.com/a'));
    await clock.runAll();
    await done;
    expect(sent).toEqual([t0, t0, t0 + MINUTE, t0 + MINUTE]);
  });
});

describe('learning from responses', () => {
  it('re-dates a call to its response time, so server-side delays cannot squeeze the next window', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const budget = budgetFrom({ policies: [{ type: 'MovingWindowCallRatePolicy', rates: [{ limit: 2, interval: 'PT1S' }], matchers: [] }] }, clock);
    const slow = request('https://api.x.com/a');
    const fast = request('https://api.x.com/a');
    await budget.acquire(slow);
    await budget.acquire(fast);
    await clock.advanceBy(5);
    budget.observe(fast, 200, {});
    await clock.advanceBy(40); // the first connection took 45 ms to answer
    budget.observe(slow, 200, {});
    const { sent, done } = burst(budget, clock, times(2, 'https://api.x.com/a'));
    await clock.runAll();
    await done;
    expect(sent).toEqual([t0 + 1005, t0 + 1045]);
  });

  it('pauses the policy until the reset time after a 429, waking and re-booking waiting callers', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const budget = budgetFrom({ policies: [{ type: 'MovingWindowCallRatePolicy', rates: [{ limit: 2, interval: 'PT1S' }], matchers: [] }] }, clock);
    const first = request('https://api.x.com/a');
    await budget.acquire(first);
    const { sent, done } = burst(budget, clock, times(3, 'https://api.x.com/a'));
    await settle();
    expect(sent).toEqual([t0]);
    // The server is stricter than declared: 429 with "reset in 30 s".
    budget.observe(first, 429, { 'ratelimit-reset': '30' });
    await clock.runAll();
    await done;
    expect(sent[0]).toBe(t0);
    expect(sent.slice(1)).toEqual([t0 + 30_000, t0 + 30_000]);
  });

  it('reads custom header names, epoch reset timestamps and configured status codes', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const budget = budgetFrom(
      {
        ratelimit_reset_header: 'X-RateLimit-Reset',
        ratelimit_remaining_header: 'X-RateLimit-Remaining',
        status_codes_for_ratelimit_hit: [503],
        policies: [{ type: 'FixedWindowCallRatePolicy', period: 'PT1H', call_limit: 1000, matchers: [] }],
      },
      clock,
    );
    const r = request('https://api.x.com/a');
    await budget.acquire(r);
    budget.observe(r, 200, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor((t0 + 90_000) / 1000)) });
    const a = burst(budget, clock, times(1, 'https://api.x.com/a'));
    await clock.runAll();
    await a.done;
    expect(a.sent[0]).toBe(Math.floor((t0 + 90_000) / 1000) * 1000);

    const t1 = clock.now();
    const r2 = request('https://api.x.com/a');
    await budget.acquire(r2);
    budget.observe(r2, 429, {}); // not a rate-limit status for this budget
    budget.observe(r2, 503, { 'x-ratelimit-reset': '5' });
    const b = burst(budget, clock, times(1, 'https://api.x.com/a'));
    await clock.runAll();
    await b.done;
    expect(b.sent[0]).toBe(t1 + 5000);
  });

  it('after a 429 without a reset header waits one window (moving) or until the window ends (fixed)', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const moving = budgetFrom({ policies: [{ type: 'MovingWindowCallRatePolicy', rates: [{ limit: 100, interval: 'PT10S' }], matchers: [] }] }, clock);
    const r = request('https://api.x.com/a');
    await moving.acquire(r);
    moving.observe(r, 429, {});
    const a = burst(moving, clock, times(2, 'https://api.x.com/a'));
    await clock.runAll();
    await a.done;
    expect(a.sent).toEqual([t0 + 10_000, t0 + 10_000]);

    const fixed = budgetFrom({ policies: [{ type: 'FixedWindowCallRatePolicy', period: 'PT1M', call_limit: 100, matchers: [] }] }, clock);
    const t1 = clock.now();
    const f = request('https://api.x.com/a');
    await fixed.acquire(f);
    await clock.advanceBy(15_000);
    fixed.observe(f, 429, {});
    const b = burst(fixed, clock, times(1, 'https://api.x.com/a'));
    await clock.runAll();
    await b.done;
    expect(b.sent).toEqual([t1 + MINUTE]);
  });

  it('ignores responses to requests no policy governs and unlimited policies', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const budget = budgetFrom(
      {
        policies: [
          { type: 'UnlimitedCallRatePolicy', matchers: [{ headers: { 'X-Sandbox': 'true' } }] },
          { type: 'MovingWindowCallRatePolicy', rates: [{ limit: 1, interval: 'PT1M' }], matchers: [{ url_path_pattern: '^/limited' }] },
        ],
      },
      clock,
    );
    const sandbox = request('https://api.x.com/limited', 'GET', { 'x-sandbox': 'true' });
    const free = request('https://api.x.com/free');
    budget.observe(sandbox, 429, { 'ratelimit-reset': '100' });
    budget.observe(free, 429, { 'ratelimit-reset': '100' });
    const { sent, done } = burst(budget, clock, [sandbox, sandbox, free, free, request('https://api.x.com/limited')]);
    await done;
    expect(sent).toEqual([t0, t0, t0, t0, t0]);
  });

  it('gives the slot back and rejects when the caller aborts while waiting', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const budget = budgetFrom({ policies: [{ type: 'MovingWindowCallRatePolicy', rates: [{ limit: 1, interval: 'PT1M' }], matchers: [] }] }, clock);
    await budget.acquire(request('https://api.x.com/a'));
    const controller = new AbortController();
    const aborted = budget.acquire(request('https://api.x.com/a'), controller.signal);
    await settle();
    controller.abort(new Error('stream cancelled'));
    await expect(aborted).rejects.toThrow('stream cancelled');
    const { sent, done } = burst(budget, clock, times(1, 'https://api.x.com/a'));
    await clock.runAll();
    await done;
    expect(sent).toEqual([t0 + MINUTE]);
    expect(clock.pendingSleepers).toBe(0);
  });
});

describe('building', () => {
  it('rejects bad durations, limits and weights with located config errors', () => {
    const clock = new ManualClock();
    expect(() => budgetFrom({ policies: [{ type: 'FixedWindowCallRatePolicy', period: '1 minute', call_limit: 5, matchers: [] }] }, clock)).toThrow(
      /period must be a positive ISO-8601 duration/,
    );
    expect(() => budgetFrom({ policies: [{ type: 'MovingWindowCallRatePolicy', rates: [], matchers: [] }] }, clock)).toThrow(/rates must list/);
    expect(() =>
      budgetFrom({ policies: [{ type: 'MovingWindowCallRatePolicy', rates: [{ limit: 2, interval: 'PT1S' }], matchers: [{ weight: 3 }] }] }, clock),
    ).toThrow(/cannot exceed the lowest rate limit/);
    expect(() => budgetFrom({ policies: 'x' }, clock)).toThrow(/policies must be a list/);
  });

  it('parses reset headers as delta seconds, epoch seconds, epoch ms or HTTP dates', () => {
    const now = 1_700_000_000_000;
    expect(parseResetTime('30', now)).toBe(now + 30_000);
    expect(parseResetTime('1700000100', now)).toBe(1_700_000_100_000);
    expect(parseResetTime('1700000100000', now)).toBe(1_700_000_100_000);
    expect(parseResetTime('Tue, 14 Nov 2023 22:15:00 GMT', now)).toBe(Date.parse('2023-11-14T22:15:00Z'));
    expect(parseResetTime('soon', now)).toBeUndefined();
  });
});
