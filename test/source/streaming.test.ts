/**
 * Records flow as each page arrives, and a slow consumer holds the HTTP loop back: after the
 * first record is taken, the engine has fetched only the first page(s), not the whole stream.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Source } from '../../engine/index.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

const PAGES = 50;
const PAGE_SIZE = 100;
let server: TestServer;

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
streams:
  - type: DeclarativeStream
    name: items
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: PageIncrement, page_size: ${PAGE_SIZE}, start_from_page: 1, inject_on_first_request: true }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
spec:
  type: Spec
  connection_specification: { type: object, properties: { base_url: { type: string } } }
`;

beforeAll(async () => {
  server = await startServer({
    '/items': (req, res) => {
      const page = Number(req.query.page);
      const data = page > PAGES ? [] : Array.from({ length: PAGE_SIZE }, (_, i) => ({ id: (page - 1) * PAGE_SIZE + i }));
      json(res, 200, { data });
    },
  });
});
afterAll(async () => server.close());

describe('streaming with backpressure', () => {
  it('yields the first record before the rest of the stream is fetched, and fetches on demand', async () => {
    const source = await Source.fromText(MANIFEST, 'm.yaml');
    const iterator = source.read({ base_url: server.url }, undefined, undefined, { concurrency: 1 })[Symbol.asyncIterator]();
    let first;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      if (r.value.type === 'RECORD') {
        first = r.value.record.data;
        break;
      }
    }
    expect(first).toEqual({ id: 0 });
    // Let any eager prefetching run; a bounded pipeline stops after a few pages.
    await new Promise((r) => setTimeout(r, 300));
    const fetched = server.requests.length;
    expect(fetched).toBeLessThan(PAGES / 2);

    let count = 1;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) if (r.value.type === 'RECORD') count++;
    expect(count).toBe(PAGES * PAGE_SIZE);
    expect(server.requests.length).toBe(PAGES + 1);
  });
});
