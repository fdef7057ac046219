/**
 * DynamicSchemaLoader as Airbyte's CDK builds a schema: from the first record of its retriever,
 * field names and types at the identifier's pointers, types_mapping (with conditions on the field
 * as raw_schema), then schema_filter and schema_transformations.
 */
import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { Source } from '../../engine/source/source.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();

const manifest = (identifier: string, extra = '') => `
version: 6.7.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [things] }
streams:
  - type: DeclarativeStream
    name: things
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: http://api.test, path: /things }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
    schema_loader:
      type: DynamicSchemaLoader
      retriever:
        type: SimpleRetriever
        requester: { type: HttpRequester, url_base: http://api.test, path: /things/fields }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
      schema_type_identifier: ${identifier}
${extra}`;

const FIELDS = {
  fields: [
    { name: 'id', type: 'integer' },
    { name: 'title' },
    { name: 'score', type: 'formula', result: { type: 'number' } },
    { name: 'matrix', type: 'formula', result: { type: 'grid' } },
    { name: 'either', type: ['string', 'integer'] },
    { name: 'secret', type: 'string' },
  ],
};

async function schemaOf(text: string): Promise<unknown> {
  const source = await Source.fromText(text, 'dyn.yaml', { logLevel: 'ERROR', backoffScale: 0 });
  return (await source.discover({})).streams[0]!.json_schema;
}

describe('DynamicSchemaLoader', () => {
  it('builds properties from the field list, mapping types by condition', async () => {
    const seen: string[] = [];
    server.use(http.get('http://api.test/things/fields', ({ request }) => (seen.push(new URL(request.url).pathname), HttpResponse.json(FIELDS))));
    const schema = await schemaOf(
      manifest(
        `
        schema_pointer: [fields]
        key_pointer: [name]
        type_pointer: [type]
        types_mapping:
          - { target_type: number, current_type: formula, condition: "{{ raw_schema['result']['type'] == 'number' }}" }
          - { target_type: { field_type: array, items: { field_type: array, items: integer } }, current_type: formula }
          - { target_type: [string, integer], current_type: [string, integer] }`,
        `      schema_filter: { type: RecordFilter, condition: "{{ 'secret' not in record }}" }
      schema_transformations:
        - { type: AddFields, fields: [{ type: AddedFieldDefinition, path: [added], value: "{{ {'type': ['null', 'string']} }}" }] }`,
      ),
    );
    expect(seen).toEqual(['/things/fields']);
    expect(schema).toEqual({
      $schema: 'https://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: true,
      properties: {
        id: { type: ['null', 'integer'] },
        title: { type: ['null', 'string'] },
        score: { type: ['null', 'number'] },
        matrix: { type: ['null', 'array'], items: { type: ['null', 'array'], items: { type: ['null', 'integer'] } } },
        either: { oneOf: [{ type: ['null', 'string'] }, { type: ['null', 'integer'] }] },
        added: { type: ['null', 'string'] },
      },
    });
  });

  it('an unknown type is reported, naming the component', async () => {
    server.use(http.get('http://api.test/things/fields', () => HttpResponse.json({ fields: [{ name: 'x', type: 'singleLineText' }] })));
    await expect(schemaOf(manifest('{ schema_pointer: [fields], key_pointer: [name], type_pointer: [type] }'))).rejects.toThrow(
      /schema_loader.*"singleLineText" is not an Airbyte data type/,
    );
  });
});
