/**
 * A complete HTTP exchange whose body cannot be decoded: JSON cut short by a proxy (with a
 * Content-Length that matches the cut body), an HTML error page served with status 200, invalid
 * JSON. The request loop retries these for idempotent requests under the error handler's budget
 * (see http/send-with-retries.ts); the message names method, URL, status and a body excerpt.
 */
import { ManifoldError, type ManifoldErrorOptions } from './manifold-error.js';

export class InvalidBodyError extends ManifoldError {
  constructor(message: string, options: Omit<ManifoldErrorOptions, 'failureType'> = {}) {
    super(message, { ...options, failureType: 'system_error' });
    this.name = 'InvalidBodyError';
  }
}

export function isInvalidBody(e: unknown): e is InvalidBodyError {
  return e instanceof InvalidBodyError;
}
