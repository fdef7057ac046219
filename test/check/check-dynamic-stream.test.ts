/**
 * CheckDynamicStream as Airbyte's CDK runs it: the first `stream_count` streams are read, and with
 * use_check_availability: false the streams are only resolved, none is read.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Source } from '../../engine/source/source.js';

const requests: string[] = [];
const server = setupServer(
  http.get('http://api.test/items/:id', ({ params }) => {
    requests.push(String(params.id));
    return HttpResponse.json([{ id: params.id }]);
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
});
afterAll(() => server.close());

function manifest(check: string): string {
  return `
version: 6.0.0
type: DeclarativeSource
check: ${check}
dynamic_streams:
  - type: DynamicDeclarativeStream
    stream_template:
      type: DeclarativeStream
      name: template
      primary_key: id
      schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
      retriever:
        type: SimpleRetriever
        requester: { type: HttpRequester, url_base: http://api.test, path: /items/none }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
    components_resolver:
      type: ConfigComponentsResolver
      stream_config: { type: StreamConfig, configs_pointer: [items] }
      components_mapping:
        - { type: ComponentMappingDefinition, field_path: [name], value: "item_{{ components_values.id }}" }
        - { type: ComponentMappingDefinition, field_path: [retriever, requester, path], value: "/items/{{ components_values.id }}" }
`;
}

const config = { items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] };

describe('CheckDynamicStream', () => {
  it('reads the first stream_count streams', async () => {
    const source = await Source.fromText(manifest('{ type: CheckDynamicStream, stream_count: 2 }'), 'm.yaml', { logLevel: 'ERROR', backoffScale: 0 });
    const result = await source.check(config);
    expect({ result, requests }).toEqual({ result: { status: 'SUCCEEDED' }, requests: ['a', 'b'] });
  });

  it('with use_check_availability: false, resolves the streams without reading any', async () => {
    const source = await Source.fromText(manifest('{ type: CheckDynamicStream, stream_count: 1, use_check_availability: false }'), 'm.yaml', {
      logLevel: 'ERROR',
      backoffScale: 0,
    });
    expect(await source.check(config)).toEqual({ status: 'SUCCEEDED' });
    expect(requests).toEqual([]);
  });

  it('fails when the source has no stream', async () => {
    const source = await Source.fromText(manifest('{ type: CheckDynamicStream, stream_count: 1 }'), 'm.yaml', { logLevel: 'ERROR', backoffScale: 0 });
    expect((await source.check({ items: [] })).status).toBe('FAILED');
  });
});

describe('CheckStream.dynamic_streams_check_configs', () => {
  // The dynamic_streams entry gets a name so the check can refer to it.
  const named = (check: string) => manifest(check).replace('  - type: DynamicDeclarativeStream\n', '  - type: DynamicDeclarativeStream\n    name: per_item\n');
  const check = async (text: string, cfg: object = config) =>
    (await Source.fromText(text, 'm.yaml', { logLevel: 'ERROR', backoffScale: 0 })).check(cfg as Record<string, unknown>);

  it('reads the first stream_count streams the named entry generated', async () => {
    const result = await check(
      named('{ type: CheckStream, dynamic_streams_check_configs: [{ type: DynamicStreamCheckConfig, dynamic_stream_name: per_item, stream_count: 2 }] }'),
    );
    expect({ result, requests }).toEqual({ result: { status: 'SUCCEEDED' }, requests: ['a', 'b'] });
  });

  it('without stream_count reads every generated stream; a count above their number reads them all', async () => {
    await check(named('{ type: CheckStream, dynamic_streams_check_configs: [{ type: DynamicStreamCheckConfig, dynamic_stream_name: per_item }] }'));
    expect(requests).toEqual(['a', 'b', 'c']);
    requests.length = 0;
    await check(
      named('{ type: CheckStream, dynamic_streams_check_configs: [{ type: DynamicStreamCheckConfig, dynamic_stream_name: per_item, stream_count: 10 }] }'),
    );
    expect(requests).toEqual(['a', 'b', 'c']);
  });

  it('an unnamed entry is dynamic_stream_<index>; a name the manifest does not define fails the check before any read', async () => {
    const ok = await check(
      manifest(
        '{ type: CheckStream, dynamic_streams_check_configs: [{ type: DynamicStreamCheckConfig, dynamic_stream_name: dynamic_stream_0, stream_count: 1 }] }',
      ),
    );
    expect({ ok, requests }).toEqual({ ok: { status: 'SUCCEEDED' }, requests: ['a'] });
    requests.length = 0;
    const missing = await check(named('{ type: CheckStream, dynamic_streams_check_configs: [{ type: DynamicStreamCheckConfig, dynamic_stream_name: nope }] }'));
    expect(missing.status).toBe('FAILED');
    expect(missing.message).toContain('"nope"');
    expect(requests).toEqual([]);
  });

  it('a generated stream that fails fails the check', async () => {
    server.use(http.get('http://api.test/items/b', () => HttpResponse.json({ error: 'forbidden' }, { status: 403 })));
    const result = await check(
      named('{ type: CheckStream, dynamic_streams_check_configs: [{ type: DynamicStreamCheckConfig, dynamic_stream_name: per_item }] }'),
    );
    expect(result.status).toBe('FAILED');
    expect(requests).toEqual(['a']);
  });
});
