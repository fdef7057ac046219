/**
 * FixedWindowCallRatePolicy: at most `call_limit` calls per `period`, the counter resetting at
 * each window boundary.
 *
 * Airbyte anchors the first window ten days ahead and relies on the API's reset header to
 * realign it; here the first window starts with the first call, and a server-announced reset
 * (429 / remaining=0 + reset header) moves the window to the server's.
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { parseIsoDurationMs } from './duration.js';
import { buildMatchers, Generations, MatchedPolicy, type CallRatePolicy, type RequestMatcher, type Reservation } from './policy.js';

interface FixedWindowReservation extends Reservation {
  readonly windowStart: number;
}

export class FixedWindowCallRatePolicy extends MatchedPolicy implements CallRatePolicy {
  private windowStart: number | undefined;
  /** Calls booked in the window starting at windowStart (the latest booked window). */
  private used = 0;
  private lastAt = -Infinity;
  private readonly generations = new Generations();

  constructor(
    readonly periodMs: number,
    readonly callLimit: number,
    matchers: readonly RequestMatcher[],
  ) {
    super(matchers);
  }

  get revoked(): AbortSignal {
    return this.generations.signal;
  }

  reserve(weight: number, now: number): FixedWindowReservation {
    let at = Math.max(now, this.lastAt);
    if (this.windowStart === undefined) {
      this.windowStart = at;
      this.used = 0;
    } else if (at >= this.windowStart + this.periodMs) {
      this.windowStart += Math.floor((at - this.windowStart) / this.periodMs) * this.periodMs;
      this.used = 0;
    }
    if (this.used + weight > this.callLimit) {
      this.windowStart += this.periodMs;
      this.used = 0;
      at = this.windowStart;
    }
    this.used += weight;
    this.lastAt = at;
    return { at, weight, generation: this.generations.generation, windowStart: this.windowStart };
  }

  release(reservation: Reservation): void {
    const r = reservation as FixedWindowReservation;
    if (this.isCurrent(r) && r.windowStart === this.windowStart) this.used = Math.max(0, this.used - r.weight);
  }

  isCurrent(reservation: Reservation): boolean {
    return reservation.generation === this.generations.generation;
  }

  update(now: number, remaining: number | undefined, resetAt: number | undefined): void {
    if (remaining === 0) {
      // The server's window is full: nothing goes until it resets (ours, if it did not say when).
      const start = this.windowStart ?? now;
      const currentEnd = start + Math.max(1, Math.ceil((now + 1 - start) / this.periodMs)) * this.periodMs;
      const resumeAt = resetAt !== undefined && resetAt > now ? resetAt : currentEnd;
      this.windowStart = resumeAt;
      this.used = 0;
      this.lastAt = resumeAt;
      this.generations.next();
      return;
    }
    // Only ever lower what is left: the budget may deliberately stay below the API's own limit.
    if (remaining !== undefined && this.windowStart !== undefined && this.windowStart <= now && now < this.windowStart + this.periodMs) {
      const left = this.callLimit - this.used;
      if (left > remaining) this.used = this.callLimit - remaining;
    }
  }

  describe(): string {
    return `FixedWindowCallRatePolicy(${this.callLimit} per ${this.periodMs} ms${this.matchers.length ? `, ${this.matchers.map((m) => m.describe()).join(' | ')}` : ''})`;
  }
}

export function buildFixedWindowCallRatePolicy(node: ManifestNode, ctx: BuildContext): FixedWindowCallRatePolicy {
  const periodMs = typeof node.period === 'string' ? parseIsoDurationMs(node.period) : undefined;
  if (periodMs === undefined || periodMs <= 0)
    throw ctx.error(`period must be a positive ISO-8601 duration such as PT1M, got ${JSON.stringify(node.period)}`, 'period');
  const callLimit = Number(node.call_limit);
  if (!Number.isInteger(callLimit) || callLimit < 1)
    throw ctx.error(`call_limit must be an integer >= 1, got ${JSON.stringify(node.call_limit)}`, 'call_limit');
  const matchers = buildMatchers(node, ctx);
  for (const m of matchers) {
    if ((m.weight ?? 1) > callLimit) throw ctx.error(`a matcher weight (${m.weight}) cannot exceed call_limit (${callLimit})`, 'matchers');
  }
  return new FixedWindowCallRatePolicy(periodMs, callLimit, matchers);
}

registerComponent('FixedWindowCallRatePolicy', buildFixedWindowCallRatePolicy, 'At most call_limit calls per fixed period window.');
