/**
 * Small helpers shared by the vendor API mocks: fixture loading and a log of what the engine sent,
 * so tests can assert on requests (params, headers, bodies) as well as on records.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function loadFixture<T>(vendor: string, name: string): T {
  return JSON.parse(readFileSync(join(repoRoot, 'fixtures', vendor, name), 'utf8')) as T;
}

export interface LoggedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

export class RequestLog {
  readonly entries: LoggedRequest[] = [];

  async record(request: Request): Promise<LoggedRequest> {
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => (headers[k] = v));
    const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.clone().text();
    const entry = { method: request.method, url: new URL(request.url), headers, body };
    this.entries.push(entry);
    return entry;
  }

  /** Requests whose path matches, in order. */
  to(pathname: string | RegExp, method?: string): LoggedRequest[] {
    return this.entries.filter(
      (e) => (typeof pathname === 'string' ? e.url.pathname === pathname : pathname.test(e.url.pathname)) && (method === undefined || e.method === method),
    );
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** Query parameters of a request as a plain object (last value wins). */
export function params(entry: LoggedRequest): Record<string, string> {
  return Object.fromEntries(entry.url.searchParams.entries());
}

export function basicAuth(headers: Record<string, string>): { user: string; password: string } | undefined {
  const h = headers['authorization'];
  if (!h?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? { user: decoded, password: '' } : { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Counts calls per key in a sliding window, to answer 429 like the real APIs do. */
export class WindowCounter {
  private readonly calls = new Map<string, number[]>();
  constructor(private readonly windowMs: number) {}
  hit(key: string, limit: number, now = Date.now()): boolean {
    const list = (this.calls.get(key) ?? []).filter((t) => now - t < this.windowMs);
    list.push(now);
    this.calls.set(key, list);
    return list.length > limit;
  }
}
