/** ApiKeyAuthenticator: a token from config injected as a header, query parameter or body field. */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Authenticator } from '../contracts.js';
import { RequestOption } from '../http/request-option.js';
import type { RequestOptions } from '../types.js';
import { ConfigSecret } from './token-support.js';

export class ApiKeyAuthenticator implements Authenticator {
  constructor(
    private readonly token: ConfigSecret,
    private readonly option: RequestOption,
  ) {}

  async authOptions(): Promise<Partial<RequestOptions>> {
    const out: Partial<RequestOptions> = {};
    this.option.inject(out, this.token.get());
    return out;
  }
}

export function buildApiKeyAuthenticator(node: ManifestNode, ctx: BuildContext): ApiKeyAuthenticator {
  let option: RequestOption;
  if (node.inject_into !== undefined && node.inject_into !== null) {
    option = ctx.build<RequestOption>(node.inject_into, 'inject_into', 'RequestOption');
  } else if (node.header !== undefined && node.header !== null) {
    option = new RequestOption('header', [String(node.header)]);
  } else {
    throw ctx.error('ApiKeyAuthenticator needs inject_into (or the older header field)', 'inject_into');
  }
  if (option.isPath) throw ctx.error('An API key cannot be injected into the path', 'inject_into');
  return new ApiKeyAuthenticator(new ConfigSecret(node.api_token, ctx, 'api_token'), option);
}

registerComponent('ApiKeyAuthenticator', buildApiKeyAuthenticator, 'API key in a header, query parameter or body field.');
