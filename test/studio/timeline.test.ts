/**
 * The test-read timeline beyond one slice: an incremental stream read in daily windows (a slice
 * each, with the state after it), and a retry after a 429 shown inside its page.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStudio, type StartedStudio } from '../../cli/studio/server.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';
import { own, raw } from './helpers.js';

const EVENTS = [
  { id: 1, updated: '2024-01-01T10:00:00Z' },
  { id: 2, updated: '2024-01-02T11:00:00Z' },
  { id: 3, updated: '2024-01-03T12:00:00Z' },
];

const MANIFEST = (base: string) => `
version: 6.44.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [events] }
streams:
  - type: DeclarativeStream
    name: events
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: ${base}
        path: /events
        authenticator: { type: BearerAuthenticator, api_token: "{{ config['token'] }}" }
        error_handler:
          type: DefaultErrorHandler
          backoff_strategies: [{ type: ConstantBackoffStrategy, backoff_time_in_seconds: 0.01 }]
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      cursor_granularity: PT1S
      step: P1D
      start_datetime: { type: MinMaxDatetime, datetime: "2024-01-01", datetime_format: "%Y-%m-%d" }
      end_datetime: { type: MinMaxDatetime, datetime: "2024-01-03T23:59:59Z", datetime_format: "%Y-%m-%dT%H:%M:%SZ" }
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
      end_time_option: { type: RequestOption, inject_into: request_parameter, field_name: until }
    schema_loader:
      type: InlineSchemaLoader
      schema: { type: object, properties: { id: { type: integer }, updated: { type: string } } }
spec:
  type: Spec
  connection_specification:
    type: object
    properties:
      token: { type: string, airbyte_secret: true }
`;

let api: TestServer;
let studio: StartedStudio;
let text: string;
let calls = 0;

beforeAll(async () => {
  api = await startServer({
    '/events': (req, res) => {
      calls++;
      // The second window's first attempt is rate limited once.
      if (req.query.since?.startsWith('2024-01-02') && calls === 2) return json(res, 429, { error: 'slow down' }, { 'Retry-After': '0' });
      json(res, 200, { data: EVENTS.filter((e) => e.updated >= req.query.since! && e.updated <= req.query.until!) });
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'manifold-studio-timeline-'));
  text = MANIFEST(api.url);
  writeFileSync(join(dir, 'events.yaml'), text);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ token: 'bearer-secret-77aa' }));
  studio = await startStudio({ manifest: join(dir, 'events.yaml'), config: join(dir, 'config.json') });
});
afterAll(async () => {
  await studio.close();
  await api.close();
});

test('one slice per daily window, each with its page and the state after it; the 429 and its retry sit inside the page', async () => {
  const res = await raw(studio.port, '/api/test-read', { method: 'POST', body: { text, stream: 'events' }, headers: own(studio.port, studio.token) });
  expect(res.status).toBe(200);
  const read = res.json();
  expect(read.errors).toEqual([]);
  expect(read.records.map((r: { id: number }) => r.id)).toEqual([1, 2, 3]);
  expect(read.slices.map((s: { slice: { cursor_slice: unknown } }) => s.slice.cursor_slice)).toEqual([
    { start_time: '2024-01-01T00:00:00Z', end_time: '2024-01-01T23:59:59Z' },
    { start_time: '2024-01-02T00:00:00Z', end_time: '2024-01-02T23:59:59Z' },
    { start_time: '2024-01-03T00:00:00Z', end_time: '2024-01-03T23:59:59Z' },
  ]);
  expect(read.slices.map((s: { state: unknown }) => s.state)).toEqual([
    { updated: '2024-01-01T10:00:00Z' },
    { updated: '2024-01-02T11:00:00Z' },
    { updated: '2024-01-03T12:00:00Z' },
  ]);
  expect(read.slices.map((s: { pages: unknown[] }) => s.pages.length)).toEqual([1, 1, 1]);
  const retried = read.slices[1].pages[0].exchanges;
  expect(retried.map((x: { status?: number; retryInMs?: number; attempt: number }) => [x.attempt, x.status ?? null, x.retryInMs !== undefined])).toEqual([
    [1, 429, false],
    [1, null, true],
    [2, 200, false],
  ]);
  expect(read.slices[1].pages[0].records).toBe(1);
  expect(read.slices[0].pages[0].pagination).toBe('stopped: the stream has no paginator (one request per slice)');
  expect(retried[0].requestHeaders.Authorization).toBe('****');
  expect(res.body).not.toContain('bearer-secret-77aa');
});
