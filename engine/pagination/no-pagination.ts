/** NoPagination: one request per slice. */
import type { Paginator } from '../contracts.js';
import { registerComponent } from '../registry.js';
import type { NextPageToken, RequestOptions } from '../types.js';

export class NoPagination implements Paginator {
  async initialToken(): Promise<NextPageToken> {
    return undefined;
  }
  nextToken(): NextPageToken {
    return undefined;
  }
  pathOverride(): string | undefined {
    return undefined;
  }
  requestOptions(): Partial<RequestOptions> {
    return {};
  }
}

export function buildNoPagination(): NoPagination {
  return new NoPagination();
}

registerComponent('NoPagination', buildNoPagination, 'A single request per slice.');
