/**
 * UnlimitedCallRatePolicy: the requests it matches go at once. Useful before a limited policy, to
 * exempt some of the requests that policy would otherwise match (first matching policy wins).
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { buildMatchers, matchesAny, weightFor, type CallRatePolicy, type MatchableRequest, type RequestMatcher, type Reservation } from './policy.js';

const NEVER_REVOKED = new AbortController().signal;

export class UnlimitedCallRatePolicy implements CallRatePolicy {
  readonly revoked: AbortSignal = NEVER_REVOKED;

  constructor(private readonly matchers: readonly RequestMatcher[]) {}

  matches(request: MatchableRequest): boolean {
    return matchesAny(this.matchers, request);
  }

  weightFor(request: MatchableRequest): number {
    return weightFor(this.matchers, request);
  }

  reserve(weight: number, now: number): Reservation {
    return { at: now, weight, generation: 0 };
  }

  release(): void {}

  isCurrent(): boolean {
    return true;
  }

  update(): void {}

  describe(): string {
    return 'UnlimitedCallRatePolicy';
  }
}

export function buildUnlimitedCallRatePolicy(node: ManifestNode, ctx: BuildContext): UnlimitedCallRatePolicy {
  return new UnlimitedCallRatePolicy(buildMatchers(node, ctx));
}

registerComponent('UnlimitedCallRatePolicy', buildUnlimitedCallRatePolicy, 'Exempts the requests it matches from rate limiting.');
