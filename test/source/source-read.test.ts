/** The message stream Source.read produces: statuses, records, states, errors — per Airbyte's protocol. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer;

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [good] }
definitions:
  stream:
    type: DeclarativeStream
    primary_key: id
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config.base_url }}"
        path: "/{{ parameters.name }}"
        error_handler:
          type: DefaultErrorHandler
          max_retries: 1
          backoff_strategies: [{ type: ConstantBackoffStrategy, backoff_time_in_seconds: 0.01 }]
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
streams:
  - $ref: "#/definitions/stream"
    name: good
    $parameters: { name: good }
  - $ref: "#/definitions/stream"
    name: broken
    $parameters: { name: broken }
spec:
  type: Spec
  connection_specification:
    type: object
    required: [base_url]
    properties: { base_url: { type: string } }
`;

beforeAll(async () => {
  server = await startServer({
    '/good': (_req, res) => json(res, 200, { data: [{ id: 1 }, { id: 2 }] }),
    '/broken': (_req, res) => json(res, 503, { error: 'maintenance window' }),
  });
});
afterAll(async () => server.close());

async function collect(source: Source, catalog?: Parameters<Source['read']>[1]): Promise<AirbyteMessage[]> {
  const out: AirbyteMessage[] = [];
  for await (const m of source.read({ base_url: server.url }, catalog, undefined, { concurrency: 1 })) out.push(m);
  return out;
}

const statusOf = (m: AirbyteMessage) =>
  m.type === 'TRACE' && m.trace.stream_status ? `${m.trace.stream_status.stream_descriptor.name}:${m.trace.stream_status.status}` : undefined;

describe('Source.read message stream', () => {
  it('emits STARTED, RUNNING, records, COMPLETE for a healthy stream', async () => {
    const source = await Source.fromText(MANIFEST, 'm.yaml');
    const messages = await collect(source, { streams: [{ stream: { name: 'good' }, sync_mode: 'full_refresh' }] });
    const kinds = messages.map((m) => statusOf(m) ?? m.type);
    expect(kinds.filter((k) => k !== 'STATE')).toEqual(['good:STARTED', 'good:RUNNING', 'RECORD', 'RECORD', 'good:COMPLETE']);
    const record = messages.find((m) => m.type === 'RECORD');
    expect(record?.type === 'RECORD' && record.record).toMatchObject({ stream: 'good', data: { id: 1 } });
    expect(record?.type === 'RECORD' && typeof record.record.emitted_at).toBe('number');
  });

  it('reports a failing stream with an error TRACE and INCOMPLETE, keeps reading the others, and ends with a summary error', async () => {
    const source = await Source.fromText(MANIFEST, 'm.yaml');
    const messages = await collect(source);
    const errors = messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
    expect(errors).toHaveLength(2);
    const first = errors[0]!;
    if (first.type !== 'TRACE') throw new Error('unreachable');
    expect(first.trace.error?.stream_descriptor).toEqual({ name: 'broken' });
    expect(first.trace.error?.failure_type).toBe('transient_error');
    expect(first.trace.error?.message).toMatch(/GET .*\/broken.*503/s);
    expect(first.trace.error?.message).toContain('maintenance window');
    expect(messages.map(statusOf).filter(Boolean)).toEqual(expect.arrayContaining(['good:COMPLETE', 'broken:INCOMPLETE']));
    const last = messages[messages.length - 1]!;
    expect(last.type === 'TRACE' && last.trace.error?.message).toContain('broken');
    expect(messages.filter((m) => m.type === 'RECORD')).toHaveLength(2);
  });

  it('fails a catalog stream the manifest does not define with a config_error', async () => {
    const source = await Source.fromText(MANIFEST, 'm.yaml');
    const messages = await collect(source, { streams: [{ stream: { name: 'nope' }, sync_mode: 'full_refresh' }] });
    const error = messages.find((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
    expect(error?.type === 'TRACE' && error.trace.error).toMatchObject({ failure_type: 'config_error', stream_descriptor: { name: 'nope' } });
    expect(server.requests.some((r) => r.path === '/nope')).toBe(false);
  });

  it('discover and check use the manifest', async () => {
    const source = await Source.fromText(MANIFEST, 'm.yaml');
    const catalog = await source.discover({ base_url: server.url });
    expect(catalog.streams.map((s) => s.name)).toEqual(['good', 'broken']);
    expect(catalog.streams[0]).toMatchObject({ supported_sync_modes: ['full_refresh'], source_defined_primary_key: [['id']] });
    expect(await source.check({ base_url: server.url })).toEqual({ status: 'SUCCEEDED' });
    expect((await source.check({})).status).toBe('FAILED');
  });
});

describe('requests that cannot be built', () => {
  it('fails at once with a config_error naming the URL when a template yields an unparsable URL', async () => {
    const text = MANIFEST.replace('url_base: "{{ config.base_url }}"', 'url_base: "{{ config.base_url }}x y:/%"');
    const source = await Source.fromText(text, 'm.yaml');
    const messages = await collect(source, { streams: [{ stream: { name: 'good' }, sync_mode: 'full_refresh' }] });
    const error = messages.find((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
    expect(error?.type === 'TRACE' && error.trace.error?.failure_type).toBe('config_error');
    expect(error?.type === 'TRACE' && error.trace.error?.message).toMatch(/Invalid request URL/);
    // No retries were logged: the error is not transient.
    expect(messages.some((m) => m.type === 'LOG' && /retrying/.test(m.log.message))).toBe(false);
  });
});
