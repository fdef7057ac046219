/**
 * The API and manifest the CLI feature tests share. Three streams, one per way of carrying a
 * secret, so --show-http and --record can be checked for each:
 * - items: X-Api-Key header, PageIncrement (page size 2, 7 items → 4 pages), a price that is a
 *   string once (a schema violation for --check-schema);
 * - events: Bearer token (Authorization), DatetimeBasedCursor with step P1D over 5 days → 5 slices,
 *   the window sent as `since`/`until`; the server's events can grow between runs;
 * - notes: API key in the `token` query parameter; retried once after a 500 (for --progress);
 * - item_notes: a substream of items, whose ignored lazy_read_pointer makes a DEBUG log.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempFiles } from '../helpers/cli.js';
import { json, startServer, type LoggedRequest, type TestServer } from '../helpers/http-server.js';

export const API_KEY = 'items-key-7f3a9c';
export const BEARER = 'events-bearer-51d0e2';
export const QUERY_TOKEN = 'notes-token-c8b4aa';
export const SECRETS = [API_KEY, BEARER, QUERY_TOKEN];

export const ITEMS = [1, 2, 3, 4, 5, 6, 7].map((id) => ({
  id,
  name: `item ${id}`,
  price: id === 5 ? 'free' : id === 6 ? null : id * 1.5,
  tags: id % 2 ? ['odd'] : [],
}));

export interface Event {
  id: number;
  updated: string;
  kind: string | null;
}

export const INITIAL_EVENTS: Event[] = [
  { id: 1, updated: '2024-01-01T10:00:00Z', kind: 'created' },
  { id: 2, updated: '2024-01-02T11:00:00Z', kind: 'updated' },
  { id: 3, updated: '2024-01-03T12:00:00Z', kind: null },
];

export const MANIFEST = `
version: 6.44.0
type: DeclarativeSource
check:
  type: CheckStream
  stream_names: [items]
definitions:
  requester:
    type: HttpRequester
    url_base: "{{ config['base_url'] }}/api"
    http_method: GET
  selector:
    type: RecordSelector
    extractor: { type: DpathExtractor, field_path: [data] }
streams:
  - type: DeclarativeStream
    name: items
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /items
        authenticator:
          type: ApiKeyAuthenticator
          api_token: "{{ config['api_key'] }}"
          inject_into: { type: RequestOption, inject_into: header, field_name: X-Api-Key }
      record_selector: { $ref: "#/definitions/selector" }
      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: PageIncrement, page_size: 2, start_from_page: 1, inject_on_first_request: true }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        page_size_option: { type: RequestOption, inject_into: request_parameter, field_name: per_page }
    schema_loader:
      type: InlineSchemaLoader
      schema:
        type: object
        properties:
          id: { type: integer }
          name: { type: string }
          price: { type: [number, "null"] }
          tags: { type: array, items: { type: string } }
  - type: DeclarativeStream
    name: events
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /events
        authenticator:
          type: BearerAuthenticator
          api_token: "{{ config['bearer'] }}"
      record_selector: { $ref: "#/definitions/selector" }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      cursor_granularity: PT1S
      step: P1D
      start_datetime:
        type: MinMaxDatetime
        datetime: "{{ config['start_date'] }}"
        datetime_format: "%Y-%m-%d"
      end_datetime:
        type: MinMaxDatetime
        datetime: "{{ config['end_date'] }}"
        datetime_format: "%Y-%m-%d"
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
      end_time_option: { type: RequestOption, inject_into: request_parameter, field_name: until }
    schema_loader:
      type: InlineSchemaLoader
      schema:
        type: object
        properties:
          id: { type: integer }
          updated: { type: string }
          kind: { type: [string, "null"] }
  - type: DeclarativeStream
    name: notes
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /notes
        authenticator:
          type: ApiKeyAuthenticator
          api_token: "{{ config['token'] }}"
          inject_into: { type: RequestOption, inject_into: request_parameter, field_name: token }
        error_handler:
          type: DefaultErrorHandler
          max_retries: 2
          backoff_strategies:
            - type: ConstantBackoffStrategy
              backoff_time_in_seconds: 0.01
      record_selector: { $ref: "#/definitions/selector" }
    schema_loader:
      type: InlineSchemaLoader
      schema: { type: object, properties: { id: { type: integer }, text: { type: string } } }
  - type: DeclarativeStream
    name: item_notes
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /item-notes
        authenticator:
          type: ApiKeyAuthenticator
          api_token: "{{ config['api_key'] }}"
          inject_into: { type: RequestOption, inject_into: header, field_name: X-Api-Key }
      record_selector: { $ref: "#/definitions/selector" }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs:
          - type: ParentStreamConfig
            stream: "#/streams/0"
            parent_key: id
            partition_field: item_id
            # Ignored by the engine, which says so in a DEBUG log (for the --log-level tests).
            lazy_read_pointer: [notes]
            request_option: { type: RequestOption, inject_into: request_parameter, field_name: item_id }
    schema_loader:
      type: InlineSchemaLoader
      schema: { type: object, properties: { id: { type: integer }, item_id: { type: integer } } }
spec:
  type: Spec
  connection_specification:
    type: object
    required: [base_url, api_key, bearer, token, start_date, end_date]
    properties:
      base_url: { type: string }
      api_key: { type: string, airbyte_secret: true }
      bearer: { type: string, airbyte_secret: true }
      token: { type: string, airbyte_secret: true }
      start_date: { type: string }
      end_date: { type: string }
`;

export interface Api {
  server: TestServer;
  /** What /api/events serves; tests push to it to simulate new data. */
  events: Event[];
  /** Requests to one path, in order. */
  requestsTo(path: string): LoggedRequest[];
  config(): Record<string, string>;
}

export async function startApi(): Promise<Api> {
  const events: Event[] = [...INITIAL_EVENTS];
  let notesCalls = 0;
  const server = await startServer({
    'GET /api/items': (req, res) => {
      if (req.headers['x-api-key'] !== API_KEY) return json(res, 401, { error: 'bad key' });
      const page = Number(req.query.page ?? 1);
      const per = Number(req.query.per_page ?? 2);
      json(res, 200, { data: ITEMS.slice((page - 1) * per, page * per) });
    },
    'GET /api/events': (req, res) => {
      if (req.headers.authorization !== `Bearer ${BEARER}`) return json(res, 401, { error: 'bad token' });
      const { since, until } = req.query;
      if (!since || !until) return json(res, 400, { error: 'since and until are required' });
      json(res, 200, { data: events.filter((e) => e.updated >= since && e.updated <= until) });
    },
    'GET /api/item-notes': (req, res) => {
      if (req.headers['x-api-key'] !== API_KEY) return json(res, 401, { error: 'bad key' });
      json(res, 200, { data: [{ id: Number(req.query.item_id) * 100, item_id: Number(req.query.item_id) }] });
    },
    'GET /api/notes': (req, res) => {
      if (req.query.token !== QUERY_TOKEN) return json(res, 401, { error: 'bad token' });
      // Every other call fails once: each read sees one 500 and one retry.
      if (notesCalls++ % 2 === 0) return json(res, 500, { error: 'temporary' });
      json(res, 200, {
        data: [
          { id: 1, text: 'hello' },
          { id: 2, text: 'world' },
        ],
      });
    },
  });
  return {
    server,
    events,
    requestsTo: (path) => server.requests.filter((r) => r.path === path),
    config: () => ({
      base_url: server.url,
      api_key: API_KEY,
      bearer: BEARER,
      token: QUERY_TOKEN,
      start_date: '2024-01-01',
      end_date: '2024-01-05',
    }),
  };
}

/**
 * Ids of a stream's records in id order: slices are read concurrently, so records of different
 * slices may arrive in any order.
 */
export function sortedIds(rows: Array<Record<string, any>>): number[] {
  return rows.map((r) => r.id as number).sort((a, b) => a - b);
}

/** A configured catalog selecting `streams` (events incremental when asked). */
export function catalog(streams: string[], mode: 'full_refresh' | 'incremental' = 'full_refresh') {
  return {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: mode,
      destination_sync_mode: mode === 'incremental' ? 'append' : 'overwrite',
      ...(mode === 'incremental' && name === 'events' ? { cursor_field: ['updated'] } : {}),
    })),
  };
}

/** manifest.yaml, config.json and catalog.json for `streams` in a fresh temp folder. */
export function files(api: Api, streams: string[], mode: 'full_refresh' | 'incremental' = 'full_refresh') {
  const f = tempFiles({ 'manifest.yaml': MANIFEST, 'config.json': api.config(), 'catalog.json': catalog(streams, mode) });
  return {
    dir: f.dir,
    manifest: f['manifest.yaml']!,
    config: f['config.json']!,
    catalog: f['catalog.json']!,
    /** --manifest M --config C --catalog CAT */
    args: ['--manifest', f['manifest.yaml']!, '--config', f['config.json']!, '--catalog', f['catalog.json']!],
    write(name: string, content: string | object): string {
      const path = join(f.dir, name);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
      return path;
    },
  };
}
