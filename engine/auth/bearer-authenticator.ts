/** BearerAuthenticator: `Authorization: Bearer <api_token>`. */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Authenticator } from '../contracts.js';
import type { RequestOptions } from '../types.js';
import { ConfigSecret } from './token-support.js';

export class BearerAuthenticator implements Authenticator {
  constructor(private readonly token: ConfigSecret) {}

  async authOptions(): Promise<Partial<RequestOptions>> {
    return { headers: { Authorization: `Bearer ${this.token.get()}` } };
  }
}

export function buildBearerAuthenticator(node: ManifestNode, ctx: BuildContext): BearerAuthenticator {
  return new BearerAuthenticator(new ConfigSecret(node.api_token, ctx, 'api_token'));
}

registerComponent('BearerAuthenticator', buildBearerAuthenticator, 'Bearer token in the Authorization header.');
