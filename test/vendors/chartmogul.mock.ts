/**
 * In-process ChartMogul API (msw) serving fixtures/chartmogul. Enforces: Basic auth with the API
 * key as username, per_page <= 200, page numbers for customers, start-after/has_more for activities,
 * and required start-date/end-date/interval for customer-count (counts computed from the customers).
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { basicAuth, loadFixture, RequestLog } from './mock-kit.js';

export const CHARTMOGUL = 'https://api.chartmogul.com';
type Row = Record<string, unknown>;

export function createChartmogulApi() {
  const config = loadFixture<{ api_key: string }>('chartmogul', 'config.json');
  const customers = loadFixture<Row[]>('chartmogul', 'customers.json');
  const activities = loadFixture<Row[]>('chartmogul', 'activities.json');
  const log = new RequestLog();

  const denied = () => HttpResponse.json({ code: 401, message: 'No valid API key provided' }, { status: 401 });
  const invalid = (message: string) => HttpResponse.json({ code: 400, message }, { status: 400 });

  function perPage(url: URL): number | Response {
    const raw = url.searchParams.get('per_page');
    const n = raw === null ? 50 : Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 200) return invalid('per_page must be an integer between 1 and 200');
    return n;
  }

  const handlers: RequestHandler[] = [
    http.all(`${CHARTMOGUL}/*`, async ({ request }) => {
      await log.record(request);
      if (basicAuth(Object.fromEntries(request.headers.entries()))?.user !== config.api_key) return denied();
      return undefined; // authenticated: fall through to the endpoint
    }),

    http.get(`${CHARTMOGUL}/v1/customers`, ({ request }) => {
      const url = new URL(request.url);
      const size = perPage(url);
      if (size instanceof Response) return size;
      const page = Number(url.searchParams.get('page') ?? '1');
      if (!Number.isInteger(page) || page < 1) return invalid('page must be a positive integer');
      const entries = customers.slice((page - 1) * size, page * size);
      const totalPages = Math.ceil(customers.length / size);
      return HttpResponse.json({ entries, has_more: page < totalPages, per_page: size, page, total_pages: totalPages });
    }),

    http.get(`${CHARTMOGUL}/v1/activities`, ({ request }) => {
      const url = new URL(request.url);
      const size = perPage(url);
      if (size instanceof Response) return size;
      const startDate = url.searchParams.get('start-date');
      if (startDate !== null && Number.isNaN(Date.parse(startDate))) return invalid('start-date is not a valid ISO 8601 date');
      let rows = startDate ? activities.filter((a) => Date.parse(String(a['date'])) >= Date.parse(startDate)) : activities;
      const after = url.searchParams.get('start-after');
      if (after) {
        const i = rows.findIndex((a) => a['uuid'] === after);
        if (i < 0) return invalid('start-after does not match any activity');
        rows = rows.slice(i + 1);
      }
      return HttpResponse.json({ entries: rows.slice(0, size), has_more: rows.length > size, per_page: size });
    }),

    http.get(`${CHARTMOGUL}/v1/metrics/customer-count`, ({ request }) => {
      const url = new URL(request.url);
      const start = url.searchParams.get('start-date');
      const end = url.searchParams.get('end-date');
      const interval = url.searchParams.get('interval') ?? 'month';
      const day = /^\d{4}-\d{2}-\d{2}$/;
      if (!start || !end || !day.test(start) || !day.test(end)) return invalid('start-date and end-date (YYYY-MM-DD) are required');
      if (!['day', 'week', 'month', 'quarter'].includes(interval)) return invalid(`interval ${interval} is not one of day, week, month, quarter`);
      if (start > end) return invalid('start-date must be before end-date');
      const entries = buckets(start, end, interval).map((date, i, all) => {
        const count = customers.filter((c) => String(c['customer-since']).slice(0, 10) <= date).length;
        const prev = i === 0 ? count : customers.filter((c) => String(c['customer-since']).slice(0, 10) <= all[i - 1]!).length;
        return { date, customers: count, 'percentage-change': prev === 0 ? 0.0 : Math.round(((count - prev) / prev) * 1000) / 10 };
      });
      return HttpResponse.json({
        entries,
        summary: { current: entries.at(-1)?.customers ?? 0, previous: entries.at(-2)?.customers ?? 0, 'percentage-change': 0.0 },
      });
    }),
  ];

  return { handlers, log, customers, activities };
}

/** Period end dates from start to end, the way ChartMogul labels metric buckets. */
export function buckets(start: string, end: string, interval: string): string[] {
  const out: string[] = [];
  const endT = Date.parse(`${end}T00:00:00Z`);
  let d = new Date(`${start}T00:00:00Z`);
  const fmt = (x: Date) => x.toISOString().slice(0, 10);
  while (d.getTime() <= endT) {
    let periodEnd: Date;
    if (interval === 'day') periodEnd = d;
    else if (interval === 'week') periodEnd = new Date(d.getTime() + ((7 - d.getUTCDay()) % 7) * 86_400_000);
    else if (interval === 'month') periodEnd = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
    else periodEnd = new Date(Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3 + 3, 0));
    out.push(fmt(periodEnd.getTime() > endT ? new Date(endT) : periodEnd));
    d = new Date(periodEnd.getTime() + 86_400_000);
  }
  return out;
}
