/**
 * Raised by the request loop when an error handler answers RESET_PAGINATION: the API refuses to
 * page any further (Freshdesk stops at page 300), so the retriever restarts the slice's pagination.
 */
import { ManifoldError } from './manifold-error.js';

export class PaginationResetRequired extends ManifoldError {
  constructor(message: string, stream?: string) {
    super(message, { failureType: 'system_error', ...(stream === undefined ? {} : { stream }) });
    this.name = 'PaginationResetRequired';
  }
}

export function isPaginationResetRequired(e: unknown): e is PaginationResetRequired {
  return e instanceof PaginationResetRequired;
}
