/**
 * OAuthAuthenticator (OAuth2 refresh_token and client_credentials grants), as Airbyte's
 * DeclarativeOauth2Authenticator: form-encoded POST to token_refresh_endpoint, token fields found
 * anywhere in the response, token cached per run and shared by all streams (one refresh in
 * flight at a time), and a rotated refresh token written back to the config and emitted as a
 * CONNECTOR_CONFIG control message so the platform keeps it.
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Authenticator } from '../contracts.js';
import { ConfigError, ManifoldError } from '../errors/manifold-error.js';
import { defaultResolution, type ErrorHandler, type ErrorResolution, type Outcome } from '../errors/error-handler.js';
import { InterpolatedMapping, InterpolatedString } from '../interpolation/index.js';
import { sendWithRetries } from '../http/send-with-retries.js';
import { encodeForm, withQuery } from '../http/url.js';
import type { EngineServices, HttpRequest } from '../services.js';
import { controlConfigMessage } from '../protocol/messages.js';
import type { Obj, RequestOptions } from '../types.js';
import { ConfigSecret, SharedToken, findField, getPath, setPath, type TokenGrant } from './token-support.js';

interface TokenUpdater {
  refreshTokenName: string;
  accessTokenConfigPath: string[];
  refreshTokenConfigPath: string[];
  tokenExpiryDateConfigPath: string[];
}

export interface OAuthSettings {
  endpoint: InterpolatedString | undefined;
  grantType: string;
  names: { grantType: string; clientId: string; clientSecret: string; refreshToken: string; accessToken: string; expiresIn: string };
  clientId: ConfigSecret;
  clientSecret: ConfigSecret;
  refreshToken: ConfigSecret;
  scopes: string[] | undefined;
  body: InterpolatedMapping | undefined;
  headers: InterpolatedMapping | undefined;
  asQueryParams: boolean;
  expiryDateFormat: string | undefined;
  initialToken: { value: ConfigSecret; expiry: InterpolatedString | undefined } | undefined;
  updater: TokenUpdater | undefined;
}

/** Refresh failures the user can fix (bad client or refresh token) fail at once as config errors. */
const refreshErrorHandler: ErrorHandler = {
  maxRetries: 3,
  interpret(outcome: Outcome): ErrorResolution {
    const resolution = defaultResolution(outcome);
    if (resolution.action !== 'FAIL') return resolution;
    return {
      action: 'FAIL',
      failureType: 'config_error',
      message: 'OAuth token refresh was refused: check client_id, client_secret and refresh_token (it may have expired or been revoked).',
    };
  },
  backoffSeconds: () => undefined,
};

export class OAuthAuthenticator implements Authenticator {
  private readonly shared: SharedToken;

  constructor(
    private readonly s: OAuthSettings,
    private readonly config: Obj,
    private readonly parameters: Obj,
    private readonly services: EngineServices,
    cacheKey: string,
  ) {
    this.shared = new SharedToken(services, cacheKey);
  }

  async authOptions(signal?: AbortSignal): Promise<Partial<RequestOptions>> {
    if (!this.shared.current()) this.seedFromConfig();
    const token = await this.shared.get(() => this.refresh(), signal);
    return { headers: { Authorization: `Bearer ${token}` } };
  }

  invalidate(): boolean {
    if (!this.s.endpoint) return false;
    this.shared.invalidate();
    this.seeded = true;
    return true;
  }

  private seeded = false;

  /** A token already present (access_token_value, or the updater's config path) is used until it expires. */
  private seedFromConfig(): void {
    if (this.seeded) return;
    this.seeded = true;
    const ctx = { config: this.config, parameters: this.parameters };
    let token: string | undefined;
    let expiry: string | undefined;
    if (this.s.updater) {
      token = stringOrUndefined(getPath(this.config, this.s.updater.accessTokenConfigPath));
      expiry = stringOrUndefined(getPath(this.config, this.s.updater.tokenExpiryDateConfigPath));
    } else if (this.s.initialToken) {
      token = this.s.initialToken.value.get() || undefined;
      expiry = this.s.initialToken.expiry?.evalString(ctx) || undefined;
    }
    if (!token) return;
    const expiresAt = expiry ? Date.parse(expiry) : undefined;
    if (!this.s.endpoint) this.shared.set({ token });
    else if (expiresAt !== undefined && Number.isFinite(expiresAt) && expiresAt > Date.now()) this.shared.set({ token, expiresAt });
  }

  private async refresh(signal?: AbortSignal): Promise<TokenGrant> {
    const { s } = this;
    const ctx = { config: this.config, parameters: this.parameters };
    if (!s.endpoint) throw new ConfigError('OAuthAuthenticator has no token_refresh_endpoint and no usable access_token_value.');
    const url = s.endpoint.evalString(ctx);
    const refreshToken = this.currentRefreshToken();
    const fields: Obj = {
      [s.names.grantType]: s.grantType,
      [s.names.clientId]: s.clientId.get() || undefined,
      [s.names.clientSecret]: s.clientSecret.get() || undefined,
    };
    if (s.grantType === 'refresh_token') fields[s.names.refreshToken] = refreshToken || undefined;
    if (s.scopes) fields.scopes = s.scopes;
    // As Airbyte, the OAuth fields win over refresh_request_body (its refresh_token key is reserved
    // even when the grant sends none).
    const reserved = new Set([s.names.grantType, s.names.clientId, s.names.clientSecret, s.names.refreshToken, ...(s.scopes?.length ? ['scopes'] : [])]);
    if (s.body) for (const [k, v] of Object.entries(s.body.eval(ctx))) if (!reserved.has(k)) fields[k] = v;
    const headers: Record<string, string> = {};
    if (s.headers) for (const [k, v] of Object.entries(s.headers.eval(ctx))) if (v !== undefined && v !== null) headers[k] = String(v);
    const encoded = encodeForm(fields);
    const request: HttpRequest = s.asQueryParams
      ? { method: 'POST', url: withQuery(url, encoded), headers }
      : { method: 'POST', url, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: encoded };
    request.signal = signal;
    request.credentialResponse = true;
    const response = await sendWithRetries(async () => request, { services: this.services, errorHandler: refreshErrorHandler, signal });
    if (!response) throw new ManifoldError('OAuth token refresh returned no response.', { failureType: 'system_error' });
    const body = response.json();
    const token = findField(body, s.names.accessToken);
    if (typeof token !== 'string' || !token) {
      throw new ManifoldError(`OAuth token response has no "${s.names.accessToken}" field (check access_token_name).`, { failureType: 'config_error' });
    }
    this.services.secrets.add(token);
    const expiresAt = this.expiry(findField(body, s.names.expiresIn));
    if (s.updater) this.rotate(body, token, expiresAt);
    return { token, expiresAt };
  }

  private currentRefreshToken(): string {
    if (this.s.updater) {
      const fromConfig = stringOrUndefined(getPath(this.config, this.s.updater.refreshTokenConfigPath));
      if (fromConfig) {
        this.services.secrets.add(fromConfig);
        return fromConfig;
      }
    }
    return this.s.grantType === 'refresh_token' ? this.s.refreshToken.get() : '';
  }

  private expiry(raw: unknown): number | undefined {
    if (raw === undefined || raw === null || raw === '') return undefined;
    if (this.s.expiryDateFormat) {
      if (/^%s$/.test(this.s.expiryDateFormat) || typeof raw === 'number') return Number(raw) * 1000;
      const t = Date.parse(String(raw));
      return Number.isFinite(t) ? t : undefined;
    }
    const seconds = Number(raw);
    return Number.isFinite(seconds) ? Date.now() + seconds * 1000 : undefined;
  }

  /** Writes the new tokens into the run's config (as Airbyte does) and tells the platform. */
  private rotate(body: unknown, accessToken: string, expiresAt: number | undefined): void {
    const u = this.s.updater!;
    const newRefresh = findField(body, u.refreshTokenName);
    if (typeof newRefresh === 'string' && newRefresh) {
      this.services.secrets.add(newRefresh);
      setPath(this.config, u.refreshTokenConfigPath, newRefresh);
    }
    setPath(this.config, u.accessTokenConfigPath, accessToken);
    if (expiresAt !== undefined) setPath(this.config, u.tokenExpiryDateConfigPath, new Date(expiresAt).toISOString());
    this.services.emit(controlConfigMessage(structuredClone(this.config)));
  }
}

function stringOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function pathList(value: unknown, fallback: string[]): string[] {
  return Array.isArray(value) && value.length > 0 ? value.map(String) : fallback;
}

export function buildOAuthAuthenticator(node: ManifestNode, ctx: BuildContext): OAuthAuthenticator {
  const str = (v: unknown, d: string): string => (v === undefined || v === null ? d : String(v));
  const render = (v: unknown) => InterpolatedString.create(v, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters });
  const grantType = render(node.grant_type ?? 'refresh_token') || 'refresh_token';
  const updaterNode = node.refresh_token_updater as Obj | undefined | null;
  const updater: TokenUpdater | undefined = updaterNode
    ? {
        refreshTokenName: str(updaterNode.refresh_token_name, 'refresh_token'),
        accessTokenConfigPath: pathList(updaterNode.access_token_config_path, ['credentials', 'access_token']),
        refreshTokenConfigPath: pathList(updaterNode.refresh_token_config_path, ['credentials', 'refresh_token']),
        tokenExpiryDateConfigPath: pathList(updaterNode.token_expiry_date_config_path, ['credentials', 'token_expiry_date']),
      }
    : undefined;
  const hasEndpoint = node.token_refresh_endpoint !== undefined && node.token_refresh_endpoint !== null;
  if (!hasEndpoint && !node.access_token_value) {
    throw ctx.error('OAuthAuthenticator needs token_refresh_endpoint (or access_token_value)', 'token_refresh_endpoint');
  }
  const settings: OAuthSettings = {
    endpoint: hasEndpoint ? InterpolatedString.create(node.token_refresh_endpoint, { parameters: ctx.parameters }) : undefined,
    grantType,
    names: {
      grantType: str(node.grant_type_name, 'grant_type'),
      clientId: str(node.client_id_name, 'client_id'),
      clientSecret: str(node.client_secret_name, 'client_secret'),
      refreshToken: str(node.refresh_token_name, 'refresh_token'),
      accessToken: str(node.access_token_name, 'access_token'),
      expiresIn: str(node.expires_in_name, 'expires_in'),
    },
    clientId: new ConfigSecret(node.client_id ?? '', ctx, 'client_id', false),
    clientSecret: new ConfigSecret(node.client_secret ?? '', ctx, 'client_secret', false),
    refreshToken: new ConfigSecret(node.refresh_token ?? '', ctx, 'refresh_token', grantType === 'refresh_token' && !updater && hasEndpoint),
    scopes: Array.isArray(node.scopes) ? node.scopes.map(String) : undefined,
    body: node.refresh_request_body ? new InterpolatedMapping(node.refresh_request_body, ctx.parameters) : undefined,
    headers: node.refresh_request_headers ? new InterpolatedMapping(node.refresh_request_headers, ctx.parameters) : undefined,
    asQueryParams: node.send_refresh_request_as_query_params === true,
    expiryDateFormat: node.token_expiry_date_format === undefined ? undefined : String(node.token_expiry_date_format),
    initialToken: node.access_token_value
      ? {
          value: new ConfigSecret(node.access_token_value, ctx, 'access_token_value', false),
          expiry: node.token_expiry_date ? InterpolatedString.create(node.token_expiry_date, { parameters: ctx.parameters }) : undefined,
        }
      : undefined,
    updater,
  };
  // Streams build their own authenticator from the same $ref; they must share one token.
  const cacheKey = `oauth:${JSON.stringify([
    hasEndpoint ? settings.endpoint!.evalString({ config: ctx.config, parameters: ctx.parameters }) : null,
    grantType,
    render(node.client_id ?? ''),
    settings.scopes,
    updater?.refreshTokenConfigPath ?? render(node.refresh_token ?? ''),
  ])}`;
  return new OAuthAuthenticator(settings, ctx.config, ctx.parameters, ctx.services, cacheKey);
}

registerComponent('OAuthAuthenticator', buildOAuthAuthenticator, 'OAuth2 access token from a refresh token or client credentials.');
