/**
 * A credential template that renders empty: like Airbyte's CDK, the request is sent with what the
 * template rendered (the API decides), with one WARN naming the field; a config missing a field the
 * spec requires is still refused before any request.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    '/items': (req, res) => (req.headers['x-api-key'] ? json(res, 200, { data: [{ id: 1 }] }) : json(res, 401, { error: 'missing key' })),
    '/open': (_req, res) => json(res, 200, { data: [{ id: 7 }] }),
  });
});
afterAll(async () => server.close());

function manifest(spec: string): string {
  return `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [open] }
definitions:
  stream:
    type: DeclarativeStream
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config.base_url }}"
        path: "/{{ parameters.name }}"
        authenticator: { type: ApiKeyAuthenticator, api_token: "{{ config.api_key }}", inject_into: { type: RequestOption, inject_into: header, field_name: X-Api-Key } }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
streams:
  - { $ref: "#/definitions/stream", name: open, $parameters: { name: open } }
  - { $ref: "#/definitions/stream", name: items, $parameters: { name: items } }
${spec}`;
}

async function read(source: Source, config: Record<string, unknown>): Promise<AirbyteMessage[]> {
  const out: AirbyteMessage[] = [];
  for await (const m of source.read(config, undefined, undefined, { concurrency: 1 })) out.push(m);
  return out;
}

const warnings = (messages: AirbyteMessage[]) => messages.flatMap((m) => (m.type === 'LOG' && m.log.level === 'WARN' ? [m.log.message] : []));

describe('a credential that renders empty', () => {
  it('is sent as rendered when the config passes the spec, with one WARN naming the field', async () => {
    const source = await Source.fromText(manifest(''), 'empty-key.yaml');
    const before = server.requests.length;
    const messages = await read(source, { base_url: server.url });
    const sent = server.requests.slice(before);
    expect(sent.map((r) => r.path)).toEqual(['/open', '/items']);
    expect(sent.every((r) => !r.headers['x-api-key'])).toBe(true);
    const records = messages.flatMap((m) => (m.type === 'RECORD' ? [m.record.data] : []));
    expect(records).toEqual([{ id: 7 }]);
    const emptyWarnings = warnings(messages).filter((w) => w.includes('rendered empty'));
    expect(emptyWarnings).toHaveLength(1);
    expect(emptyWarnings[0]).toMatch(/empty-key\.yaml:\d+:\d+ .*authenticator.* api_token rendered empty/);
    const streamError = messages.find((m) => m.type === 'TRACE' && m.trace.error?.stream_descriptor?.name === 'items');
    expect(streamError?.type === 'TRACE' && streamError.trace.error?.message).toMatch(/401/);
  });

  it('check sends the request too (the API answers)', async () => {
    const source = await Source.fromText(manifest(''), 'empty-key.yaml');
    const before = server.requests.length;
    expect(await source.check({ base_url: server.url })).toEqual({ status: 'SUCCEEDED' });
    expect(server.requests.slice(before).map((r) => r.path)).toEqual(['/open']);
  });

  it('a config missing a field the spec requires is a config_error before any request', async () => {
    const spec = `spec:
  type: Spec
  connection_specification:
    type: object
    required: [base_url, api_key]
    properties: { base_url: { type: string }, api_key: { type: string, airbyte_secret: true } }`;
    const source = await Source.fromText(manifest(spec), 'spec.yaml');
    const before = server.requests.length;
    const messages = await read(source, { base_url: server.url });
    expect(server.requests.length).toBe(before);
    const error = messages.find((m) => m.type === 'TRACE' && m.trace.error);
    expect(error?.type === 'TRACE' && error.trace.error).toMatchObject({ failure_type: 'config_error' });
    expect(error?.type === 'TRACE' && error.trace.error?.message).toMatch(/api_key/);
    expect((await source.check({ base_url: server.url })).status).toBe('FAILED');
    expect(server.requests.length).toBe(before);
  });
});
