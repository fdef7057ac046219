/**
 * Runtime hints (issue 18): a template path that names a key the data lacks fails silently —
 * pagination stops after page 1, a path is sent with an empty segment, a parent gives no
 * partitions. Each now makes one WARN naming the expression and the keys that were there.
 */
import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();

function manifest(opts: { cursorValue?: string; path?: string; parentKey?: string }): string {
  return `
version: 6.44.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [projects] }
definitions:
  requester: { type: HttpRequester, url_base: "http://api.test" }
  selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
streams:
  - type: DeclarativeStream
    name: projects
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /projects }
      record_selector: { $ref: "#/definitions/selector" }
      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: CursorPagination, cursor_value: "${opts.cursorValue ?? '{{ response.next_cursor }}'}" }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: cursor }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
  - type: DeclarativeStream
    name: tasks
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: "${opts.path ?? '/projects/{{ stream_partition.project_id }}/tasks'}" }
      record_selector: { $ref: "#/definitions/selector" }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs:
          - type: ParentStreamConfig
            stream: "#/streams/0"
            parent_key: ${opts.parentKey ?? 'id'}
            partition_field: project_id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
spec:
  type: Spec
  connection_specification: { type: object, properties: {} }
`;
}

const requested: string[] = [];
function api(): void {
  requested.length = 0;
  server.use(
    http.get('http://api.test/projects', ({ request }) => {
      requested.push(request.url);
      const cursor = new URL(request.url).searchParams.get('cursor');
      return cursor === 'p2'
        ? HttpResponse.json({ data: [{ id: 2, name: 'b' }], next_cursor: null })
        : HttpResponse.json({ data: [{ id: 1, name: 'a' }], next_cursor: 'p2' });
    }),
    http.get('http://api.test/projects/*', ({ request }) => {
      requested.push(request.url);
      return HttpResponse.json({ data: [{ id: 10 }] });
    }),
  );
}

async function read(text: string, streams: string[]): Promise<{ records: AirbyteMessage[]; warnings: string[] }> {
  api();
  const source = await Source.fromText(text, 'm.yaml');
  const catalog = { streams: streams.map((name) => ({ stream: { name }, sync_mode: 'full_refresh' as const })) };
  const messages: AirbyteMessage[] = [];
  for await (const m of source.read({}, catalog, undefined, { concurrency: 1 })) messages.push(m);
  return {
    records: messages.filter((m) => m.type === 'RECORD'),
    warnings: messages.flatMap((m) => (m.type === 'LOG' && m.log.level === 'WARN' ? [m.log.message] : [])),
  };
}

describe('runtime hints for templates that name a missing key', () => {
  it('a cursor_value naming a field the response lacks: one WARN with the response keys', async () => {
    const { records, warnings } = await read(manifest({ cursorValue: '{{ response.nextCursor }}' }), ['projects']);
    // Pagination stops after page 1, as before; now it says why.
    expect(records).toHaveLength(1);
    expect(warnings).toEqual([
      expect.stringContaining(
        'cursor_value "{{ response.nextCursor }}" gave no next page token, so pagination stopped: response.nextCursor is undefined: response has no key "nextCursor" (response has: data, next_cursor); did you mean next_cursor?',
      ),
    ]);
    expect(warnings[0]).toMatch(/^streams\[0\]\.retriever\.paginator\.pagination_strategy: /);
  });

  it('the right cursor_value reading null on the last page is the normal end: no WARN', async () => {
    const { records, warnings } = await read(manifest({}), ['projects']);
    expect(records).toHaveLength(2);
    expect(warnings).toEqual([]);
  });

  it('a path template naming a partition key that does not exist: one WARN with the partition keys', async () => {
    const { warnings } = await read(manifest({ path: '/projects/{{ stream_partition.projectid }}/tasks' }), ['tasks']);
    expect(requested.filter((u) => u.includes('/tasks'))).toEqual(['http://api.test/projects//tasks', 'http://api.test/projects//tasks']);
    expect(warnings).toEqual([
      'Stream "tasks": path "/projects/{{ stream_partition.projectid }}/tasks" has an empty part: stream_partition.projectid is undefined: stream_partition has no key "projectid" (stream_partition has: project_id, parent_slice); did you mean project_id?',
    ]);
  });

  it('a parent_key the parent records lack: one WARN with the record keys, and no partitions', async () => {
    const { records, warnings } = await read(manifest({ parentKey: 'project_id' }), ['tasks']);
    expect(records).toEqual([]);
    expect(warnings).toEqual([
      expect.stringContaining(
        'parent_key "project_id" is not in the parent\'s records, which then give no partition: the parent record has no key "project_id" (the parent record has: id, name)',
      ),
    ]);
  });

  it('correct templates make no WARN', async () => {
    const { records, warnings } = await read(manifest({}), ['tasks']);
    expect(records).toHaveLength(2);
    expect(warnings).toEqual([]);
  });
});
