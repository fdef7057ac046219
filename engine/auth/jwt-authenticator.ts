/**
 * JwtAuthenticator: signs its own JWT (node:crypto; HS256/384/512, RS256/384/512, PS256/384/512)
 * with iat/nbf = now, exp = now + token_duration (default 1200 s), the configured iss/sub/aud and
 * additional_jwt_payload; headers alg, typ (default JWT), kid, cty and additional_jwt_headers.
 * Sent as `<header_prefix> <jwt>` in Authorization, or where request_option says. A token is
 * reused for half its lifetime.
 */
import { createHmac, createPrivateKey, createSign, constants, type KeyObject } from 'node:crypto';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Authenticator } from '../contracts.js';
import { RequestOption } from '../http/request-option.js';
import { InterpolatedMapping, InterpolatedString } from '../interpolation/index.js';
import type { Obj, RequestOptions } from '../types.js';
import type { SecretRegistry } from '../services.js';
import { ConfigSecret } from './token-support.js';

const ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;
type Algorithm = (typeof ALGORITHMS)[number];

export interface JwtSettings {
  algorithm: Algorithm;
  secret: ConfigSecret;
  base64EncodeSecret: boolean;
  passphrase: ConfigSecret | undefined;
  durationSeconds: number;
  headerPrefix: string | undefined;
  headers: () => Obj;
  payload: () => Obj;
  option: RequestOption;
  secrets?: SecretRegistry | undefined;
}

export class JwtAuthenticator implements Authenticator {
  private cached: { token: string; renewAt: number } | undefined;
  private key: Buffer | KeyObject | undefined;

  constructor(private readonly s: JwtSettings) {}

  async authOptions(): Promise<Partial<RequestOptions>> {
    const now = Date.now();
    if (!this.cached || now >= this.cached.renewAt) {
      this.cached = { token: this.sign(Math.floor(now / 1000)), renewAt: now + (this.s.durationSeconds * 1000) / 2 };
      this.s.secrets?.add(this.cached.token);
    }
    const value = this.s.headerPrefix ? `${this.s.headerPrefix} ${this.cached.token}` : this.cached.token;
    const out: Partial<RequestOptions> = {};
    this.s.option.inject(out, value);
    return out;
  }

  invalidate(): boolean {
    this.cached = undefined;
    return false;
  }

  /** The compact JWS for a token issued at `iat` (seconds). */
  sign(iat: number): string {
    const header = { alg: this.s.algorithm, ...this.s.headers() };
    const payload = { ...this.s.payload(), iat, nbf: iat, exp: iat + this.s.durationSeconds };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const bits = this.s.algorithm.slice(2);
    let signature: Buffer;
    if (this.s.algorithm.startsWith('HS')) {
      signature = createHmac(`sha${bits}`, this.signingKey() as Buffer)
        .update(input)
        .digest();
    } else {
      const signer = createSign(`RSA-SHA${bits}`).update(input);
      signature = this.s.algorithm.startsWith('PS')
        ? signer.sign({ key: this.signingKey() as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
        : signer.sign(this.signingKey() as KeyObject);
    }
    return `${input}.${signature.toString('base64url')}`;
  }

  private signingKey(): Buffer | KeyObject {
    if (this.key) return this.key;
    let secret = this.s.secret.get();
    if (this.s.base64EncodeSecret) secret = Buffer.from(secret, 'utf8').toString('base64');
    if (this.s.algorithm.startsWith('HS')) return (this.key = Buffer.from(secret, 'utf8'));
    // Keys pasted into a config form often carry literal "\n" sequences instead of line breaks.
    const pem = secret.includes('\\n') && !secret.includes('\n') ? secret.replace(/\\n/g, '\n') : secret;
    const passphrase = this.s.passphrase?.get() || undefined;
    return (this.key = createPrivateKey(passphrase ? { key: pem, passphrase } : { key: pem }));
  }
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function buildJwtAuthenticator(node: ManifestNode, ctx: BuildContext): JwtAuthenticator {
  const algorithm = String(node.algorithm ?? '') as Algorithm;
  if (!ALGORITHMS.includes(algorithm)) throw ctx.error(`algorithm must be one of ${ALGORITHMS.join(', ')} (got "${algorithm}")`, 'algorithm');
  const duration = node.token_duration === undefined || node.token_duration === null ? 1200 : Number(node.token_duration);
  if (!Number.isFinite(duration) || duration <= 0) throw ctx.error('token_duration must be a positive number of seconds', 'token_duration');
  const params = ctx.parameters;
  const render = { config: ctx.config, parameters: params };
  const text = (v: unknown): string | undefined =>
    v === undefined || v === null ? undefined : InterpolatedString.create(v, { parameters: params }).evalString(render) || undefined;
  const jwtHeaders = (node.jwt_headers ?? {}) as Obj;
  const jwtPayload = (node.jwt_payload ?? {}) as Obj;
  const extraHeaders = new InterpolatedMapping((node.additional_jwt_headers ?? {}) as Obj, params);
  const extraPayload = new InterpolatedMapping((node.additional_jwt_payload ?? {}) as Obj, params);
  const fixedHeaders: Obj = { typ: text(jwtHeaders.typ) ?? 'JWT' };
  for (const key of ['kid', 'cty'] as const) {
    const v = text(jwtHeaders[key]);
    if (v !== undefined) fixedHeaders[key] = v;
  }
  const fixedPayload: Obj = {};
  for (const key of ['iss', 'sub', 'aud'] as const) {
    const v = text(jwtPayload[key]);
    if (v !== undefined) fixedPayload[key] = v;
  }
  const option = node.request_option
    ? ctx.build<RequestOption>(node.request_option, 'request_option', 'RequestOption')
    : new RequestOption('header', ['Authorization']);
  return new JwtAuthenticator({
    algorithm,
    secret: new ConfigSecret(node.secret_key, ctx, 'secret_key'),
    base64EncodeSecret: node.base64_encode_secret_key === true,
    passphrase: node.passphrase === undefined ? undefined : new ConfigSecret(node.passphrase, ctx, 'passphrase', false),
    durationSeconds: duration,
    headerPrefix: text(node.header_prefix),
    headers: () => ({ ...fixedHeaders, ...(extraHeaders.eval(render) as Obj) }),
    payload: () => ({ ...fixedPayload, ...(extraPayload.eval(render) as Obj) }),
    option,
    secrets: ctx.services.secrets,
  });
}

registerComponent('JwtAuthenticator', buildJwtAuthenticator, 'Signs a JWT (HS*/RS*/PS*) and sends it as a header or request option.');
