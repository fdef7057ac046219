/** ExponentialBackoffStrategy: factor × 2^attempt seconds (Airbyte's default, factor 5). */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { BackoffStrategy, Outcome } from './error-handler.js';
import { jitter, numberField } from './backoff-support.js';

export const DEFAULT_BACKOFF_FACTOR = 5;

export class ExponentialBackoffStrategy implements BackoffStrategy {
  constructor(
    private readonly factor = DEFAULT_BACKOFF_FACTOR,
    private readonly jitterSeconds?: number,
  ) {}
  backoffSeconds(_outcome: Outcome, attempt: number): number {
    return this.factor * 2 ** attempt + jitter(this.jitterSeconds);
  }
}

export function buildExponentialBackoffStrategy(node: ManifestNode, ctx: BuildContext): ExponentialBackoffStrategy {
  return new ExponentialBackoffStrategy(
    numberField(ctx, node.factor, 'factor') ?? DEFAULT_BACKOFF_FACTOR,
    numberField(ctx, node.jitter_range_in_seconds, 'jitter_range_in_seconds'),
  );
}

registerComponent('ExponentialBackoffStrategy', buildExponentialBackoffStrategy, 'Doubles the wait after each retry.');
