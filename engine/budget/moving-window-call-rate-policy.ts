/**
 * MovingWindowCallRatePolicy: for every rate, at most `limit` calls in ANY span of `interval`
 * (a sliding window over the send times of past calls). Several rates combine, e.g. 3/s and 60/min.
 */
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { parseIsoDurationMs } from './duration.js';
import { buildMatchers, Generations, MatchedPolicy, type CallRatePolicy, type RequestMatcher, type Reservation } from './policy.js';

export interface Rate {
  limit: number;
  intervalMs: number;
}

export class MovingWindowCallRatePolicy extends MatchedPolicy implements CallRatePolicy {
  /** Send times (ascending) and weights of calls still inside the longest interval, from `head` on. */
  private times: number[] = [];
  private weights: number[] = [];
  private head = 0;
  private lastAt = -Infinity;
  private pausedUntil = -Infinity;
  private readonly longestMs: number;
  private readonly shortestMs: number;
  private readonly generations = new Generations();

  constructor(
    readonly rates: readonly Rate[],
    matchers: readonly RequestMatcher[],
  ) {
    super(matchers);
    this.longestMs = Math.max(...rates.map((r) => r.intervalMs));
    this.shortestMs = Math.min(...rates.map((r) => r.intervalMs));
  }

  get revoked(): AbortSignal {
    return this.generations.signal;
  }

  reserve(weight: number, now: number): Reservation {
    this.forgetBefore(now - this.longestMs);
    let at = Math.max(now, this.lastAt, this.pausedUntil);
    const { times, weights, head } = this;
    for (const rate of this.rates) {
      // Booked calls are never later than `at`, so walking back from the newest one finds the call
      // that must leave this rate's window before one more fits: the slot is when it does.
      const room = rate.limit - weight;
      let inWindow = 0;
      for (let i = times.length - 1; i >= head; i--) {
        const t = times[i]!;
        if (t <= at - rate.intervalMs) break;
        inWindow += weights[i]!;
        if (inWindow > room) {
          at = t + rate.intervalMs;
          break;
        }
      }
    }
    times.push(at);
    weights.push(weight);
    this.lastAt = at;
    return { at, weight, generation: this.generations.generation };
  }

  release(reservation: Reservation): void {
    if (!this.isCurrent(reservation)) return;
    for (let i = this.times.length - 1; i >= this.head; i--) {
      if (this.times[i] === reservation.at && this.weights[i] === reservation.weight) {
        this.times.splice(i, 1);
        this.weights.splice(i, 1);
        break;
      }
    }
    this.lastAt = this.times.length > this.head ? this.times[this.times.length - 1]! : -Infinity;
  }

  confirm(reservation: Reservation, now: number): void {
    if (!this.isCurrent(reservation) || now <= reservation.at) return;
    const { times, weights } = this;
    let from = -1;
    for (let i = times.length - 1; i >= this.head; i--) {
      if (times[i] === reservation.at && weights[i] === reservation.weight) {
        from = i;
        break;
      }
    }
    if (from < 0) return;
    // Move the entry to `now`, keeping send times ascending (later bookings are all >= now).
    let to = from;
    while (to + 1 < times.length && times[to + 1]! <= now) {
      times[to] = times[to + 1]!;
      weights[to] = weights[to + 1]!;
      to++;
    }
    times[to] = now;
    weights[to] = reservation.weight;
    this.lastAt = Math.max(this.lastAt, now);
  }

  isCurrent(reservation: Reservation): boolean {
    return reservation.generation === this.generations.generation;
  }

  update(now: number, remaining: number | undefined, resetAt: number | undefined): void {
    if (remaining !== 0) return;
    // Without a reset time, wait as Airbyte does: as if the shortest window had just filled up.
    const resumeAt = resetAt !== undefined && resetAt > now ? resetAt : now + this.shortestMs;
    this.pausedUntil = Math.max(this.pausedUntil, resumeAt);
    // Slots booked for later were computed without knowing the server is full: revoke them.
    while (this.times.length > this.head && this.times[this.times.length - 1]! > now) {
      this.times.pop();
      this.weights.pop();
    }
    this.lastAt = this.times.length > this.head ? this.times[this.times.length - 1]! : -Infinity;
    this.generations.next();
  }

  describe(): string {
    const rates = this.rates.map((r) => `${r.limit} per ${r.intervalMs} ms`).join(', ');
    return `MovingWindowCallRatePolicy(${rates}${this.matchers.length ? `; ${this.matchers.map((m) => m.describe()).join(' | ')}` : ''})`;
  }

  private forgetBefore(cutoff: number): void {
    const { times } = this;
    while (this.head < times.length && times[this.head]! <= cutoff) this.head++;
    // Compact now and then so the arrays stay as small as the longest window.
    if (this.head > 1024 && this.head * 2 > times.length) {
      this.times = times.slice(this.head);
      this.weights = this.weights.slice(this.head);
      this.head = 0;
    }
  }
}

function buildRate(item: unknown, index: number, ctx: BuildContext): Rate {
  const field = `rates[${index}]`;
  if (!item || typeof item !== 'object') throw ctx.error('each rate needs limit and interval', field);
  const node = item as ManifestNode;
  // Rate.limit may be a template over config (e.g. a plan-dependent limit).
  const limit = Number(InterpolatedString.create(node.limit, { parameters: ctx.parameters }).eval({ config: ctx.config, parameters: ctx.parameters }));
  if (!Number.isInteger(limit) || limit < 1) throw ctx.error(`limit must be an integer >= 1, got ${JSON.stringify(node.limit)}`, field);
  const intervalMs = typeof node.interval === 'string' ? parseIsoDurationMs(node.interval) : undefined;
  if (intervalMs === undefined || intervalMs <= 0)
    throw ctx.error(`interval must be a positive ISO-8601 duration such as PT1M, got ${JSON.stringify(node.interval)}`, field);
  return { limit, intervalMs };
}

export function buildMovingWindowCallRatePolicy(node: ManifestNode, ctx: BuildContext): MovingWindowCallRatePolicy {
  if (!Array.isArray(node.rates) || node.rates.length === 0) throw ctx.error('rates must list at least one {limit, interval}', 'rates');
  const rates = node.rates.map((r, i) => buildRate(r, i, ctx));
  const lowest = Math.min(...rates.map((r) => r.limit));
  const matchers = buildMatchers(node, ctx);
  for (const m of matchers) {
    if ((m.weight ?? 1) > lowest) throw ctx.error(`a matcher weight (${m.weight}) cannot exceed the lowest rate limit (${lowest})`, 'matchers');
  }
  return new MovingWindowCallRatePolicy(rates, matchers);
}

registerComponent('MovingWindowCallRatePolicy', buildMovingWindowCallRatePolicy, 'At most limit calls in any sliding interval, for each listed rate.');
