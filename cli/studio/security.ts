/**
 * What keeps `manifold studio` a private, local tool although it is a web server: a random token
 * every request must carry (in the URL of the first load, then as a cookie), and the Host and Origin
 * of every request must name this server. A page on another site can neither read the API (no
 * token; DNS rebinding changes the Host) nor post to it (Origin).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function cookieName(port: number): string {
  // One name per port: two studios on one machine keep their own tokens.
  return `manifold_studio_${port}`;
}

export interface Verdict {
  ok: boolean;
  status?: number;
  reason?: string;
  /** The token came in the URL: the response sets the cookie. */
  fromQuery?: boolean;
}

/** The host names the studio answers to (it binds 127.0.0.1 only). */
function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function checkRequest(req: IncomingMessage, url: URL, token: string, port: number): Verdict {
  const hosts = allowedHosts(port);
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return { ok: false, status: 403, reason: `Host "${host}" is not this server` };
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.has(originHost(origin))) return { ok: false, status: 403, reason: `Origin "${origin}" is not this server` };
  const method = req.method ?? 'GET';
  // Browsers send Origin with every cross-origin request and with same-origin POST/PUT; a
  // state-changing request without it did not come from our page.
  if (method !== 'GET' && method !== 'HEAD' && origin === undefined)
    return { ok: false, status: 403, reason: 'A request that changes something must carry the Origin header' };
  const fromQuery = url.searchParams.get('token');
  const fromCookie = cookieOf(req.headers.cookie, cookieName(port));
  const given = fromQuery ?? fromCookie ?? (typeof req.headers['x-studio-token'] === 'string' ? req.headers['x-studio-token'] : undefined);
  if (given === undefined || !sameSecret(given, token))
    return { ok: false, status: 401, reason: 'Missing or wrong token: open the URL `manifold studio` printed' };
  return { ok: true, fromQuery: fromQuery !== null };
}

function originHost(origin: string): string {
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' ? u.host.toLowerCase() : '';
  } catch {
    return '';
  }
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Headers on every answer: no framing, no sniffing, no caching, no Referer carrying the token. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
