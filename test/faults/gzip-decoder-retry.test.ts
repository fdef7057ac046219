/**
 * A GzipDecoder body (raw gzip bytes, no Content-Encoding) cut short by a proxy is fetched again
 * under the error handler's budget, like truncated JSON; one that stays broken fails loudly.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

const RECORDS = [{ id: 1 }, { id: 2 }, { id: 3 }];
const GOOD = gzipSync(Buffer.from(JSON.stringify({ data: RECORDS })));
const CUT = GOOD.subarray(0, Math.floor(GOOD.length / 2));

let server: TestServer;
let cutsLeft = 0;
let requests = 0;
beforeAll(async () => {
  server = await startServer({
    '/export': (_req, res) => {
      requests += 1;
      const body = cutsLeft > 0 ? CUT : GOOD;
      if (cutsLeft > 0) cutsLeft -= 1;
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(body.length) });
      res.end(body);
    },
  });
});
afterAll(async () => server.close());

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [export] }
streams:
  - type: DeclarativeStream
    name: export
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config.base_url }}"
        path: /export
        error_handler: { type: DefaultErrorHandler, max_retries: 3, backoff_strategies: [{ type: ConstantBackoffStrategy, backoff_time_in_seconds: 0.01 }] }
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
      decoder: { type: GzipDecoder, decoder: { type: JsonDecoder } }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
spec:
  type: Spec
  connection_specification: { type: object, properties: { base_url: { type: string } } }
`;

async function read(): Promise<AirbyteMessage[]> {
  const source = await Source.fromText(MANIFEST, 'gzip.yaml');
  const out: AirbyteMessage[] = [];
  for await (const m of source.read({ base_url: server.url })) out.push(m);
  return out;
}

describe('GzipDecoder bodies cut short', () => {
  it('are fetched again and every record arrives once', async () => {
    cutsLeft = 2;
    requests = 0;
    const out = await read();
    expect(out.filter((m) => m.type === 'RECORD').map((m) => (m as { record: { data: unknown } }).record.data)).toEqual(RECORDS);
    expect(requests).toBe(3);
    expect(out.some((m) => m.type === 'TRACE' && m.trace.type === 'ERROR')).toBe(false);
  });

  it('fail loudly, naming the URL, when they stay broken past the retry budget', async () => {
    cutsLeft = 100;
    requests = 0;
    const out = await read();
    expect(out.filter((m) => m.type === 'RECORD')).toHaveLength(0);
    const error = out.find((m) => m.type === 'TRACE' && m.trace.type === 'ERROR') as { trace: { error: { message: string } } } | undefined;
    expect(error?.trace.error.message).toMatch(/not valid gzip/);
    expect(error?.trace.error.message).toContain('/export');
    expect(requests).toBe(4);
  });
});
