/**
 * ZipfileDecoder through a whole read: the API answers with a zip archive, each file of which is
 * decoded by the inner decoder (JSON lines, gzipped CSV); a body that is not a zip fails the stream
 * with an error naming the URL.
 */
import { describe, expect, it } from '@jest/globals';
import { zipSync, strToU8 } from 'fflate';
import { http, HttpResponse } from 'msw';
import { gzipSync } from 'node:zlib';
import { Source } from '../../engine/index.js';
import type { Obj } from '../../engine/types.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();

function manifest(decoder: string): string {
  return `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [exports] }
streams:
  - type: DeclarativeStream
    name: exports
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.test, path: /export }
      decoder: ${decoder}
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
`;
}

async function read(decoder: string): Promise<{ records: Obj[]; errors: string[] }> {
  const source = await Source.fromText(manifest(decoder), 'zip.yaml', { logLevel: 'ERROR', backoffScale: 0 });
  const records: Obj[] = [];
  const errors: string[] = [];
  for await (const m of source.read({})) {
    if (m.type === 'RECORD') records.push(m.record.data);
    if (m.type === 'TRACE' && m.trace.type === 'ERROR') errors.push(m.trace.error!.message);
  }
  return { records, errors };
}

const serve = (body: Uint8Array) =>
  server.use(http.get('https://api.test/export', () => new HttpResponse(body, { headers: { 'content-type': 'application/zip' } })));

describe('ZipfileDecoder', () => {
  it('decodes every file of the archive, in order, with the inner decoder (directories skipped)', async () => {
    serve(
      zipSync({
        'part-1.jsonl': strToU8('{"id":1}\n{"id":2}\n'),
        'nested/': new Uint8Array(0),
        'nested/part-2.jsonl': strToU8('{"id":3}\n'),
      }),
    );
    const { records, errors } = await read('{ type: ZipfileDecoder, decoder: { type: JsonlDecoder } }');
    expect(errors).toEqual([]);
    expect(records).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('inner decoders nest: a gzipped CSV inside the zip', async () => {
    serve(zipSync({ 'report.csv.gz': new Uint8Array(gzipSync('id,name\n1,Ann\n2,Bo\n')) }));
    const { records } = await read('{ type: ZipfileDecoder, decoder: { type: GzipDecoder, decoder: { type: CsvDecoder } } }');
    expect(records).toEqual([
      { id: '1', name: 'Ann' },
      { id: '2', name: 'Bo' },
    ]);
  });

  it('a body that is not a zip fails the stream with the URL in the error', async () => {
    serve(strToU8('{"not": "a zip"}'));
    const { records, errors } = await read('{ type: ZipfileDecoder, decoder: { type: JsonDecoder } }');
    expect(records).toEqual([]);
    expect(errors.join('\n')).toMatch(/https:\/\/api\.test\/export is not a valid zip archive/);
  });
});
