/**
 * End to end: the real CLI reads a multi-stream manifest from a real local HTTP server covering
 * OAuth client credentials, API key, basic auth, page/offset/cursor/Link/two-step pagination,
 * a 429 with Retry-After, a 500 followed by success, a RecordFilter and AddFields.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { records, runCli, tempFiles } from '../helpers/cli.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

const MANIFEST = `
version: 6.7.0
type: DeclarativeSource
check:
  type: CheckStream
  stream_names: [users]
definitions:
  requester:
    type: HttpRequester
    url_base: "{{ config['base_url'] }}/api"
    http_method: GET
  oauth:
    type: OAuthAuthenticator
    token_refresh_endpoint: "{{ config['base_url'] }}/oauth/token"
    client_id: "{{ config['client_id'] }}"
    client_secret: "{{ config['client_secret'] }}"
    grant_type: client_credentials
  selector:
    type: RecordSelector
    extractor:
      type: DpathExtractor
      field_path: [data]
  schema:
    type: InlineSchemaLoader
    schema: { type: object, properties: { id: { type: integer } } }
streams:
  - type: DeclarativeStream
    name: users
    primary_key: id
    $parameters:
      origin: test-api
    schema_loader: { $ref: "#/definitions/schema" }
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /users
        authenticator: { $ref: "#/definitions/oauth" }
      record_selector:
        $ref: "#/definitions/selector"
        record_filter:
          type: RecordFilter
          condition: "{{ record['active'] }}"
      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: PageIncrement, page_size: 2, start_from_page: 1, inject_on_first_request: true }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        page_size_option: { type: RequestOption, inject_into: request_parameter, field_name: per_page }
    transformations:
      - type: AddFields
        fields:
          - path: [origin]
            value: "{{ parameters.origin }}"
          - path: [name_upper]
            value: "{{ record.name | upper }}"
  - type: DeclarativeStream
    name: orders
    primary_key: id
    schema_loader: { $ref: "#/definitions/schema" }
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /orders
        authenticator:
          type: ApiKeyAuthenticator
          api_token: "{{ config['api_key'] }}"
          inject_into: { type: RequestOption, inject_into: header, field_name: X-Api-Key }
      record_selector: { $ref: "#/definitions/selector" }
      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: OffsetIncrement, page_size: 2 }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: offset }
        page_size_option: { type: RequestOption, inject_into: request_parameter, field_name: limit }
  - type: DeclarativeStream
    name: events
    primary_key: id
    schema_loader: { $ref: "#/definitions/schema" }
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /events
        authenticator:
          type: BasicHttpAuthenticator
          username: "{{ config['username'] }}"
          password: "{{ config['password'] }}"
        error_handler:
          type: DefaultErrorHandler
          max_retries: 3
          backoff_strategies:
            - type: ConstantBackoffStrategy
              backoff_time_in_seconds: 0.2
      record_selector: { $ref: "#/definitions/selector" }
      paginator:
        type: DefaultPaginator
        pagination_strategy:
          type: CursorPagination
          cursor_value: "{{ response.next }}"
          stop_condition: "{{ not response.next }}"
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: cursor }
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { $ref: "#/definitions/schema" }
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /items
        authenticator: { $ref: "#/definitions/oauth" }
      record_selector: { $ref: "#/definitions/selector" }
      paginator:
        type: DefaultPaginator
        pagination_strategy:
          type: CursorPagination
          cursor_value: "{{ headers['link']['next']['url'] }}"
          stop_condition: "{{ 'next' not in headers['link'] }}"
        page_token_option: { type: RequestPath }
  - type: DeclarativeStream
    name: exports
    primary_key: id
    schema_loader: { $ref: "#/definitions/schema" }
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /export
        authenticator: { $ref: "#/definitions/oauth" }
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [records] }
      paginator:
        type: TwoStepCursorPaginator
        start_request:
          $ref: "#/definitions/requester"
          path: /export
          http_method: POST
          authenticator: { $ref: "#/definitions/oauth" }
          request_body_json:
            from: 20240101
            to: 20240131
        cursor_value: "{{ response.cursor }}"
        cursor_option: { type: RequestOption, inject_into: request_parameter, field_name: cursor }
spec:
  type: Spec
  connection_specification:
    type: object
    required: [base_url, client_id, client_secret, api_key, username, password]
    properties:
      base_url: { type: string }
      client_id: { type: string }
      client_secret: { type: string, airbyte_secret: true }
      api_key: { type: string, airbyte_secret: true }
      username: { type: string }
      password: { type: string, airbyte_secret: true }
`;

const SECRET = 'oauth-client-secret-value';
const USERS = [1, 2, 3, 4, 5].map((id) => ({ id, name: `user${id}`, active: id !== 3 }));
const ORDERS = [10, 11, 12, 13, 14].map((id) => ({ id }));

let server: TestServer;
let tokenRequests = 0;
let ordersCalls = 0;
let eventsCalls = 0;

beforeAll(async () => {
  server = await startServer({
    'POST /oauth/token': (req, res) => {
      tokenRequests++;
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'client_credentials' || form.get('client_secret') !== SECRET) return json(res, 401, { error: 'bad client' });
      json(res, 200, { access_token: 'token-abc', expires_in: 3600 });
    },
    'GET /api/users': (req, res) => {
      if (req.headers.authorization !== 'Bearer token-abc') return json(res, 401, { error: 'unauthorized' });
      const page = Number(req.query.page);
      const per = Number(req.query.per_page);
      json(res, 200, { data: USERS.slice((page - 1) * per, page * per) });
    },
    'GET /api/orders': (req, res) => {
      if (req.headers['x-api-key'] !== 'key-123') return json(res, 403, { error: 'forbidden' });
      ordersCalls++;
      if (ordersCalls === 1) return json(res, 429, { error: 'slow down' }, { 'retry-after': '1' });
      const offset = Number(req.query.offset ?? 0);
      json(res, 200, { data: ORDERS.slice(offset, offset + Number(req.query.limit)) });
    },
    'GET /api/events': (req, res) => {
      const expected = `Basic ${Buffer.from('alice:pw-secret').toString('base64')}`;
      if (req.headers.authorization !== expected) return json(res, 401, { error: 'unauthorized' });
      eventsCalls++;
      if (eventsCalls === 2) return json(res, 500, { error: 'temporary' });
      if (!req.query.cursor) return json(res, 200, { data: [{ id: 100 }, { id: 101 }], next: 'c2' });
      if (req.query.cursor === 'c2') return json(res, 200, { data: [{ id: 102 }], next: null });
      json(res, 400, { error: 'bad cursor' });
    },
    'GET /api/items': (req, res) => {
      const page = Number(req.query.p ?? 1);
      const headers: Record<string, string> = {};
      if (page < 3) headers.link = `<${server.url}/api/items?p=${page + 1}>; rel="next"`;
      json(res, 200, { data: [{ id: 200 + page }] }, headers);
    },
    'POST /api/export': (req, res) => {
      const body = JSON.parse(req.body || '{}');
      if (body.from !== 20240101) return json(res, 400, { error: 'bad range' });
      json(res, 200, { status: 'success', cursor: 'x1' });
    },
    'GET /api/export': (req, res) => {
      if (req.query.cursor === 'x1') return json(res, 200, { records: [{ id: 300 }, { id: 301 }], cursor: 'x2' });
      if (req.query.cursor === 'x2') return json(res, 200, { records: [{ id: 302 }] });
      json(res, 400, { error: 'bad cursor' });
    },
  });
});

afterAll(async () => server.close());

function config(overrides: Record<string, string> = {}) {
  return {
    base_url: server.url,
    client_id: 'client-1',
    client_secret: SECRET,
    api_key: 'key-123',
    username: 'alice',
    password: 'pw-secret',
    ...overrides,
  };
}

describe('manifold read (end to end)', () => {
  it('reads every stream, every record exactly once', async () => {
    const files = tempFiles({ 'manifest.yaml': MANIFEST, 'config.json': config() });
    const result = await runCli(['read', '--manifest', files['manifest.yaml']!, '--config', files['config.json']!]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    expect(records(result, 'users')).toEqual(USERS.filter((u) => u.active).map((u) => ({ ...u, origin: 'test-api', name_upper: u.name.toUpperCase() })));
    expect(records(result, 'orders').map((r) => r.id)).toEqual([10, 11, 12, 13, 14]);
    expect(records(result, 'events').map((r) => r.id)).toEqual([100, 101, 102]);
    expect(records(result, 'items').map((r) => r.id)).toEqual([201, 202, 203]);
    expect(records(result, 'exports').map((r) => r.id)).toEqual([300, 301, 302]);

    // One OAuth token serves both OAuth streams (cached, shared).
    expect(tokenRequests).toBe(1);
    // The 429 was retried after Retry-After; the 500 was retried.
    // 429 first, then offsets 0, 2, 4 (a short page ends pagination).
    expect(server.requests.filter((r) => r.path === '/api/orders').map((r) => r.query.offset ?? null)).toEqual([null, null, '2', '4']);
    expect(server.requests.filter((r) => r.path === '/api/events').map((r) => r.query.cursor ?? null)).toEqual([null, 'c2', 'c2']);
    // Page-increment requests carried page and page size from the first request on.
    expect(server.requests.filter((r) => r.path === '/api/users').map((r) => r.query)).toEqual([
      { page: '1', per_page: '2' },
      { page: '2', per_page: '2' },
      { page: '3', per_page: '2' },
    ]);
    // Every stream reported COMPLETE; no secret appears anywhere in the output.
    const statuses = result.messages.filter((m) => m.trace?.type === 'STREAM_STATUS' && m.trace.stream_status.status === 'COMPLETE');
    expect(statuses.map((m) => m.trace.stream_status.stream_descriptor.name).sort()).toEqual(['events', 'exports', 'items', 'orders', 'users']);
    for (const secret of [SECRET, 'key-123', 'pw-secret', 'token-abc']) expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('check succeeds with good credentials and fails clearly with bad ones', async () => {
    const good = tempFiles({ 'manifest.yaml': MANIFEST, 'config.json': config() });
    const ok = await runCli(['check', '--manifest', good['manifest.yaml']!, '--config', good['config.json']!]);
    expect(ok.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.status).toBe('SUCCEEDED');

    const bad = tempFiles({ 'manifest.yaml': MANIFEST, 'config.json': config({ client_secret: 'wrong-secret-value' }) });
    const failed = await runCli(['check', '--manifest', bad['manifest.yaml']!, '--config', bad['config.json']!]);
    const status = failed.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/401/);
    expect(failed.stdout).not.toContain('wrong-secret-value');
  });

  it('rejects a config that violates the spec before sending any request', async () => {
    const before = server.requests.length;
    const { base_url, ...incomplete } = config();
    const files = tempFiles({ 'manifest.yaml': MANIFEST, 'config.json': incomplete });
    const result = await runCli(['read', '--manifest', files['manifest.yaml']!, '--config', files['config.json']!]);
    expect(result.code).not.toBe(0);
    const trace = result.messages.find((m) => m.trace?.type === 'ERROR')!;
    expect(trace.trace.error.failure_type).toBe('config_error');
    expect(trace.trace.error.message).toContain('base_url');
    expect(server.requests.length).toBe(before);
    void base_url;
  });
});
