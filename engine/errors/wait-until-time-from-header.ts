/** WaitUntilTimeFromHeader: the response gives the epoch second when calls may resume. */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { BackoffStrategy, Outcome } from './error-handler.js';
import { numberField, numericHeader, stringField } from './backoff-support.js';

export class WaitUntilTimeFromHeader implements BackoffStrategy {
  constructor(
    private readonly header: string,
    private readonly regex: RegExp | undefined,
    private readonly minWaitSeconds: number | undefined,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {}

  backoffSeconds(outcome: Outcome): number | undefined {
    const until = numericHeader(outcome.response, this.header, this.regex);
    if (until === undefined) return undefined;
    const wait = until - this.now();
    if (this.minWaitSeconds !== undefined) return Math.max(wait, this.minWaitSeconds);
    return wait < 0 ? undefined : wait;
  }
}

export function buildWaitUntilTimeFromHeader(node: ManifestNode, ctx: BuildContext): WaitUntilTimeFromHeader {
  const header = stringField(ctx, node.header);
  if (!header) throw ctx.error('WaitUntilTimeFromHeader needs a header name', 'header');
  const regex = stringField(ctx, node.regex);
  return new WaitUntilTimeFromHeader(header, regex ? new RegExp(regex) : undefined, numberField(ctx, node.min_wait, 'min_wait'));
}

registerComponent('WaitUntilTimeFromHeader', buildWaitUntilTimeFromHeader, 'Waits until the time given in a response header.');
