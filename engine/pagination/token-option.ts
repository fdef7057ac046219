/** The part of RequestOption/RequestPath the paginators rely on (engine/http/request-option.ts builds them). */
import type { RequestOptions } from '../types.js';

export interface TokenOption {
  readonly isPath: boolean;
  inject(target: Partial<RequestOptions>, value: unknown): void;
}
