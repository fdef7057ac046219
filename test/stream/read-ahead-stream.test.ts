/**
 * Read-ahead seen from a whole stream: a consumer that decides to stop at a page boundary must not
 * cause requests past the ones it would have sent without read-ahead.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { loadComponents } from '../../engine/components.js';
import type { Stream, StreamEvent } from '../../engine/contracts.js';
import { buildComponent, loadManifestText } from '../../engine/manifest/index.js';
import { createServices } from '../../engine/services.js';
import type { Obj } from '../../engine/types.js';
import { json, startServer, type LoggedRequest, type TestServer } from '../helpers/http-server.js';

// Newest first, two per page: page 1 = 10, 9; page 2 = 8, 7; page 3 = 6, 5; ...
const DAYS = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
let server: TestServer;

beforeAll(async () => {
  await loadComponents();
  server = await startServer({
    '/events': (req: LoggedRequest, res: ServerResponse) => {
      const page = Number(req.query.page ?? '1');
      const data = DAYS.slice((page - 1) * 2, page * 2).map((d) => ({ id: d, updated: `2024-01-${String(d).padStart(2, '0')}` }));
      json(res, 200, { data, next: page * 2 < DAYS.length ? page + 1 : null });
    },
  });
});
afterEach(() => {
  server.requests.length = 0;
});
afterAll(async () => server.close());

function feedStream(): Stream {
  const { root } = loadManifestText(
    `
type: DeclarativeStream
name: events
primary_key: id
schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
incremental_sync:
  type: DatetimeBasedCursor
  cursor_field: updated
  datetime_format: "%Y-%m-%d"
  start_datetime: "2024-01-01"
  end_datetime: "2024-01-31"
  is_data_feed: true
retriever:
  type: SimpleRetriever
  requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /events }
  record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
  paginator:
    type: DefaultPaginator
    pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}", stop_condition: "{{ not response.next }}" }
    page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
`,
    'stream.yaml',
  );
  return buildComponent<Stream>(
    root as Obj,
    'stream',
    { base_url: server.url },
    createServices({ logSink: () => undefined, backoffScale: 0 }),
    'DeclarativeStream',
  );
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe('read-ahead and a data feed', () => {
  it('requests nothing after the page that reached the state, and drops its already-synced records', async () => {
    const events = await collect(feedStream().read({ syncMode: 'incremental', state: { updated: '2024-01-08' } }));
    // Page 2 holds the first record older than the state (7): the feed stops after it, and 7 is
    // left out (Airbyte's data feeds emit only records the cursor would sync).
    expect(events.flatMap((e) => (e.kind === 'record' ? [e.data.id] : []))).toEqual([10, 9, 8]);
    await new Promise((r) => setTimeout(r, 50));
    const pages = server.requests.map((r) => r.query.page ?? '1');
    // The retriever sees the older record before it would request page 3 (even ahead).
    expect(pages).toEqual(['1', '2']);
  });
});
