/** NoAuth: requests go out without credentials. */
import { registerComponent } from '../registry.js';
import type { Authenticator } from '../contracts.js';
import type { RequestOptions } from '../types.js';

export class NoAuth implements Authenticator {
  async authOptions(): Promise<Partial<RequestOptions>> {
    return {};
  }
}

export function buildNoAuth(): NoAuth {
  return new NoAuth();
}

registerComponent('NoAuth', buildNoAuth, 'No authentication.');
