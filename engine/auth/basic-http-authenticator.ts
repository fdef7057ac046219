/** BasicHttpAuthenticator: `Authorization: Basic base64(username:password)`; password may be empty. */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Authenticator } from '../contracts.js';
import type { EngineServices } from '../services.js';
import type { RequestOptions } from '../types.js';
import { ConfigSecret } from './token-support.js';

const EMPTY_PAIR = Buffer.from(':').toString('base64');

export class BasicHttpAuthenticator implements Authenticator {
  private header: string | undefined;
  constructor(
    private readonly username: ConfigSecret,
    private readonly password: ConfigSecret,
    private readonly services: EngineServices,
  ) {}

  async authOptions(): Promise<Partial<RequestOptions>> {
    if (this.header === undefined) {
      const encoded = Buffer.from(`${this.username.get()}:${this.password.get()}`, 'utf8').toString('base64');
      // An empty pair (a config without credentials) encodes to a constant that is no secret.
      if (encoded !== EMPTY_PAIR) this.services.secrets.add(encoded);
      this.header = `Basic ${encoded}`;
    }
    return { headers: { Authorization: this.header } };
  }
}

export function buildBasicHttpAuthenticator(node: ManifestNode, ctx: BuildContext): BasicHttpAuthenticator {
  return new BasicHttpAuthenticator(
    new ConfigSecret(node.username, ctx, 'username'),
    new ConfigSecret(node.password ?? '', ctx, 'password', false),
    ctx.services,
  );
}

registerComponent('BasicHttpAuthenticator', buildBasicHttpAuthenticator, 'HTTP Basic authentication.');
