/**
 * Masking of HTTP exchanges for events, error messages and recordings. Secrets are recognised two
 * ways: by value (the run's SecretRegistry) and by name (auth headers, token-ish query/body
 * fields), because some secrets are minted by the API and never pass through the registry.
 */
import type { SecretRegistry } from '../services.js';

export const MASK = '****';

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|apikey|x-auth-token|x-access-token|private-token)$|token|secret|passw|api[-_]?key/i;
const SECRET_FIELD = /^(key|access_token|refresh_token|id_token|client_secret|password|passwd|api_key|apikey|api_token|token|session_token|secret|assertion|code)$|_token$|_secret$|api[-_]?key|password/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

export function maskHeaders(
  headers: Record<string, string | string[] | undefined>,
  secrets: SecretRegistry,
): Record<string, string> {
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

/** A body (JSON, form or text) with secrets and token-named fields masked. */
export function maskBody(body: string, secrets: SecretRegistry): string {
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
  if (/^[^\s=&]+=[^\s]*(&[^\s=&]+=[^\s]*)*$/.test(masked)) return maskForm(masked);
  return masked;
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
export function bodyExcerpt(body: Buffer | string | undefined, secrets: SecretRegistry, max = 500): string {
  if (body === undefined) return '';
  const text = typeof body === 'string' ? body : body.subarray(0, max * 4).toString('utf8');
  const masked = maskBody(text, secrets).replace(/\s+/g, ' ').trim();
  return masked.length > max ? `${masked.slice(0, max)}…` : masked;
}
