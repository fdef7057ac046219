/**
 * UnlimitedCallRatePolicy: the requests it matches go at once. Useful before a limited policy, to
 * exempt some of the requests that policy would otherwise match (first matching policy wins).
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { buildMatchers, MatchedPolicy, type CallRatePolicy, type Reservation } from './policy.js';

const NEVER_REVOKED = new AbortController().signal;

export class UnlimitedCallRatePolicy extends MatchedPolicy implements CallRatePolicy {
  readonly revoked: AbortSignal = NEVER_REVOKED;

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
