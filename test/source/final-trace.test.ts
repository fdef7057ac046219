/**
 * The TRACE that closes a read with failed streams. As the CDK's concurrent read processor, it is a
 * config_error whatever the failures were: it only lists the failed streams, whose own TRACEs
 * (emitted before it) carry the failure type to act on.
 */
import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [a] }
definitions:
  stream:
    type: DeclarativeStream
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: http://api.test
        path: "/{{ parameters.name }}"
        authenticator: { type: BearerAuthenticator, api_token: "{{ config.token }}" }
        error_handler: { type: DefaultErrorHandler, max_retries: 0 }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
streams:
  - { $ref: "#/definitions/stream", name: a, $parameters: { name: a } }
  - { $ref: "#/definitions/stream", name: b, $parameters: { name: b } }
`;

async function errorsOf(status: number): Promise<Array<{ failure_type?: string; message?: string; stream?: string }>> {
  server.use(http.get('http://api.test/*', () => HttpResponse.json({ error: 'nope' }, { status })));
  const source = await Source.fromText(MANIFEST, 'm.yaml');
  const messages: AirbyteMessage[] = [];
  for await (const m of source.read({ token: 'secret-token-1' }, undefined, undefined, { concurrency: 1 })) messages.push(m);
  return messages.flatMap((m) =>
    m.type === 'TRACE' && m.trace.type === 'ERROR' && m.trace.error
      ? [{ failure_type: m.trace.error.failure_type, message: m.trace.error.message, stream: m.trace.error.stream_descriptor?.name }]
      : [],
  );
}

describe('the closing error TRACE', () => {
  it('every stream failing on 401: the stream errors and the closing TRACE are config_error', async () => {
    const errors = await errorsOf(401);
    expect(errors.map((e) => [e.stream, e.failure_type])).toEqual([
      ['a', 'config_error'],
      ['b', 'config_error'],
      [undefined, 'config_error'],
    ]);
    expect(errors.at(-1)!.message).toBe('During the sync, the following streams did not sync successfully: a, b');
  });

  it('server errors: the stream TRACEs keep their own type, the closing one is still config_error', async () => {
    const errors = await errorsOf(500);
    expect(errors.slice(0, -1).map((e) => e.failure_type)).not.toContain('config_error');
    expect(errors.at(-1)!.failure_type).toBe('config_error');
  });
});
