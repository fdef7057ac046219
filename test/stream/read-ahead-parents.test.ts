/**
 * A test read with a record limit sends no request whose records nobody will read: neither the
 * stream's own pages nor the pages of the parent stream its partitions come from (no page read
 * ahead, no slice buffered ahead). A full read still reads every parent page once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Source } from '../../engine/index.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    '/parents': (req, res) => {
      const page = Number(req.query.page ?? '1');
      json(res, 200, { data: [{ id: `p${page}a` }, { id: `p${page}b` }], next: page < 5 ? page + 1 : null });
    },
    '/children': (req, res) => json(res, 200, { data: [{ id: `${req.query.parent}-1` }, { id: `${req.query.parent}-2` }] }),
  });
});
afterEach(() => {
  server.requests.length = 0;
});
afterAll(async () => server.close());

const manifest = () => `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [children] }
definitions:
  parents:
    type: DeclarativeStream
    name: parents
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: "${server.url}", path: /parents }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}", stop_condition: "{{ not response.next }}" }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
streams:
  - type: DeclarativeStream
    name: children
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "${server.url}"
        path: /children
        request_parameters: { parent: "{{ stream_partition.parent }}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs: [{ type: ParentStreamConfig, parent_key: id, partition_field: parent, stream: { $ref: "#/definitions/parents" } }]
`;

async function read(limits: { records?: number }): Promise<string[]> {
  const source = await Source.fromText(manifest(), 'substream.yaml', { logLevel: 'ERROR' });
  const records: string[] = [];
  for await (const m of source.read({}, undefined, undefined, { concurrency: 1, limits })) if (m.type === 'RECORD') records.push(String(m.record.data.id));
  // Let a late request reach the server log before it is inspected.
  await new Promise((r) => setTimeout(r, 100));
  return records;
}

const requested = (): string[] => server.requests.map((r) => `${r.path}?${new URLSearchParams(r.query)}`);

describe('test reads and parent streams', () => {
  it('a record-limited read requests only the parent page and the child slice it needs', async () => {
    expect(await read({ records: 1 })).toEqual(['p1a-1']);
    expect(requested()).toEqual(['/parents?', '/children?parent=p1a']);
  });

  it('a limit reached in a later slice reads the parent pages that slice needs, and no more', async () => {
    expect(await read({ records: 5 })).toEqual(['p1a-1', 'p1a-2', 'p1b-1', 'p1b-2', 'p2a-1']);
    expect(requested()).toEqual(['/parents?', '/children?parent=p1a', '/children?parent=p1b', '/parents?page=2', '/children?parent=p2a']);
  });

  it('a full read gets every record, each parent page requested once', async () => {
    expect(await read({})).toHaveLength(20);
    expect(server.requests.filter((r) => r.path === '/parents').map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3', '4', '5']);
  });
});
