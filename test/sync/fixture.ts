/**
 * The API and manifest the sync tests share, served by a real loopback HTTP server:
 * - items: incremental (DatetimeBasedCursor on updated_at, one-day slices → a state per day),
 *   primary key id, paged (`per_page`), typed schema (integer, date-time, object, array);
 * - tags: full refresh without a primary key (→ overwrite), two per page; `failTagsPage` makes
 *   one page answer 400 to break a full refresh half-way;
 * - extra streams made with `extraStream(name)` serve `api.extra[name]` (names that collide or
 *   are SQL keywords).
 */
import { json, startServer, type LoggedRequest, type Route, type TestServer } from '../helpers/http-server.js';

export interface Item {
  id: number;
  name: string | null;
  score?: unknown;
  updated_at: string;
  details?: unknown;
  tags?: unknown;
  [field: string]: unknown;
}

export function makeItems(count: number, perDay = 10, from = Date.UTC(2024, 0, 1)): Item[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    name: `item ${i + 1}`,
    score: i,
    updated_at: new Date(from + Math.floor(i / perDay) * 86_400_000 + (i % perDay) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    details: { rank: i % 3, labels: ['a', 'b'] },
    tags: ['x'],
  }));
}

export function extraStream(name: string, primaryKey?: string): string {
  return `
  - type: DeclarativeStream
    name: ${JSON.stringify(name)}
    ${primaryKey ? `primary_key: [${primaryKey}]` : ''}
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['base_url'] }}"
        path: ${JSON.stringify(`/extra/${encodeURIComponent(name)}`)}
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
    schema_loader:
      type: InlineSchemaLoader
      schema: { type: object, properties: { id: { type: integer } } }`;
}

export function manifest(extra: string[] = []): string {
  return `
version: 6.44.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
streams:
  - type: DeclarativeStream
    name: items
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['base_url'] }}"
        path: /items
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: PageIncrement, page_size: 100, start_from_page: 1, inject_on_first_request: true }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        page_size_option: { type: RequestOption, inject_into: request_parameter, field_name: per_page }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      cursor_granularity: PT1S
      step: P1D
      start_datetime: { type: MinMaxDatetime, datetime: "{{ config['start_date'] }}", datetime_format: "%Y-%m-%d" }
      end_datetime: { type: MinMaxDatetime, datetime: "{{ config['end_date'] }}", datetime_format: "%Y-%m-%d" }
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
      end_time_option: { type: RequestOption, inject_into: request_parameter, field_name: until }
    schema_loader:
      type: InlineSchemaLoader
      schema:
        type: object
        properties:
          id: { type: integer }
          name: { type: [string, "null"] }
          score: { type: [integer, "null"] }
          updated_at: { type: string, format: date-time }
          details: { type: object }
          tags: { type: array, items: { type: string } }
  - type: DeclarativeStream
    name: tags
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['base_url'] }}"
        path: /tags
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: PageIncrement, page_size: 2, start_from_page: 1, inject_on_first_request: true }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
    schema_loader:
      type: InlineSchemaLoader
      schema: { type: object, properties: { label: { type: string }, weight: { type: number } } }
${extra.join('\n')}
spec:
  type: Spec
  connection_specification:
    type: object
    required: [base_url, start_date, end_date]
    properties:
      base_url: { type: string }
      start_date: { type: string }
      end_date: { type: string }
`;
}

export interface Api {
  server: TestServer;
  items: Item[];
  tags: Array<{ label: string; weight: number }>;
  /** Serves `rows` for an extraStream(name). */
  setExtra(name: string, rows: unknown[]): void;
  /** 1-based page of /tags that answers 400 (undefined: none). */
  failTagsPage: number | undefined;
  /** Called before each /items answer (the kill test stops the sync here). */
  beforeItems: ((req: LoggedRequest, count: number) => void | Promise<void>) | undefined;
  requestsTo(path: string): LoggedRequest[];
  config(overrides?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function startApi(items: Item[] = makeItems(30)): Promise<Api> {
  let itemRequests = 0;
  const routes: Record<string, Route> = {};
  const api: Api = {
    server: undefined as unknown as TestServer,
    items,
    tags: [
      { label: 'red', weight: 1 },
      { label: 'green', weight: 2.5 },
      { label: 'blue', weight: 3 },
    ],
    setExtra: (name, rows) => {
      routes[`GET /extra/${encodeURIComponent(name)}`] = (_req, res) => json(res, 200, { data: rows });
    },
    failTagsPage: undefined,
    beforeItems: undefined,
    requestsTo: (path) => api.server.requests.filter((r) => r.path === path),
    config: (overrides = {}) => ({ base_url: api.server.url, start_date: '2024-01-01', end_date: '2024-01-10', ...overrides }),
    close: () => api.server.close(),
  };
  Object.assign(routes, {
    'GET /items': async (req, res) => {
      await api.beforeItems?.(req, ++itemRequests);
      const since = req.query.since ?? '';
      const until = req.query.until ?? '9999';
      const page = Number(req.query.page ?? 1);
      const per = Number(req.query.per_page ?? 100);
      const window = api.items
        .filter((i) => i.updated_at >= since && i.updated_at <= until)
        .sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id - b.id);
      json(res, 200, { data: window.slice((page - 1) * per, page * per) });
    },
    'GET /tags': (req, res) => {
      const page = Number(req.query.page ?? 1);
      if (page === api.failTagsPage) return json(res, 400, { error: 'tags page unavailable' });
      json(res, 200, { data: api.tags.slice((page - 1) * 2, page * 2) });
    },
  } satisfies Record<string, Route>);
  api.server = await startServer(routes);
  return api;
}
