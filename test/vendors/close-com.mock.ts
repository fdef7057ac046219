/**
 * In-process Close.com API (msw) serving fixtures/close-com. Enforces: Basic auth (API key as
 * username, empty password), _skip/_limit with has_more, _cursor/cursor_next on the event log,
 * saved searches and roles, date_created/date_updated __gt/__lte filters, _type filters, and 429
 * (with retry-after and a ratelimit reset hint) past a per-second budget or on demand.
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { basicAuth, loadFixture, RequestLog, WindowCounter } from './mock-kit.js';

export const CLOSE = 'https://api.close.com/api/v1';
type Row = Record<string, unknown>;

export interface CloseMockOptions {
  /** Requests per second before 429 (Close: ~60/s per organization). */
  perSecond?: number;
}

const DATE_FILTERS = [
  'date_created__gt',
  'date_created__gte',
  'date_created__lt',
  'date_created__lte',
  'date_updated__gt',
  'date_updated__gte',
  'date_updated__lt',
  'date_updated__lte',
];

export function createCloseApi(options: CloseMockOptions = {}) {
  const config = loadFixture<{ api_key: string }>('close-com', 'config.json');
  const f = <T>(name: string) => loadFixture<T>('close-com', `${name}.json`);
  const activities = f<Record<string, Row[]>>('activities');
  const customFields = f<Record<string, Row[]>>('custom_fields');
  const statuses = f<Record<string, Row[]>>('statuses');
  const bulk = f<Record<string, Row[]>>('bulk_actions');
  const data = {
    leads: f<Row[]>('leads'),
    contacts: f<Row[]>('contacts'),
    opportunities: f<Row[]>('opportunities'),
    tasks: f<Row[]>('tasks'),
    events: f<Row[]>('events'),
    users: f<Row[]>('users'),
    roles: f<Row[]>('roles'),
    connected_accounts: f<Row[]>('connected_accounts'),
    saved_searches: f<Row[]>('saved_searches'),
    activities,
    customFields,
    statuses,
    bulk,
  };
  // path (after /api/v1/, with trailing slash) → rows and paging style
  const offsetLists = new Map<string, Row[]>([
    ['lead/', data.leads],
    ['contact/', data.contacts],
    ['opportunity/', data.opportunities],
    ['task/', data.tasks],
    ['user/', data.users],
    ['connected_account/', data.connected_accounts],
    ['email_template/', f<Row[]>('email_templates')],
    ['sequence/', f<Row[]>('sequences')],
    ['dialer/', f<Row[]>('dialer')],
    ['integration_link/', f<Row[]>('integration_links')],
  ]);
  for (const [type, rows] of Object.entries(activities)) offsetLists.set(`activity/${type}/`, rows);
  for (const [type, rows] of Object.entries(customFields)) offsetLists.set(`custom_field/${type}/`, rows);
  for (const [type, rows] of Object.entries(statuses)) offsetLists.set(`status/${type}/`, rows);
  for (const [type, rows] of Object.entries(bulk)) offsetLists.set(`bulk_action/${type}/`, rows);
  const cursorLists = new Map<string, Row[]>([
    ['event/', data.events],
    ['role/', data.roles],
    ['saved_search/', data.saved_searches],
  ]);
  const unpaged = new Map<string, Row[]>([
    ['pipeline/', f<Row[]>('pipelines')],
    ['send_as/', f<Row[]>('send_as')],
    ['custom_activity/', f<Row[]>('custom_activities')],
  ]);

  const log = new RequestLog();
  const window = new WindowCounter(1000);
  /** Paths that answer 429 once more each (tests force the rate-limit path this way). */
  const throttleNext = new Map<string, number>();

  const error = (status: number, message: string) => HttpResponse.json({ error: message }, { status });
  const tooMany = (reset: number) =>
    HttpResponse.json(
      { error: { rate_reset: reset, message: 'API call count exceeded for this period', rate_limit: '60/1s' } },
      { status: 429, headers: { 'retry-after': String(reset), ratelimit: `limit=60, remaining=0, reset=${reset}` } },
    );

  function applyFilters(url: URL, rows: Row[]): Row[] | Response {
    let out = rows;
    for (const key of DATE_FILTERS) {
      const value = url.searchParams.get(key);
      if (value === null) continue;
      const bound = Date.parse(value);
      if (Number.isNaN(bound)) return error(400, `${key}: invalid date ${value}`);
      const [field, op] = key.split('__') as [string, string];
      out = out.filter((r) => {
        const t = Date.parse(String(r[field]));
        return op === 'gt' ? t > bound : op === 'gte' ? t >= bound : op === 'lt' ? t < bound : t <= bound;
      });
    }
    const type = url.searchParams.get('_type');
    if (type !== null) out = out.filter((r) => r['_type'] === type);
    const order = url.searchParams.get('_order_by');
    if (order) {
      const field = order.replace(/^-/, '');
      const dir = order.startsWith('-') ? -1 : 1;
      out = [...out].sort((a, b) => dir * String(a[field]).localeCompare(String(b[field])));
    }
    return out;
  }

  const handlers: RequestHandler[] = [
    http.get(`${CLOSE}/*`, async ({ request }) => {
      await log.record(request);
      const auth = basicAuth(Object.fromEntries(request.headers.entries()));
      if (!auth || auth.user !== config.api_key || auth.password !== '') {
        return error(401, 'The API key you provided is invalid.');
      }
      const url = new URL(request.url);
      let path = url.pathname.slice('/api/v1/'.length);
      if (!path.endsWith('/')) path += '/';
      const forced = throttleNext.get(path) ?? 0;
      if (forced > 0) {
        throttleNext.set(path, forced - 1);
        return tooMany(0.01);
      }
      if (window.hit('org', options.perSecond ?? 60)) return tooMany(1);

      const unpagedRows = unpaged.get(path);
      if (unpagedRows) return HttpResponse.json({ data: unpagedRows, has_more: false });

      const cursorRows = cursorLists.get(path);
      if (cursorRows) {
        const filtered = applyFilters(url, cursorRows);
        if (filtered instanceof Response) return filtered;
        const limit = Number(url.searchParams.get('_limit') ?? '50');
        if (path === 'event/' && limit > 50) return error(400, '_limit must be at most 50 for the event log');
        const cursor = url.searchParams.get('_cursor');
        const start = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8').replace('offset:', '')) : 0;
        if (Number.isNaN(start)) return error(400, 'invalid _cursor');
        const page = filtered.slice(start, start + limit);
        const more = start + limit < filtered.length;
        return HttpResponse.json({
          data: page,
          cursor_next: more ? Buffer.from(`offset:${start + limit}`).toString('base64url') : null,
          cursor_previous: null,
        });
      }

      const rows = offsetLists.get(path);
      if (!rows) return error(404, `Unknown endpoint ${path}`);
      const filtered = applyFilters(url, rows);
      if (filtered instanceof Response) return filtered;
      const skip = Number(url.searchParams.get('_skip') ?? '0');
      const limit = Number(url.searchParams.get('_limit') ?? '100');
      if (!Number.isInteger(skip) || skip < 0 || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
        return error(400, '_skip/_limit out of range');
      }
      const page = filtered.slice(skip, skip + limit);
      return HttpResponse.json({ has_more: skip + limit < filtered.length, total_results: filtered.length, data: page });
    }),
  ];

  return { handlers, log, data, offsetLists, cursorLists, unpaged, throttleNext };
}
