/**
 * The contract between HTTPAPIBudget and its call-rate policies (folder-local: nothing outside
 * engine/budget needs it).
 *
 * Admission works by reservation rather than polling: a caller books the earliest slot the window
 * allows and sleeps exactly until then. Booking is synchronous, so any number of concurrent
 * callers get distinct slots and the limit can never be overshot; slots are handed out in FIFO
 * order, which keeps the window arithmetic a single backwards scan.
 */
import { setMaxListeners } from 'node:events';
import type { BuildContext, ManifestNode } from '../registry.js';

/** A request as matchers see it: parsed once per request, not once per matcher. */
export interface MatchableRequest {
  /** Upper-case method. */
  method: string;
  /** Undefined when the URL cannot be parsed (then only method/header matchers can match). */
  url: URL | undefined;
  /** Header names lower-cased. */
  headers: Record<string, string>;
}

export interface RequestMatcher {
  matches(request: MatchableRequest): boolean;
  /** Calls a matching request costs (HttpRequestRegexMatcher.weight); undefined = 1. */
  readonly weight: number | undefined;
  describe(): string;
}

export interface Reservation {
  /** Epoch ms at which the call may be sent. */
  readonly at: number;
  readonly weight: number;
  /** Policy generation the slot was booked in; a pause starts a new generation. */
  readonly generation: number;
}

export interface CallRatePolicy {
  matches(request: MatchableRequest): boolean;
  weightFor(request: MatchableRequest): number;
  /** Books the earliest slot at or after `now` for `weight` calls. */
  reserve(weight: number, now: number): Reservation;
  /** Returns a booked slot that will not be used (caller aborted, or its slot was revoked). */
  release(reservation: Reservation): void;
  /**
   * The response to the call sent in this slot arrived at `now`. The server counted the call at
   * some point before that, so a sliding window may re-date the call to `now`: connection setup
   * and queueing delay the server's clock, and a slot computed from send times alone can land a
   * few milliseconds inside the server's window.
   */
  confirm?(reservation: Reservation, now: number): void;
  /** False once a pause revoked the slot: the caller must book again. */
  isCurrent(reservation: Reservation): boolean;
  /** Aborts when a pause revokes booked slots, so sleepers wake up and re-book. */
  readonly revoked: AbortSignal;
  /**
   * Learns from a response: `remaining` calls the server still allows (0 after a rate-limit
   * status) and when its window resets (epoch ms), each undefined when the server did not say.
   */
  update(now: number, remaining: number | undefined, resetAt: number | undefined): void;
  describe(): string;
}

/** Airbyte: a policy without matchers applies to every request; otherwise any matcher will do. */
export function matchesAny(matchers: readonly RequestMatcher[], request: MatchableRequest): boolean {
  if (matchers.length === 0) return true;
  for (const matcher of matchers) if (matcher.matches(request)) return true;
  return false;
}

/** Weight of the first matching matcher (Airbyte's get_weight). */
export function weightFor(matchers: readonly RequestMatcher[], request: MatchableRequest): number {
  for (const matcher of matchers) if (matcher.matches(request)) return matcher.weight ?? 1;
  return 1;
}

/** Which requests a policy governs and what each one costs: the same for every policy kind. */
export abstract class MatchedPolicy {
  constructor(protected readonly matchers: readonly RequestMatcher[]) {}

  matches(request: MatchableRequest): boolean {
    return matchesAny(this.matchers, request);
  }

  weightFor(request: MatchableRequest): number {
    return weightFor(this.matchers, request);
  }
}

/** Generation bookkeeping shared by the limited policies. */
export class Generations {
  generation = 0;
  private controller = Generations.fresh();

  /** Every waiting caller listens to it, so the default cap of 10 listeners would only warn. */
  private static fresh(): AbortController {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Revokes every slot booked so far and wakes their sleepers. */
  next(): void {
    this.generation++;
    const previous = this.controller;
    this.controller = Generations.fresh();
    previous.abort();
  }
}

/** Builds a policy's `matchers` list (items default to HttpRequestRegexMatcher). */
export function buildMatchers(node: ManifestNode, ctx: BuildContext): RequestMatcher[] {
  const list = node.matchers ?? [];
  if (!Array.isArray(list)) throw ctx.error('matchers must be a list of HttpRequestRegexMatcher', 'matchers');
  return list.map((item, i) => ctx.build<RequestMatcher>(item, `matchers[${i}]`, 'HttpRequestRegexMatcher'));
}
