/**
 * SessionTokenAuthenticator: logs in with its own requester, takes the token at
 * session_token_path and injects it (ApiKey into a header/param, or Bearer) until
 * expiration_duration passes or the API answers 401.
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Authenticator, Requester } from '../contracts.js';
import { ConfigError, ManifoldError } from '../errors/manifold-error.js';
import type { RequestOption } from '../http/request-option.js';
import { EMPTY_SLICE, type RequestOptions } from '../types.js';
import { SharedToken, getPath, parseIsoDurationMs, type TokenGrant } from './token-support.js';

export class SessionTokenAuthenticator implements Authenticator {
  constructor(
    private readonly login: Requester,
    private readonly tokenPath: string[],
    private readonly lifetimeMs: number | undefined,
    /** Where the token goes; undefined = `Authorization: Bearer`. */
    private readonly option: RequestOption | undefined,
    private readonly shared: SharedToken,
  ) {}

  async authOptions(signal?: AbortSignal): Promise<Partial<RequestOptions>> {
    const token = await this.shared.get(() => this.logIn(), signal);
    if (!this.option) return { headers: { Authorization: `Bearer ${token}` } };
    const out: Partial<RequestOptions> = {};
    this.option.inject(out, token);
    return out;
  }

  invalidate(): boolean {
    this.shared.invalidate();
    return true;
  }

  private async logIn(signal?: AbortSignal): Promise<TokenGrant> {
    const response = await this.login.send({
      stream: 'session-login',
      slice: EMPTY_SLICE,
      nextPageToken: undefined,
      extra: [],
      signal,
      credentialResponse: true,
    });
    if (!response) throw new ManifoldError('The session login request was ignored by its error handler; no session token.', { failureType: 'config_error' });
    const token = getPath(response.json(), this.tokenPath);
    if (token === undefined || token === null || token === '') {
      throw new ConfigError(`The login response has no session token at ${this.tokenPath.join('.')} (check session_token_path and the login credentials).`);
    }
    this.shared.registerSecret(String(token));
    return { token: String(token), expiresAt: this.lifetimeMs === undefined ? undefined : Date.now() + this.lifetimeMs };
  }
}

export function buildSessionTokenAuthenticator(node: ManifestNode, ctx: BuildContext): SessionTokenAuthenticator {
  if (!Array.isArray(node.session_token_path) || node.session_token_path.length === 0) {
    throw ctx.error('session_token_path must be a non-empty list of keys', 'session_token_path');
  }
  const login = ctx.build<Requester>(node.login_requester, 'login_requester', 'HttpRequester');
  let lifetimeMs: number | undefined;
  if (node.expiration_duration) {
    lifetimeMs = parseIsoDurationMs(String(node.expiration_duration));
    if (lifetimeMs === undefined)
      throw ctx.error(`expiration_duration must be an ISO-8601 duration like PT1H (got "${String(node.expiration_duration)}")`, 'expiration_duration');
  }
  const auth = (node.request_authentication ?? { type: 'Bearer' }) as ManifestNode;
  let option: RequestOption | undefined;
  if (auth.type === 'ApiKey') {
    option = ctx.build<RequestOption>(auth.inject_into, 'request_authentication.inject_into', 'RequestOption');
  } else if (auth.type !== 'Bearer') {
    throw ctx.error('request_authentication.type must be ApiKey or Bearer', 'request_authentication');
  }
  const key = `session:${JSON.stringify(node.login_requester)}:${JSON.stringify(node.session_token_path)}`;
  return new SessionTokenAuthenticator(login, node.session_token_path.map(String), lifetimeMs, option, new SharedToken(ctx.services, key));
}

registerComponent('SessionTokenAuthenticator', buildSessionTokenAuthenticator, 'Logs in for a session token and sends it with each request.');
