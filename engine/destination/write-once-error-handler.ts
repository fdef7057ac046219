/**
 * WriteOnceErrorHandler: wraps the manifest's error handler for non-idempotent writes (POST
 * creates). Once a request may have reached the server — a 5xx, a timeout, a reset after sending —
 * repeating it could create the object twice, so those outcomes FAIL instead of being retried.
 * Connection refused (nothing was sent) and 429 (the server refused to act) keep the inner
 * handler's retry behaviour. Operations add it themselves; manifests never name it.
 */
import type { ErrorHandler, ErrorResolution, Outcome } from '../errors/error-handler.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';

/** Network failures that happen before any byte of the request left. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

export class WriteOnceErrorHandler implements ErrorHandler {
  constructor(
    private readonly inner: ErrorHandler,
    private readonly method: string,
  ) {}

  get maxRetries(): number {
    return this.inner.maxRetries;
  }

  get maxTimeSeconds(): number | undefined {
    return this.inner.maxTimeSeconds;
  }

  interpret(outcome: Outcome): ErrorResolution {
    const resolution = this.inner.interpret(outcome);
    if (resolution.action !== 'RETRY') return resolution;
    const mayHaveReachedServer = outcome.response
      ? outcome.response.status >= 500 || outcome.response.status === 408
      : !NOT_SENT_CODES.has(outcome.error.code ?? '');
    if (!mayHaveReachedServer) return resolution;
    return {
      action: 'FAIL',
      failureType: 'transient_error',
      message: `${resolution.message ?? 'retryable failure'} — not retried: ${this.method} is not idempotent and the server may already have applied it`,
    };
  }

  backoffSeconds(outcome: Outcome, attempt: number): number | undefined {
    return this.inner.backoffSeconds(outcome, attempt);
  }
}

export function buildWriteOnceErrorHandler(node: ManifestNode, ctx: BuildContext): WriteOnceErrorHandler {
  const inner = ctx.build<ErrorHandler>(node.error_handler ?? {}, 'error_handler', 'DefaultErrorHandler');
  return new WriteOnceErrorHandler(inner, String(node.http_method ?? 'POST'));
}

registerComponent(
  'WriteOnceErrorHandler',
  buildWriteOnceErrorHandler,
  'Internal: fails instead of retrying a non-idempotent write that may have reached the server.',
);
