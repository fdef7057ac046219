/**
 * Dynamic streams through the real Source (msw): HttpComponentsResolver (Airtable-style: tables
 * listed per base, through a parent-stream partition router), ConfigComponentsResolver and
 * ConditionalStreams; the generated streams are discovered and read.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Source } from '../../engine/source/source.js';
import type { Obj } from '../../engine/types.js';

const HTTP_MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [bases] }
definitions:
  requester: { type: HttpRequester, url_base: http://api.test, http_method: GET }
  bases:
    type: DeclarativeStream
    name: bases
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /bases }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [bases] } }
  table_stream:
    type: DeclarativeStream
    name: placeholder
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: placeholder }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [records] } }
    transformations:
      - type: AddFields
        fields: [{ type: AddedFieldDefinition, path: [_table], value: placeholder }]
streams:
  - $ref: "#/definitions/bases"
dynamic_streams:
  - type: DynamicDeclarativeStream
    stream_template: { $ref: "#/definitions/table_stream" }
    components_resolver:
      type: HttpComponentsResolver
      retriever:
        type: SimpleRetriever
        requester: { $ref: "#/definitions/requester", path: "/bases/{{ stream_partition.base_id }}/tables" }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [tables] } }
        partition_router:
          type: SubstreamPartitionRouter
          parent_stream_configs:
            - type: ParentStreamConfig
              parent_key: id
              partition_field: base_id
              extra_fields: [["name"]]
              stream: { $ref: "#/definitions/bases" }
      components_mapping:
        - type: ComponentMappingDefinition
          field_path: [name]
          value: "{{ stream_slice.extra_fields.name.lower() }}/{{ components_values.name.replace(' ', '_').lower() }}"
        - type: ComponentMappingDefinition
          field_path: [retriever, requester, path]
          value: "/{{ stream_slice.base_id }}/{{ components_values.id }}"
        - type: ComponentMappingDefinition
          field_path: [transformations, "0", fields, "0", value]
          value: "{{ components_values.name }}"
        - type: ComponentMappingDefinition
          field_path: [schema_loader, schema, properties]
          value: "{{ {'id': {'type': 'string'}} }}"
          create_or_update: true
        - type: ComponentMappingDefinition
          field_path: [primary_key]
          value: "never set"
          condition: "{{ components_values.id == 'none' }}"
`;

const requests: string[] = [];
const server = setupServer(
  http.get('http://api.test/*', ({ request }) => {
    const path = new URL(request.url).pathname;
    requests.push(path);
    if (path === '/bases')
      return HttpResponse.json({
        bases: [
          { id: 'b1', name: 'Sales' },
          { id: 'b2', name: 'Ops' },
        ],
      });
    const tables = /^\/bases\/(\w+)\/tables$/.exec(path);
    if (tables)
      return HttpResponse.json({
        tables:
          tables[1] === 'b1'
            ? [
                { id: 't1', name: 'Big Deals' },
                { id: 't2', name: 'Leads' },
              ]
            : [{ id: 't3', name: 'Tasks' }],
      });
    const data = /^\/(\w+)\/(\w+)$/.exec(path);
    if (data) return HttpResponse.json({ records: [{ id: `${data[1]}-${data[2]}-1` }] });
    return HttpResponse.json({}, { status: 404 });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
});
afterAll(() => server.close());

async function readAll(source: Source, config: Obj, names?: string[]): Promise<Map<string, Obj[]>> {
  const catalog = names ? { streams: names.map((name) => ({ stream: { name }, sync_mode: 'full_refresh' as const })) } : undefined;
  const out = new Map<string, Obj[]>();
  for await (const m of source.read(config, catalog as never)) {
    const msg = m as unknown as { type: string; record?: { stream: string; data: Obj }; trace?: { error?: { message: string } } };
    if (msg.type === 'RECORD') out.set(msg.record!.stream, [...(out.get(msg.record!.stream) ?? []), msg.record!.data]);
    if (msg.type === 'TRACE' && msg.trace?.error) throw new Error(msg.trace.error.message);
  }
  return out;
}

describe('DynamicDeclarativeStream with HttpComponentsResolver', () => {
  it('discovers one stream per listed table, named and shaped by the mappings', async () => {
    const source = await Source.fromText(HTTP_MANIFEST, 'dyn.yaml', { logLevel: 'ERROR' });
    const catalog = await source.discover({});
    expect(catalog.streams.map((s) => s.name)).toEqual(['bases', 'sales/big_deals', 'sales/leads', 'ops/tasks']);
    expect(catalog.streams[1]!.json_schema).toEqual({ type: 'object', properties: { id: { type: 'string' } } });
    expect(catalog.streams[1]!.source_defined_primary_key).toEqual([['id']]);
    expect(requests).toEqual(['/bases', '/bases/b1/tables', '/bases/b2/tables']);
  });

  it('reads a generated stream from its mapped path, with mapped transformations', async () => {
    const source = await Source.fromText(HTTP_MANIFEST, 'dyn.yaml', { logLevel: 'ERROR' });
    const records = await readAll(source, {}, ['ops/tasks']);
    expect(records.get('ops/tasks')).toEqual([{ id: 'b2-t3-1', _table: 'Tasks' }]);
    expect(requests.at(-1)).toBe('/b2/t3');
  });
});

const CONFIG_MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [always] }
spec:
  connection_specification:
    type: object
    properties:
      reports: { type: array }
      beta: { type: boolean }
definitions:
  simple:
    type: DeclarativeStream
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: http://api.test, path: /always, http_method: GET }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [records] } }
streams:
  - $ref: "#/definitions/simple"
    name: always
  - type: ConditionalStreams
    condition: "{{ config.get('beta', False) }}"
    streams:
      - $ref: "#/definitions/simple"
        name: beta_only
dynamic_streams:
  - type: DynamicDeclarativeStream
    stream_template:
      $ref: "#/definitions/simple"
      name: template
    components_resolver:
      type: ConfigComponentsResolver
      stream_config: { type: StreamConfig, configs_pointer: [reports], default_values: [{ name: default_report, dims: "[day]" }] }
      components_mapping:
        - type: ComponentMappingDefinition
          field_path: [name]
          value: "report_{{ components_values.name }}"
        - type: ComponentMappingDefinition
          field_path: [retriever, requester, request_parameters]
          value: "{'dims': '{{ components_values.dims }}'}"
          create_or_update: true
        - type: ComponentMappingDefinition
          field_path: [retriever, requester, request_parameters, limit]
          value: "{{ components_values.get('limit', 10) }}"
          value_type: integer
          create_or_update: true
`;

describe('ConfigComponentsResolver and ConditionalStreams', () => {
  it('makes one stream per config entry plus default_values; conditional streams follow the config', async () => {
    const source = await Source.fromText(CONFIG_MANIFEST, 'cfg.yaml', { logLevel: 'ERROR' });
    const off = await source.discover({ reports: [{ name: 'sales', dims: 'country', limit: 5 }] });
    expect(off.streams.map((s) => s.name)).toEqual(['always', 'report_sales', 'report_default_report']);
    const on = await source.discover({ beta: true, reports: [] });
    expect(on.streams.map((s) => s.name)).toEqual(['always', 'beta_only', 'report_default_report']);
    expect(requests).toEqual([]);
  });

  it('reads a config-generated stream with its mapped request parameters', async () => {
    const seen: string[] = [];
    server.use(
      http.get('http://api.test/always', ({ request }) => {
        seen.push(new URL(request.url).search);
        return HttpResponse.json({ records: [{ id: 1 }] });
      }),
    );
    const source = await Source.fromText(CONFIG_MANIFEST, 'cfg.yaml', { logLevel: 'ERROR' });
    const records = await readAll(source, { reports: [{ name: 'sales', dims: 'country', limit: 5 }] }, ['report_sales', 'report_default_report']);
    expect(records.get('report_sales')).toEqual([{ id: 1 }]);
    expect(seen.sort()).toEqual(['?dims=%5Bday%5D&limit=10', '?dims=country&limit=5']);
  });
});

const PARAMETRIZED_MANIFEST = `
version: 6.7.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [] }
dynamic_streams:
  - type: DynamicDeclarativeStream
    stream_template:
      type: DeclarativeStream
      name: placeholder
      schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
      retriever:
        type: SimpleRetriever
        requester: { type: HttpRequester, url_base: http://api.test, path: "/{{ parameters.object_name }}/{{ parameters.table }}" }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [records] } }
    components_resolver:
      type: ParametrizedComponentsResolver
      stream_parameters:
        type: StreamParametersDefinition
        list_of_parameters_for_stream:
          - { name: customers, parameters: { object_name: crm, table: customers } }
          - { name: orders, parameters: { object_name: shop, table: orders }, tag: "[a, b]" }
      components_mapping:
        - { type: ComponentMappingDefinition, field_path: [name], value: "{{ components_values.name }}" }
        - { type: ComponentMappingDefinition, field_path: [$parameters], value: "{{ components_values.parameters }}", create_or_update: true }
        - { type: ComponentMappingDefinition, field_path: [tags], value: "{{ components_values.tag }}", create_or_update: true }
`;

describe('ParametrizedComponentsResolver', () => {
  it('makes one stream per listed entry; $parameters set on the stream reach its requester', async () => {
    const source = await Source.fromText(PARAMETRIZED_MANIFEST, 'param.yaml', { logLevel: 'ERROR' });
    expect((await source.discover({})).streams.map((s) => s.name)).toEqual(['customers', 'orders']);
    const records = await readAll(source, {});
    expect(requests.sort()).toEqual(['/crm/customers', '/shop/orders']);
    expect(records.get('orders')).toEqual([{ id: 'shop-orders-1' }]);
  });

  it('refuses a stream_parameters without a list', async () => {
    const broken = PARAMETRIZED_MANIFEST.replace(
      /list_of_parameters_for_stream:[\s\S]*?components_mapping:/,
      'list_of_parameters_for_stream: {}\n      components_mapping:',
    );
    const source = await Source.fromText(broken, 'param.yaml', { logLevel: 'ERROR' }).catch((e: Error) => e);
    const message = source instanceof Error ? source.message : (await source.discover({}).catch((e: Error) => e)).toString();
    expect(message).toMatch(/list_of_parameters_for_stream/);
  });
});
