/** WaitTimeFromHeader: the response says how many seconds to wait (e.g. Retry-After). */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { ManifoldError } from './manifold-error.js';
import type { BackoffStrategy, Outcome } from './error-handler.js';
import { numberField, numericHeader, stringField } from './backoff-support.js';

export class WaitTimeFromHeader implements BackoffStrategy {
  constructor(
    private readonly header: string,
    private readonly regex: RegExp | undefined,
    private readonly maxWaitSeconds: number | undefined,
  ) {}

  backoffSeconds(outcome: Outcome): number | undefined {
    const seconds = numericHeader(outcome.response, this.header, this.regex);
    if (seconds === undefined) return undefined;
    if (this.maxWaitSeconds !== undefined && seconds >= this.maxWaitSeconds) {
      throw new ManifoldError(
        `The API asked to wait ${seconds}s (header ${this.header}), more than max_waiting_time_in_seconds (${this.maxWaitSeconds}s); giving up.`,
        { failureType: 'transient_error' },
      );
    }
    return seconds;
  }
}

export function buildWaitTimeFromHeader(node: ManifestNode, ctx: BuildContext): WaitTimeFromHeader {
  const header = stringField(ctx, node.header);
  if (!header) throw ctx.error('WaitTimeFromHeader needs a header name', 'header');
  const regex = stringField(ctx, node.regex);
  return new WaitTimeFromHeader(
    header,
    regex ? new RegExp(regex) : undefined,
    numberField(ctx, node.max_waiting_time_in_seconds, 'max_waiting_time_in_seconds'),
  );
}

registerComponent('WaitTimeFromHeader', buildWaitTimeFromHeader, 'Waits the number of seconds given in a response header.');
