/** A paginator fed new tokens with empty pages forever stops with a clear error, not a hang. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    '/feed': (req, res) => {
      const n = Number(req.query.cursor ?? 0);
      // A few empty pages mid-scan are fine; after record 3 the API only ever sends empty pages.
      const data = n === 0 ? [{ id: 1 }] : n === 3 ? [{ id: 2 }] : [];
      json(res, 200, { data, next: String(n + 1) });
    },
  });
});
afterAll(async () => server.close());

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [feed] }
streams:
  - type: DeclarativeStream
    name: feed
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /feed }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}" }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: cursor }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
spec:
  type: Spec
  connection_specification: { type: object, properties: { base_url: { type: string } } }
`;

describe('endless empty pages', () => {
  it('emits the records found, then fails the stream naming the loop', async () => {
    const source = await Source.fromText(MANIFEST, 'feed.yaml');
    const out: AirbyteMessage[] = [];
    for await (const m of source.read({ base_url: server.url })) out.push(m);
    expect(out.flatMap((m) => (m.type === 'RECORD' ? [m.record.data.id] : []))).toEqual([1, 2]);
    const error = out.find((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
    expect(error?.type === 'TRACE' && error.trace.error?.message).toMatch(/100 empty pages in a row/);
    // Bounded: page 0..3 plus 100 empty pages after the last record.
    expect(server.requests.length).toBe(104);
  });
});
