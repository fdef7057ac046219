/**
 * LegacySessionTokenAuthenticator (deprecated in Airbyte, still used by Metabase): the raw session
 * token goes into `header`. A session_token from config is used while `validate_session_url`
 * accepts it; otherwise (or after a 401) it logs in with username/password at `login_url` (JSON
 * POST) and takes the token at `session_token_response_key`.
 *
 * Both URLs are paths under the requester's url_base, which the HttpRequester hands over as
 * `api_url` (Airbyte's factory does the same).
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Authenticator, Requester } from '../contracts.js';
import { ConfigError } from '../errors/manifold-error.js';
import { EMPTY_SLICE, type RequestOptions } from '../types.js';
import { ConfigSecret, SharedToken, type TokenGrant } from './token-support.js';

export class LegacySessionTokenAuthenticator implements Authenticator {
  constructor(
    private readonly header: string,
    private readonly configToken: ConfigSecret,
    private readonly username: ConfigSecret,
    private readonly password: ConfigSecret,
    private readonly login: Requester,
    private readonly validate: Requester,
    private readonly tokenKey: string,
    private readonly shared: SharedToken,
  ) {}

  async authOptions(signal?: AbortSignal): Promise<Partial<RequestOptions>> {
    const token = await this.shared.get(() => this.obtain(), signal);
    return { headers: { [this.header]: token } };
  }

  invalidate(): boolean {
    this.shared.invalidate();
    return true;
  }

  private async obtain(signal?: AbortSignal): Promise<TokenGrant> {
    const fromConfig = this.configToken.get();
    if (fromConfig && (await this.isValid(fromConfig, signal))) return { token: fromConfig };
    const username = this.username.get();
    const password = this.password.get();
    if (username && password) {
      const token = await this.logIn(signal);
      if (await this.isValid(token, signal)) return { token };
    }
    throw new ConfigError('Invalid credentials: the session token is not valid; provide a valid session_token, or username and password.');
  }

  private async logIn(signal?: AbortSignal): Promise<string> {
    const response = await this.login.send({
      stream: 'session-login',
      slice: EMPTY_SLICE,
      nextPageToken: undefined,
      extra: [],
      signal,
      credentialResponse: true,
    });
    const body = response?.json() as Record<string, unknown> | undefined;
    const token = body && typeof body === 'object' ? body[this.tokenKey] : undefined;
    if (token === undefined || token === null || token === '') {
      throw new ConfigError(`The login response has no session token under "${this.tokenKey}" (check session_token_response_key and the credentials).`);
    }
    this.shared.registerSecret(String(token));
    return String(token);
  }

  /** The validation request's error handler turns 401 into IGNORE (no response): not valid. */
  private async isValid(token: string, signal?: AbortSignal): Promise<boolean> {
    const extra = [{ headers: { [this.header]: token } }];
    const response = await this.validate.send({ stream: 'session-validate', slice: EMPTY_SLICE, nextPageToken: undefined, extra, signal });
    return response !== undefined;
  }
}

export function buildLegacySessionTokenAuthenticator(node: ManifestNode, ctx: BuildContext): LegacySessionTokenAuthenticator {
  for (const field of ['header', 'login_url', 'session_token_response_key', 'validate_session_url']) {
    if (typeof node[field] !== 'string' || node[field] === '') throw ctx.error(`LegacySessionTokenAuthenticator needs ${field}`, field);
  }
  const apiUrl = node.api_url ?? node.url_base;
  if (apiUrl === undefined) throw ctx.error('LegacySessionTokenAuthenticator must sit on an HttpRequester with a url_base', 'login_url');
  const requester = (path: unknown, method: string, extra: ManifestNode): ManifestNode => ({
    type: 'HttpRequester',
    url_base: apiUrl,
    path,
    http_method: method,
    $parameters: ctx.parameters,
    ...extra,
  });
  const login = ctx.build<Requester>(
    requester(node.login_url, 'POST', {
      request_headers: { 'Content-Type': 'application/json' },
      request_body_json: { username: node.username ?? '', password: node.password ?? '' },
    }),
    'login_url',
  );
  const validate = ctx.build<Requester>(
    requester(node.validate_session_url, 'GET', {
      error_handler: { type: 'DefaultErrorHandler', max_retries: 0, response_filters: [{ type: 'HttpResponseFilter', action: 'IGNORE', http_codes: [401] }] },
    }),
    'validate_session_url',
  );
  const header = String(node.header);
  return new LegacySessionTokenAuthenticator(
    header,
    new ConfigSecret(node.session_token, ctx, 'session_token', false),
    new ConfigSecret(node.username, ctx, 'username', false),
    new ConfigSecret(node.password, ctx, 'password', false),
    login,
    validate,
    String(node.session_token_response_key),
    new SharedToken(ctx.services, `legacy-session:${header}:${JSON.stringify(apiUrl)}:${String(node.login_url)}`),
  );
}

registerComponent(
  'LegacySessionTokenAuthenticator',
  buildLegacySessionTokenAuthenticator,
  'Session token in a header: from config while valid, else by username/password login (deprecated in Airbyte).',
);
