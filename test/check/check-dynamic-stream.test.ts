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
    const source = await Source.fromText(manifest('{ type: CheckDynamicStream, stream_count: 1, use_check_availability: false }'), 'm.yaml', { logLevel: 'ERROR', backoffScale: 0 });
    expect(await source.check(config)).toEqual({ status: 'SUCCEEDED' });
    expect(requests).toEqual([]);
  });

  it('fails when the source has no stream', async () => {
    const source = await Source.fromText(manifest('{ type: CheckDynamicStream, stream_count: 1 }'), 'm.yaml', { logLevel: 'ERROR', backoffScale: 0 });
    expect((await source.check({ items: [] })).status).toBe('FAILED');
  });
});
