/**
 * CompositeErrorHandler: asks its handlers in order. SUCCESS, RETRY, IGNORE and RATE_LIMITED
 * answers are final; a FAIL lets the next handler have a say, and the last answer stands.
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { defaultResolution, type ErrorHandler, type ErrorResolution, type Outcome } from './error-handler.js';

export class CompositeErrorHandler implements ErrorHandler {
  readonly maxRetries: number;
  readonly maxTimeSeconds: number | undefined;
  constructor(private readonly handlers: ErrorHandler[]) {
    this.maxRetries = handlers[0]?.maxRetries ?? 5;
    this.maxTimeSeconds = handlers[0]?.maxTimeSeconds;
  }

  interpret(outcome: Outcome): ErrorResolution {
    let last: ErrorResolution | undefined;
    for (const handler of this.handlers) {
      last = handler.interpret(outcome);
      if (last.action !== 'FAIL') return last;
    }
    return last ?? defaultResolution(outcome);
  }

  backoffSeconds(outcome: Outcome, attempt: number): number | undefined {
    for (const handler of this.handlers) {
      const seconds = handler.backoffSeconds(outcome, attempt);
      if (seconds !== undefined) return seconds;
    }
    return undefined;
  }
}

export function buildCompositeErrorHandler(node: ManifestNode, ctx: BuildContext): CompositeErrorHandler {
  if (!Array.isArray(node.error_handlers) || node.error_handlers.length === 0) {
    throw ctx.error('CompositeErrorHandler needs a non-empty error_handlers list', 'error_handlers');
  }
  return new CompositeErrorHandler(node.error_handlers.map((h, i) => ctx.build<ErrorHandler>(h, `error_handlers.${i}`, 'DefaultErrorHandler')));
}

registerComponent('CompositeErrorHandler', buildCompositeErrorHandler, 'Tries several error handlers in order.');
