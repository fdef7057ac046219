/** ConstantBackoffStrategy: the same wait before every retry (plus optional jitter). */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { BackoffStrategy } from './error-handler.js';
import { jitter, numberField } from './backoff-support.js';

export class ConstantBackoffStrategy implements BackoffStrategy {
  constructor(
    private readonly seconds: number,
    private readonly jitterSeconds?: number,
  ) {}
  backoffSeconds(): number {
    return this.seconds + jitter(this.jitterSeconds);
  }
}

export function buildConstantBackoffStrategy(node: ManifestNode, ctx: BuildContext): ConstantBackoffStrategy {
  const seconds = numberField(ctx, node.backoff_time_in_seconds, 'backoff_time_in_seconds');
  if (seconds === undefined) throw ctx.error('ConstantBackoffStrategy needs backoff_time_in_seconds', 'backoff_time_in_seconds');
  return new ConstantBackoffStrategy(seconds, numberField(ctx, node.jitter_range_in_seconds, 'jitter_range_in_seconds'));
}

registerComponent('ConstantBackoffStrategy', buildConstantBackoffStrategy, 'Waits a fixed time between retries.');
