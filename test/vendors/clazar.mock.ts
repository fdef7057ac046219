/**
 * In-process Clazar API (msw) serving fixtures/clazar. Enforces what the real API enforces:
 * client-credentials token exchange (form body), Bearer token on every call, page/page_size,
 * last_modified_at_after filtering, and 429 past 30/min (analytics) or 120/min (everything else).
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { loadFixture, RequestLog, WindowCounter } from './mock-kit.js';

export const CLAZAR = 'https://api.clazar.io';
type Row = Record<string, unknown>;

export interface ClazarMockOptions {
  clientId?: string;
  clientSecret?: string;
  /** Seconds a token stays valid (expires_in). */
  tokenLifetime?: number;
  analyticsPerMinute?: number;
  othersPerMinute?: number;
}

export function createClazarApi(options: ClazarMockOptions = {}) {
  const config = loadFixture<{ client_id: string; client_secret: string }>('clazar', 'config.json');
  const clientId = options.clientId ?? config.client_id;
  const clientSecret = options.clientSecret ?? config.client_secret;
  const entities: Record<string, Row[]> = {};
  for (const name of ['listings', 'private_offers', 'buyers', 'contracts', 'opportunities']) {
    entities[name] = loadFixture<Row[]>('clazar', `${name}.json`);
  }
  const analytics = loadFixture<Record<string, Row[]>>('clazar', 'analytics.json');
  const log = new RequestLog();
  const issued = new Map<string, number>();
  const window = new WindowCounter(60_000);
  let tokenCount = 0;

  const unauthorized = () => HttpResponse.json({ detail: 'Authentication credentials were not provided or are invalid.' }, { status: 401 });

  function authorized(request: Request): boolean {
    const h = request.headers.get('authorization') ?? '';
    const token = h.startsWith('Bearer ') ? h.slice(7) : '';
    const expiry = issued.get(token);
    return expiry !== undefined && expiry > Date.now();
  }

  function page(url: URL, rows: Row[]) {
    const pageNo = Number(url.searchParams.get('page') ?? '1');
    const size = Number(url.searchParams.get('page_size') ?? '100');
    if (!Number.isInteger(pageNo) || pageNo < 1 || !Number.isInteger(size) || size < 1 || size > 5000) {
      return HttpResponse.json({ detail: 'Invalid page.' }, { status: 404 });
    }
    const results = rows.slice((pageNo - 1) * size, pageNo * size);
    return HttpResponse.json({
      count: rows.length,
      next: pageNo * size < rows.length ? `${url.origin}${url.pathname}?page=${pageNo + 1}&page_size=${size}` : null,
      previous: pageNo > 1 ? `${url.origin}${url.pathname}?page=${pageNo - 1}&page_size=${size}` : null,
      results,
    });
  }

  const handlers: RequestHandler[] = [
    http.post(`${CLAZAR}/authenticate/`, async ({ request }) => {
      await log.record(request);
      const type = request.headers.get('content-type') ?? '';
      const form = type.includes('application/x-www-form-urlencoded')
        ? new URLSearchParams(await request.text())
        : new URLSearchParams(Object.entries((await request.json().catch(() => ({}))) as Record<string, string>));
      if (form.get('grant_type') !== 'client_credentials') {
        return HttpResponse.json({ error: 'unsupported_grant_type' }, { status: 400 });
      }
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
        return HttpResponse.json({ error: 'invalid_client', error_description: 'Invalid client credentials' }, { status: 401 });
      }
      const token = `clz_token_${++tokenCount}`;
      const lifetime = options.tokenLifetime ?? 3600;
      issued.set(token, Date.now() + lifetime * 1000);
      return HttpResponse.json({ access_token: token, token_type: 'Bearer', expires_in: lifetime, scope: 'read' });
    }),

    http.get(`${CLAZAR}/analytics/datasets/:dataset`, async ({ request, params }) => {
      await log.record(request);
      if (!authorized(request)) return unauthorized();
      if (window.hit('analytics', options.analyticsPerMinute ?? 30)) {
        return HttpResponse.json({ detail: 'Request was throttled.' }, { status: 429, headers: { 'retry-after': '60' } });
      }
      const rows = analytics[String(params['dataset'])];
      if (!rows) return HttpResponse.json({ detail: 'Not found.' }, { status: 404 });
      return page(new URL(request.url), rows);
    }),

    http.get(`${CLAZAR}/:entity`, async ({ request, params }) => {
      await log.record(request);
      if (!authorized(request)) return unauthorized();
      if (window.hit('others', options.othersPerMinute ?? 120)) {
        return HttpResponse.json({ detail: 'Request was throttled.' }, { status: 429, headers: { 'retry-after': '60' } });
      }
      const rows = entities[String(params['entity'])];
      if (!rows) return HttpResponse.json({ detail: 'Not found.' }, { status: 404 });
      const url = new URL(request.url);
      const after = url.searchParams.get('last_modified_at_after');
      const filtered = after ? rows.filter((r) => Date.parse(String(r['last_modified_at'])) >= Date.parse(after)) : rows;
      if (after && Number.isNaN(Date.parse(after))) {
        return HttpResponse.json({ last_modified_at_after: ['Enter a valid date/time.'] }, { status: 400 });
      }
      return page(url, filtered);
    }),
  ];

  return { handlers, log, entities, analytics, tokensIssued: () => tokenCount };
}
