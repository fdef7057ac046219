/** Library users can add their own components by `type` name and use them in manifests. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registerComponent, Source, type AirbyteMessage, type DataRecord, type RecordTransformation } from '../../engine/index.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

class MaskEmails implements RecordTransformation {
  constructor(private readonly field: string) {}
  transform(record: DataRecord): void {
    const v = record[this.field];
    if (typeof v === 'string') record[this.field] = v.replace(/^[^@]+/, '***');
  }
}

let server: TestServer;
beforeAll(async () => {
  registerComponent('MaskEmails', (node) => new MaskEmails(String(node.field ?? 'email')), 'Masks the local part of an email field.');
  server = await startServer({ '/users': (_req, res) => json(res, 200, [{ id: 1, email: 'ada@example.com' }]) });
});
afterAll(async () => server.close());

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [users] }
streams:
  - type: DeclarativeStream
    name: users
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /users }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
    transformations:
      - type: MaskEmails
        field: email
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
spec:
  type: Spec
  connection_specification: { type: object, properties: { base_url: { type: string } } }
`;

describe('custom components', () => {
  it('a type registered from TypeScript validates and runs inside a manifest', async () => {
    const source = await Source.fromText(MANIFEST, 'custom.yaml');
    const out: AirbyteMessage[] = [];
    for await (const m of source.read({ base_url: server.url })) out.push(m);
    const records = out.flatMap((m) => (m.type === 'RECORD' ? [m.record.data] : []));
    expect(records).toEqual([{ id: 1, email: '***@example.com' }]);
  });
});
