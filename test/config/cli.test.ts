/** The built CLI applies spec.config_normalization_rules: CONTROL on migration, validation errors before requests. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { json, startServer, type TestServer } from '../helpers/http-server.js';
import { runCli, tempFiles } from '../helpers/cli.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ '/items': (_req, res) => json(res, 200, { items: [{ id: 1 }] }) });
});
afterAll(async () => server.close());

// The shape of source-airtable's migration: api_key → credentials.{api_key, auth_method}.
const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
streams:
  - type: DeclarativeStream
    name: items
    primary_key: id
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config.base_url }}"
        path: /items
        authenticator: { type: BearerAuthenticator, api_token: "{{ config.credentials.api_key }}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [items] } }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
spec:
  type: Spec
  connection_specification:
    type: object
    required: [base_url, credentials]
    properties:
      base_url: { type: string }
      credentials: { type: object, required: [api_key], properties: { api_key: { type: string, airbyte_secret: true } } }
  config_normalization_rules:
    type: ConfigNormalizationRules
    config_migrations:
      - type: ConfigMigration
        transformations:
          - type: ConfigAddFields
            fields: [{ type: AddedFieldDefinition, path: [credentials, api_key], value: "{{ config['api_key'] }}" }]
            condition: "{{ config.get('api_key', False) }}"
          - type: ConfigAddFields
            fields: [{ type: AddedFieldDefinition, path: [credentials, auth_method], value: api_key }]
            condition: "{{ config.get('api_key', False) }}"
    validations:
      - type: DpathValidator
        field_path: [credentials]
        validation_strategy:
          type: ValidateAdheresToSchema
          base_schema: '{"type": "object", "properties": {"api_key": {"type": "string", "minLength": 8}}}'
`;

describe('manifold CLI with config_normalization_rules', () => {
  it('read migrates an old config and prints one CONTROL with it before the records', async () => {
    const before = server.requests.length;
    const f = tempFiles({ 'm.yaml': MANIFEST, 'c.json': { base_url: server.url, api_key: 'tok-123456' } });
    const result = await runCli(['read', '--manifest', f['m.yaml']!, '--config', f['c.json']!]);
    const types = result.messages.map((m) => m.type).filter((t) => t === 'CONTROL' || t === 'RECORD');
    expect(types).toEqual(['CONTROL', 'RECORD']);
    const control = result.messages.find((m) => m.type === 'CONTROL')!;
    expect(control.control.connectorConfig.config.credentials).toEqual({ api_key: 'tok-123456', auth_method: 'api_key' });
    expect(server.requests.slice(before).map((r) => r.headers.authorization)).toEqual(['Bearer tok-123456']);
  });

  it('check reports a failing validation as a config error without a request', async () => {
    const before = server.requests.length;
    const f = tempFiles({ 'm.yaml': MANIFEST, 'c.json': { base_url: server.url, credentials: { api_key: 'short' } } });
    const result = await runCli(['check', '--manifest', f['m.yaml']!, '--config', f['c.json']!]);
    const status = result.messages.find((m) => m.type === 'CONNECTION_STATUS')!;
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(status.connectionStatus.message).toContain('config.credentials.api_key: must NOT have fewer than 8 characters');
    expect(server.requests.length).toBe(before);
  });
});
