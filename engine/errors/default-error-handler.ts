/**
 * DefaultErrorHandler: response filters first (first match wins), then Airbyte's default status
 * mapping; backoff from the first strategy that has an answer.
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { InterpolatedString } from '../interpolation/index.js';
import { defaultResolution, type BackoffStrategy, type ErrorHandler, type ErrorResolution, type Outcome, type ResponseFilter } from './error-handler.js';

export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_MAX_TIME_SECONDS = 600;

export class DefaultErrorHandler implements ErrorHandler {
  readonly maxTimeSeconds = DEFAULT_MAX_TIME_SECONDS;
  constructor(
    readonly maxRetries: number,
    private readonly filters: ResponseFilter[],
    private readonly strategies: BackoffStrategy[],
  ) {}

  interpret(outcome: Outcome): ErrorResolution {
    for (const filter of this.filters) {
      const resolution = filter.matches(outcome);
      if (resolution) return resolution;
    }
    return defaultResolution(outcome);
  }

  backoffSeconds(outcome: Outcome, attempt: number): number | undefined {
    for (const strategy of this.strategies) {
      const seconds = strategy.backoffSeconds(outcome, attempt);
      if (seconds !== undefined) return seconds;
    }
    return undefined;
  }
}

export function buildDefaultErrorHandler(node: ManifestNode, ctx: BuildContext): DefaultErrorHandler {
  const filters = Array.isArray(node.response_filters)
    ? node.response_filters.map((f, i) => ctx.build<ResponseFilter>(f, `response_filters.${i}`, 'HttpResponseFilter'))
    : [];
  const strategies = Array.isArray(node.backoff_strategies)
    ? node.backoff_strategies.map((s, i) => ctx.build<BackoffStrategy>(s, `backoff_strategies.${i}`, 'ExponentialBackoffStrategy'))
    : [];
  let maxRetries = DEFAULT_MAX_RETRIES;
  if (node.max_retries !== undefined && node.max_retries !== null) {
    maxRetries = Number(
      InterpolatedString.create(node.max_retries, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters }),
    );
    if (!Number.isInteger(maxRetries) || maxRetries < 0) throw ctx.error('max_retries must be a non-negative integer', 'max_retries');
  }
  return new DefaultErrorHandler(maxRetries, filters, strategies);
}

registerComponent('DefaultErrorHandler', buildDefaultErrorHandler, 'Retries or fails per response filters and default HTTP status rules.');
