/**
 * Masking of HTTP exchanges for events, error messages and recordings. Secrets are recognised two
 * ways: by value (the run's SecretRegistry) and by name (auth headers, token-ish query/body
 * fields), because some secrets are minted by the API and never pass through the registry.
 */
import type { SecretRegistry } from '../services.js';

export const MASK = '****';

const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|apikey|x-auth-token|x-access-token|private-token)$|token|secret|passw|api[-_]?key/i;
const SECRET_FIELD =
  /^(key|access_token|refresh_token|id_token|client_secret|password|passwd|api_key|apikey|api_token|token|session_token|secret|assertion|code)$|_token$|_secret$|api[-_]?key|password/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

export function maskHeaders(headers: Record<string, string | string[] | undefined>, secrets: SecretRegistry): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    out[name] = isSecretHeader(name) ? MASK : secrets.mask(text);
  }
  return out;
}

/** URL with secret values and token-named query parameters masked. */
export function maskUrl(url: string, secrets: SecretRegistry): string {
  const masked = secrets.mask(url);
  const q = masked.indexOf('?');
  if (q < 0) return masked;
  return masked.slice(0, q + 1) + maskForm(masked.slice(q + 1));
}

/** `a=1&token=x` with token-named fields masked. */
export function maskForm(form: string): string {
  return form
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // keep the raw name
      }
      return isSecretField(name) ? `${pair.slice(0, eq)}=${MASK}` : pair;
    })
    .join('&');
}

/**
 * Whether a response's body is masked whole: it answers a request that mints credentials and it
 * succeeded (an error answer carries no token, and its wording is what the user needs to read).
 */
export function carriesMintedCredentials(request: { credentialResponse?: boolean | undefined } | undefined, status: number): boolean {
  return request?.credentialResponse === true && status < 400;
}

/**
 * A body (JSON, form or text) with secrets and token-named fields masked. A body that mints
 * credentials (`credential`: a token or login response) is masked whole: every value, whatever
 * the field is called, since the token in it may not be registered as a secret yet.
 */
export function maskBody(body: string, secrets: SecretRegistry, credential = false): string {
  if (credential) return maskCredentialBody(secrets.mask(body));
  const masked = secrets.mask(body);
  const t = masked.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.stringify(maskJson(JSON.parse(masked)));
    } catch {
      // Truncated or invalid JSON (an excerpt): mask token-named string fields textually.
      return masked.replace(/("([A-Za-z_]*(?:token|secret|password|api_key)[A-Za-z_]*)"\s*:\s*")[^"]*"/gi, `$1${MASK}"`);
    }
  }
  if (FORM.test(masked)) return maskForm(masked);
  return masked;
}

const FORM = /^[^\s=&]+=[^\s]*(&[^\s=&]+=[^\s]*)*$/;

/** Every value of a JSON or form body replaced by the mask (keys and structure kept). */
function maskCredentialBody(text: string): string {
  const t = text.trim();
  if (t === '') return text;
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.stringify(maskLeaves(JSON.parse(t)));
    } catch {
      // An excerpt: string literals that are not keys, and numbers after a colon.
      return t
        .replace(/"(?:[^"\\]|\\.)*"(?!\s*:)/g, `"${MASK}"`)
        .replace(/(:\s*)"(?:[^"\\]|\\.)*$/, `$1"${MASK}`)
        .replace(/:\s*-?\d[\d.eE+-]*/g, `:"${MASK}"`);
    }
  }
  if (FORM.test(t))
    return t
      .split('&')
      .map((pair) => `${pair.slice(0, pair.indexOf('='))}=${MASK}`)
      .join('&');
  return MASK;
}

/** Lifetimes stay readable (a replay needs them to schedule the refresh); every other value is masked. */
const LIFETIME_FIELD = /expir|ttl|lifetime/i;

function maskLeaves(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => maskLeaves(v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskLeaves(v, k)]));
  if (typeof value === 'number' && LIFETIME_FIELD.test(key)) return value;
  return typeof value === 'string' || typeof value === 'number' ? MASK : value;
}

function maskJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretField(k) && (typeof v === 'string' || typeof v === 'number') ? MASK : maskJson(v);
    return out;
  }
  return value;
}

/** First `max` characters of a body, masked, for error messages. */
export function bodyExcerpt(body: Buffer | string | undefined, secrets: SecretRegistry, max = 500, credential = false): string {
  if (body === undefined) return '';
  const text = typeof body === 'string' ? body : body.subarray(0, max * 4).toString('utf8');
  const masked = maskBody(text, secrets, credential).replace(/\s+/g, ' ').trim();
  return masked.length > max ? `${masked.slice(0, max)}…` : masked;
}

/**
 * What may travel as the `cause` of an engine error: a plain Error with the masked message (and
 * code) of the original. The original may hold the request (got keeps headers and URL on its
 * errors) or quote the body it failed on (JSON.parse does).
 */
export function scrubbedCause(e: unknown, secrets: SecretRegistry, credential = false): Error {
  const original = e instanceof Error ? e : new Error(String(e));
  const message = credential ? `${original.name} (details withheld: the response carries credentials)` : secrets.mask(original.message);
  const cause = new Error(message) as Error & { code?: string };
  cause.name = original.name;
  const code = (original as { code?: unknown }).code;
  if (typeof code === 'string') cause.code = code;
  cause.stack = `${cause.name}: ${message}`;
  return cause;
}

/**
 * An error as the library hands it out: message, stack and every other field masked, causes
 * scrubbed the same way, and fields that are neither text nor plain data (sockets, requests)
 * removed. Changes `e` in place and returns it.
 */
export function scrubError<T>(e: T, secrets: SecretRegistry, seen = new Set<unknown>()): T {
  if (!(e instanceof Error) || seen.has(e)) return e;
  seen.add(e);
  const target = e as unknown as Record<string, unknown>;
  for (const key of Reflect.ownKeys(e)) {
    if (typeof key !== 'string') continue;
    const descriptor = Object.getOwnPropertyDescriptor(e, key);
    if (!descriptor || !('value' in descriptor) || !descriptor.writable) continue;
    const value = descriptor.value as unknown;
    if (typeof value === 'string') target[key] = secrets.mask(value);
    else if (value instanceof Error) scrubError(value, secrets, seen);
    else if (value !== null && typeof value === 'object') {
      const plain = plainMasked(value, secrets, 0);
      if (plain === undefined) delete target[key];
      else target[key] = plain;
    }
  }
  return e;
}

function plainMasked(value: unknown, secrets: SecretRegistry, depth: number): unknown {
  if (typeof value === 'string') return secrets.mask(value);
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (depth > 8) return undefined;
  if (Array.isArray(value)) return value.map((v) => plainMasked(v, secrets, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const masked = plainMasked(v, secrets, depth + 1);
    if (masked !== undefined) out[k] = masked;
  }
  return out;
}
