/**
 * `use_cache` (Airbyte caches such a requester's responses) is accepted, and a read says once that
 * Manifold sends every request anyway, instead of ignoring the field silently.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer;
let requests = 0;
beforeAll(async () => {
  server = await startServer({
    '/users': (_req, res) => {
      requests += 1;
      json(res, 200, [{ id: 1 }]);
    },
  });
});
afterAll(async () => server.close());

const stream = (name: string) => `
  - type: DeclarativeStream
    name: ${name}
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /users, use_cache: true }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }`;

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [users] }
streams:${stream('users')}${stream('users_again')}
spec:
  type: Spec
  connection_specification: { type: object, properties: { base_url: { type: string } } }
`;

describe('use_cache', () => {
  it('reads normally, sends every request, and says so in one INFO log per read', async () => {
    const source = await Source.fromText(MANIFEST, 'cache.yaml');
    const out: AirbyteMessage[] = [];
    for await (const m of source.read({ base_url: server.url })) out.push(m);
    expect(out.filter((m) => m.type === 'RECORD')).toHaveLength(2);
    expect(requests).toBe(2);
    const notes = out.filter((m) => m.type === 'LOG' && m.log.message.includes('use_cache'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ log: { level: 'INFO', message: expect.stringContaining('every request is sent') } });
  });
});
