/**
 * A manifest whose spec migrates an old config (top-level api_key) to the new shape
 * (credentials.api_key + auth_method) and validates the result: shared by the CLI tests of config
 * normalization and of --update-config.
 */
// The shape of source-airtable's migration: api_key → credentials.{api_key, auth_method}.
export const MIGRATING_MANIFEST = `
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
