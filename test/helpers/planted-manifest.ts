/** A manifest with the three mistakes of issue 18 planted (template syntax, `confg`, `start_time_opton`). */
// The tutorial's layout: requester and selector under definitions, used by two streams.
export const PLANTED = `version: 6.0.0
type: DeclarativeSource
definitions:
  requester:
    type: HttpRequester
    url_base: https://api.example.com
    authenticator:
      type: BearerAuthenticator
      api_token: "{{ config['api_token'] }"
  stream:
    type: DeclarativeStream
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: "/{{ parameters.name }}"
        request_parameters:
          region: "{{ confg['region'] }}"
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: "{{ config['start'] }}"
      start_time_opton:
        type: RequestOption
        inject_into: request_parameter
        field_name: since
check:
  type: CheckStream
  stream_names: [tasks]
streams:
  - $ref: "#/definitions/stream"
    name: tasks
    $parameters: { name: tasks }
  - $ref: "#/definitions/stream"
    name: projects
    $parameters: { name: projects }
spec:
  type: Spec
  connection_specification: { type: object, properties: {} }
`;
