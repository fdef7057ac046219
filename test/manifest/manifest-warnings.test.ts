/**
 * Manifests the CDK runs although they are not quite right: a YAML key written twice (PyYAML
 * keeps the last value) and check.stream_names naming a stream that does not exist (only the
 * check fails). Manifold runs them too and says where the problem is in a WARN log.
 */
import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();

const MANIFEST = `version: 6.0.0
type: DeclarativeSource
check:
  type: CheckStream
  stream_names: [customer]
streams:
  - type: DeclarativeStream
    name: customers
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: http://api.test
        path: /old-customers
        path: /customers
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
`;

describe('manifests with warnings', () => {
  it('reads with the last value of a repeated key and logs both warnings with file:line:col', async () => {
    const paths: string[] = [];
    server.use(
      http.get('http://api.test/*', ({ request }) => {
        paths.push(new URL(request.url).pathname);
        return HttpResponse.json({ data: [{ id: 1 }] });
      }),
    );
    const source = await Source.fromText(MANIFEST, 'dup.yaml');
    const messages: AirbyteMessage[] = [];
    for await (const m of source.read({}, undefined, undefined, { concurrency: 1 })) messages.push(m);
    expect(paths).toEqual(['/customers']);
    expect(messages.filter((m) => m.type === 'RECORD')).toHaveLength(1);
    const warns = messages.flatMap((m) => (m.type === 'LOG' && m.log.level === 'WARN' ? [m.log.message] : []));
    expect(warns).toEqual([
      'dup.yaml:17:9: duplicate key "path" (also at line 16, column 9); the last value is used',
      'dup.yaml:5:18 check.stream_names[0]: check.stream_names refers to unknown stream "customer"; did you mean customers? (check will fail)',
    ]);
    expect(messages.some((m) => m.type === 'TRACE' && m.trace.type === 'ERROR')).toBe(false);
  });

  it('fails check, when run, for a stream the manifest does not define', async () => {
    const source = await Source.fromText(MANIFEST, 'dup.yaml');
    const result = await source.check({});
    expect(result.status).toBe('FAILED');
    expect(result.message).toMatch(/check names stream "customer", which the manifest does not define/);
  });
});
