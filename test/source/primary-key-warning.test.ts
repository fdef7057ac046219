/**
 * A declared primary key the records do not carry: the read goes on unchanged (as in the CDK) but
 * says so once per stream, and the record check (`read --check-schema`) counts it as a mismatch.
 */
import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { RecordChecker } from '../../engine/schema/record-checker.js';
import { SchemaReport } from '../../cli/schema-report.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [keyed] }
definitions:
  stream:
    type: DeclarativeStream
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: http://api.test, path: "/{{ parameters.name }}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: PageIncrement, page_size: 2, start_from_page: 1 }
streams:
  - { $ref: "#/definitions/stream", name: keyed, primary_key: id, $parameters: { name: keyed } }
  - { $ref: "#/definitions/stream", name: unkeyed, primary_key: id, $parameters: { name: unkeyed } }
  - { $ref: "#/definitions/stream", name: nested, primary_key: [[meta, uid], [kind]], $parameters: { name: nested } }
`;

const PAGES: Record<string, unknown[][]> = {
  keyed: [[{ id: 1 }, { id: 2 }], [{ id: 3 }]],
  unkeyed: [[{ id: 1 }, { uid: 'x' }], [{ uid: 'y' }]],
  nested: [
    [
      { meta: { uid: 'a' }, kind: 'k' },
      { meta: {}, kind: 'k' },
    ],
    [{ meta: { uid: null } }],
  ],
};

async function read(): Promise<AirbyteMessage[]> {
  server.use(
    http.get('http://api.test/:name', ({ request, params }) => {
      const page = Number(new URL(request.url).searchParams.get('page') ?? '1');
      return HttpResponse.json({ data: PAGES[String(params.name)]![page - 1] ?? [] });
    }),
  );
  const source = await Source.fromText(MANIFEST, 'm.yaml');
  const out: AirbyteMessage[] = [];
  for await (const m of source.read({}, undefined, undefined, { concurrency: 1 })) out.push(m);
  return out;
}

describe('records without their declared primary key', () => {
  it('WARN once per stream, ahead of the records, which all still go out', async () => {
    const messages = await read();
    const warnings = messages.flatMap((m) => (m.type === 'LOG' && m.log.level === 'WARN' ? [m.log.message] : []));
    expect(warnings).toEqual([
      expect.stringMatching(/^Stream unkeyed: records have no value for primary key field id; a destination deduplicating/),
      expect.stringMatching(/^Stream nested: records have no value for primary key field meta\.uid;/),
    ]);
    const count = (stream: string) => messages.filter((m) => m.type === 'RECORD' && m.record.stream === stream).length;
    expect([count('keyed'), count('unkeyed'), count('nested')]).toEqual([3, 3, 3]);
    const warnAt = messages.findIndex((m) => m.type === 'LOG' && m.log.message.startsWith('Stream unkeyed'));
    const firstRecord = messages.findIndex((m) => m.type === 'RECORD' && m.record.stream === 'unkeyed');
    expect(warnAt).toBeLessThan(firstRecord);
  });

  it('the record check reports a missing or null key as a mismatch', () => {
    const checker = new RecordChecker({ type: 'object' }, [['meta', 'uid'], ['kind']]);
    expect(checker.check({ meta: { uid: 'a' }, kind: 'k' })).toEqual([]);
    expect(checker.check({ meta: { uid: null } })).toEqual([
      { field: 'meta.uid', expected: 'a primary key value', got: 'missing or null' },
      { field: 'kind', expected: 'a primary key value', got: 'missing or null' },
    ]);
  });

  it('read --check-schema (SchemaReport) warns and counts records lacking the key of the catalog', () => {
    const report = new SchemaReport({
      streams: [{ name: 'profiles', json_schema: { type: 'object' }, supported_sync_modes: ['full_refresh'], source_defined_primary_key: [['cleverTapId']] }],
    });
    expect(report.check('profiles', { cleverTapId: 'c1' })).toBeUndefined();
    expect(report.check('profiles', { identity: 'u1' })?.log.message).toBe(
      'Schema mismatch in stream profiles: field cleverTapId: expected a primary key value, got missing or null',
    );
    report.check('profiles', { identity: 'u2' });
    expect(report.summary().map((m) => m.log.message)).toEqual(['Schema check: 2 record(s) of profiles have cleverTapId not matching a primary key value']);
  });
});
