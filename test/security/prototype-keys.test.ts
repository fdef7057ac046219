/**
 * API data is untrusted: a record key named `__proto__` (legal JSON) is kept as an ordinary key by
 * every component that copies, merges or renames keys, and can never reach Object.prototype.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { Source } from '../../engine/index.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();

afterEach(() => {
  // Should a test fail, do not let the pollution leak into the next one.
  for (const k of ['polluted', 'flat']) delete (Object.prototype as Record<string, unknown>)[k];
});

const stream = (name: string, extra: string, requester = `{ type: HttpRequester, url_base: https://api.test, path: /${name} }`) => `
  - type: DeclarativeStream
    name: ${name}
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
${extra}
    retriever:
      type: SimpleRetriever
      requester: ${requester}
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [results] } }`;

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [renamed] }
streams:
${stream(
  'merged',
  '',
  `
        type: HttpRequester
        url_base: https://api.test
        path: /merged
        request_parameters:
          fields:
            type: QueryProperties
            property_list: [a, b]
            property_chunking: { type: PropertyChunking, property_limit_type: property_count, property_limit: 1, record_merge_strategy: { type: GroupByKeyMergeStrategy, key: id } }`,
)}
${stream(
  'renamed',
  `    transformations:
      - { type: KeysToLower }
      - { type: KeysReplace, old: "_x", new: "_y" }
      - { type: RemoveFields, field_pointers: [[meta]] }
      - { type: AddFields, fields: [{ path: [__proto__, added], value: "{{ record.id }}" }] }
      - { type: FlattenFields }`,
)}
`;

const RAW = (body: string) => () => new HttpResponse(body, { headers: { 'content-type': 'application/json' } });

describe('record keys named __proto__', () => {
  it('stay ordinary keys through QueryProperties merging, renaming, removal, AddFields and flattening', async () => {
    server.use(
      http.get('https://api.test/merged', ({ request }) => {
        const field = new URL(request.url).searchParams.get('fields');
        return RAW(`{"results":[{"id":1,"${field}":"${field}1","__proto__":{"polluted":"via ${field}"}}]}`)();
      }),
      http.get('https://api.test/renamed', RAW('{"results":[{"id":7,"meta":{},"__PROTO__":{"polluted_x":"yes","flat":"yes"},"name":"n"}]}')),
    );
    const source = await Source.fromText(MANIFEST, 'proto.yaml', { logLevel: 'ERROR', backoffScale: 0 });
    const lines: string[] = [];
    const errors: string[] = [];
    for await (const m of source.read({})) {
      if (m.type === 'RECORD') lines.push(`${m.record.stream} ${JSON.stringify(m.record.data)}`);
      if (m.type === 'TRACE' && m.trace.type === 'ERROR') errors.push(m.trace.error!.message);
    }
    expect(errors).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).flat).toBeUndefined();
    expect(lines.sort()).toEqual([
      'merged {"id":1,"a":"a1","__proto__":{"polluted":"via b"},"b":"b1"}',
      // Renamed, then flattened like any nested object (leaf names kept where they do not clash).
      'renamed {"id":7,"name":"n","polluted_y":"yes","flat":"yes","added":7}',
    ]);
  });
});
