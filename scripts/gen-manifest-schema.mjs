// Generates engine/manifest/schema/manifest.schema.json from the compact component table below.
// Run `node scripts/gen-manifest-schema.mjs` after editing (`--stdout` prints instead of writing);
// the JSON file is committed and shipped. Field types mirror Airbyte's declarative component schema
// (same names, same permissiveness, Airbyte's documented `default`s); descriptions are ours.
//
// One file, two forms of every component, because two readers see manifests at different stages:
//
// - `definitions` is the STRICT form the engine validates against (engine/manifest/validate.ts),
//   AFTER loading: $refs resolved, $parameters propagated, default `type`s filled in. Every typed
//   component requires its `type`, and child components are plain `#/definitions/X` refs, which
//   validate.ts turns into its one-component-at-a-time checks. docs/components.md is rendered from
//   it too. validate.ts reads only `definitions`, so nothing below changes what the engine reports.
//
// - `$defs` is the EDITOR form, which the root (`anyOf` source/destination) points at: what
//   yaml-language-server / VS Code check the RAW YAML against. It is derived from the strict form
//   with the allowances raw Airbyte manifests need:
//     * every field may instead hold a reference: the string "#/definitions/x" or a mapping
//       `{ $ref: "#/...", ...overrides }` ($defs/Reference). What a reference points at is not
//       checked (the editor cannot resolve YAML pointers). In a component field the overrides must
//       still fit one of the components allowed there, minus its required fields (`if $ref`);
//     * `type` may be left out exactly where the engine fills it in: the defaults of
//       DEFAULT_MODEL_TYPES / CUSTOM_COMPONENT_TYPES in engine/manifest/component-transformer.ts,
//       read from that file so the two cannot drift; elsewhere a component still needs its `type`,
//       which must be one the field accepts (so `type` values complete as an enum);
//     * `$parameters` may appear on every component;
//     * required fields other than `type` stay required: a value inherited through $parameters
//       does not count, so the rare manifest relying on that shows a warning in the editor;
//     * `definitions`, `schemas` and `metadata` hold arbitrary content (a mapping, unchecked).
//   Wrong field types, unknown or misplaced `type`s and unknown root keys are still errors. Each
//   component field also lists its allowed `type`s as an enum, for completion.
//
// scripts/check-editor-schema.mjs reports how many manifests of a folder pass the editor form.
import { readFileSync, writeFileSync } from 'node:fs';
import { FIELD_DESCRIPTIONS } from './component-field-descriptions.mjs';

const str = { type: 'string' };
const int = { type: 'integer' };
const num = { type: 'number' };
const bool = { type: 'boolean' };
const obj = { type: 'object' };
const any = {};
const strs = { type: 'array', items: str };
const ints = { type: 'array', items: int };
/** Airbyte lets most numeric/boolean fields be templates evaluated at run time. */
const intT = { anyOf: [int, str] };
const numT = { anyOf: [num, str] };
const boolT = { anyOf: [bool, str] };
const strOrStrs = { anyOf: [str, strs] };
const mapping = { type: 'object', additionalProperties: true };
const strOrMap = { anyOf: [str, mapping] };
const ref = (name) => ({ $ref: `#/definitions/${name}` });
const one = (...names) => (names.length === 1 ? ref(names[0]) : { anyOf: names.map(ref) });
const list = (...names) => ({ type: 'array', items: one(...names) });
const oneOrList = (...names) => ({ anyOf: [one(...names), list(...names)] });
const withStr = (...names) => ({ anyOf: [str, ...names.map(ref)] });
const d = (description, schema) => ({ ...schema, description });

const AUTHENTICATORS = [
  'ApiKeyAuthenticator',
  'BasicHttpAuthenticator',
  'BearerAuthenticator',
  'CustomAuthenticator',
  'OAuthAuthenticator',
  'JwtAuthenticator',
  'SessionTokenAuthenticator',
  'SelectiveAuthenticator',
  'NoAuth',
  'LegacySessionTokenAuthenticator',
  'RateLimitedMultipleTokenAuthenticator',
];
const ERROR_HANDLERS = ['DefaultErrorHandler', 'CompositeErrorHandler', 'CustomErrorHandler'];
const BACKOFFS = ['ConstantBackoffStrategy', 'ExponentialBackoffStrategy', 'WaitTimeFromHeader', 'WaitUntilTimeFromHeader', 'CustomBackoffStrategy'];
const PAGINATORS = ['DefaultPaginator', 'NoPagination', 'TwoStepCursorPaginator'];
const STRATEGIES = ['CursorPagination', 'CustomPaginationStrategy', 'OffsetIncrement', 'PageIncrement'];
const DECODERS = [
  'CsvDecoder',
  'GzipDecoder',
  'JsonDecoder',
  'JsonItemsDecoder',
  'JsonlDecoder',
  'IterableDecoder',
  'XmlDecoder',
  'ZipfileDecoder',
  'CustomDecoder',
];
const EXTRACTORS = ['DpathExtractor', 'CustomRecordExtractor', 'JsonataExtractor'];
const FILTERS = ['RecordFilter', 'CustomRecordFilter', 'JsonataRecordFilter'];
const TRANSFORMATIONS = [
  'AddFields',
  'RemoveFields',
  'KeysToLower',
  'KeysToSnakeCase',
  'KeysReplace',
  'FlattenFields',
  'DpathFlattenFields',
  'CustomTransformation',
  'JsonataTransformation',
];
const ROUTERS = ['ListPartitionRouter', 'SubstreamPartitionRouter', 'GroupingPartitionRouter', 'UnionPartitionRouter', 'CustomPartitionRouter'];
const CURSORS = ['DatetimeBasedCursor', 'IncrementingCountCursor', 'CustomIncrementalSync'];
const SCHEMA_LOADERS = ['InlineSchemaLoader', 'DynamicSchemaLoader', 'JsonFileSchemaLoader', 'CustomSchemaLoader'];
const STREAMS = ['DeclarativeStream', 'StateDelegatingStream', 'ConditionalStreams'];
const RETRIEVERS = ['SimpleRetriever', 'AsyncRetriever', 'CustomRetriever'];
const REQUESTERS = ['HttpRequester', 'CustomRequester'];
const RATE_POLICIES = ['FixedWindowCallRatePolicy', 'MovingWindowCallRatePolicy', 'UnlimitedCallRatePolicy'];
const REQUEST_OPTION = one('RequestOption');
const DATETIME = withStr('MinMaxDatetime');
const custom = (what) => [
  `A ${what} implemented as a Python class in Airbyte; Manifold cannot run Python and reports it as unsupported when built.`,
  { class_name: str },
  ['class_name'],
];

/** type → [description, properties, required, options]. `type` itself is added to every entry. */
const C = {
  // ── roots, streams, checks, spec
  DeclarativeSource: [
    'Root of a source manifest: its streams, how to check a connection, and the spec of its config.',
    {
      version: d('Version of the manifest format the connector was written against.', str),
      description: str,
      check: one('CheckStream', 'CheckDynamicStream'),
      streams: list(...STREAMS),
      dynamic_streams: list('DynamicDeclarativeStream'),
      spec: ref('Spec'),
      definitions: d('Free-form reusable pieces referred to with $ref.', mapping),
      schemas: d('Stream JSON schemas referred to with $ref.', mapping),
      concurrency_level: ref('ConcurrencyLevel'),
      api_budget: ref('HTTPAPIBudget'),
      stream_groups: { type: 'object', additionalProperties: ref('StreamGroup') },
      max_concurrent_async_job_count: intT,
      metadata: mapping,
      $parameters: mapping,
    },
    ['check', 'version'],
    { additionalProperties: false, anyOf: [{ required: ['streams'] }, { required: ['dynamic_streams'] }] },
  ],
  DeclarativeDestination: [
    'Root of a destination manifest: the write operations records are routed to, the shared requester, failure handling and response capture (see docs/destinations.md).',
    {
      version: str,
      description: str,
      metadata: mapping,
      spec: ref('Spec'),
      definitions: d('Free-form reusable pieces referred to with $ref.', mapping),
      requester: d('Default requester of operations and check that have none of their own.', one(...REQUESTERS)),
      check: ref('HttpRequestCheck'),
      operations: list('DestinationOperation'),
      api_budget: ref('HTTPAPIBudget'),
      select_operation: d(
        'Config template naming one operation: when it renders a name, that operation alone runs and receives every configured stream (its own `streams` are not consulted); when it renders empty, records are routed to operations by stream name.',
        str,
      ),
      on_failure: d(
        'stop (default): the first failed write ends the sync; dead_letter: failed records go to dead_letter_path and the sync goes on. May be a config template.',
        str,
      ),
      dead_letter_path: d('JSONL file that failed records are appended to (operation, stream, key, record, error).', str),
      response_capture: d(
        'Where each API response is reported as {operation, stream, status, key, body}: appended to jsonl_path, or POSTed to webhook_url (with retries).',
        { type: 'object', properties: { jsonl_path: str, webhook_url: str }, additionalProperties: false },
      ),
    },
    ['operations'],
  ],
  DestinationOperation: [
    'One kind of write: which catalog streams and records it takes, and the request it sends for each record or batch.',
    {
      name: d('Operation name, used in reports, dead letters and errors.', str),
      streams: d('Catalog streams consumed; "*" for all. Entries may be config templates rendering "a,b".', strs),
      enabled: d('Config template; a falsy result leaves the operation out of the run.', boolT),
      http_method: d('POST (default), PUT, PATCH, DELETE or GET; may be a config template.', str),
      path: d('Path under the requester url_base; {{ record... }} values are URL-encoded as one segment.', str),
      url: d('Full URL instead of path, which must stay under the requester url_base; {{ record... }} values are URL-encoded as one segment.', str),
      id_field: d('Record field whose value is the object ID (shorthand for object_id.record_field).', str),
      object_id: d(
        'The ID of the object written: `value` (a config template, the same ID for every record) or `record_field` (a config template naming the record field that holds it), not both. The path places it with {{ object_id }} (URL-encoded), or it is appended as the last segment.',
        { type: 'object', properties: { value: str, record_field: str }, additionalProperties: false },
      ),
      destructive: d('Whether a one-off test send (`manifold write --test-record`) needs explicit confirmation. Default: true for DELETE.', boolT),
      requester: one(...REQUESTERS),
      body: d('"record" (default; "none" for DELETE/GET), "none", {template: mapping interpolated per record} or {jsonata: expression over the record}.', {
        anyOf: [
          { enum: ['record', 'none'] },
          { type: 'object', properties: { template: any }, required: ['template'], additionalProperties: false },
          { type: 'object', properties: { jsonata: str }, required: ['jsonata'], additionalProperties: false },
        ],
      }),
      exclude_fields: d('Top-level record fields not sent (list, or comma-separated config template).', strOrStrs),
      request_headers: d(
        'Headers: a mapping interpolated per record, or "name:value,name:value" text (which may not set Authorization, Content-Type or other headers the connector manages).',
        strOrMap,
      ),
      content_type: d('json (default) or form; may be a config template (case-insensitive).', str),
      condition: d('Template over record/config; records for which it is falsy are not sent by this operation.', str),
      record_key: d('Field(s) identifying a record in reports and errors (default: the catalog primary key).', strOrStrs),
      idempotent: d('Whether the request may be repeated after it may have reached the server. Default: true for GET/PUT/DELETE, false otherwise.', boolT),
      batching: d('Send up to batch_size records per request: as an array, wrapped in {property: [...], ...extra}, or reshaped by JSONata.', {
        type: 'object',
        properties: {
          enabled: boolT,
          batch_size: intT,
          jsonata: d('JSONata over the array of rendered bodies; when it renders non-empty it replaces wrap.', str),
          wrap: { type: 'object', properties: { property: str, extra: strOrMap }, additionalProperties: false },
        },
        additionalProperties: false,
      }),
    },
    ['name', 'streams'],
  ],
  HttpRequestCheck: [
    'Destination check: one request (default GET) through the destination requester; success when it does not fail.',
    {
      requester: one(...REQUESTERS),
      path: str,
      http_method: str,
      request_parameters: strOrMap,
    },
    [],
  ],
  DeclarativeStream: [
    'A stream: where its records come from, their schema, and how it reads incrementally.',
    {
      name: d('Stream name as shown in the catalog.', str),
      retriever: one(...RETRIEVERS),
      incremental_sync: one(...CURSORS),
      primary_key: d('Field, list of fields, or list of field paths that identify a record.', { anyOf: [str, strs, { type: 'array', items: strs }] }),
      schema_loader: oneOrList(...SCHEMA_LOADERS),
      transformations: list(...TRANSFORMATIONS),
      state_migrations: list('LegacyToPerPartitionStateMigration', 'CustomStateMigration'),
      file_uploader: obj,
    },
    ['retriever'],
  ],
  StateDelegatingStream: [
    'Reads with one stream definition on a first sync and another once state exists.',
    {
      name: str,
      full_refresh_stream: ref('DeclarativeStream'),
      incremental_stream: ref('DeclarativeStream'),
      api_retention_period: str,
    },
    ['name', 'full_refresh_stream', 'incremental_stream'],
  ],
  DynamicDeclarativeStream: [
    'Generates streams at discover time from a template and a components resolver.',
    {
      name: str,
      stream_template: one('DeclarativeStream', 'StateDelegatingStream'),
      components_resolver: one('HttpComponentsResolver', 'ConfigComponentsResolver', 'ParametrizedComponentsResolver'),
      use_parent_parameters: bool,
    },
    ['stream_template', 'components_resolver'],
  ],
  ConditionalStreams: [
    'Includes its streams only when the condition (over config) is true.',
    { condition: str, streams: list('DeclarativeStream', 'StateDelegatingStream') },
    ['streams', 'condition'],
  ],
  StreamGroup: [
    'Streams that share an action, such as never syncing simultaneously. Manifold accepts and ignores stream groups.',
    { streams: list('DeclarativeStream'), action: ref('BlockSimultaneousSyncsAction') },
    ['streams', 'action'],
    { noType: true },
  ],
  BlockSimultaneousSyncsAction: ['Prevents the streams of a group from syncing at the same time.', {}, []],
  CheckStream: [
    'Checks a connection by reading one record of the listed streams.',
    { stream_names: strs, dynamic_streams_check_configs: list('DynamicStreamCheckConfig'), config_overrides: mapping },
    [],
  ],
  CheckDynamicStream: [
    'Checks a connection through the streams generated by dynamic streams.',
    { stream_count: int, use_check_availability: bool, config_overrides: mapping },
    ['stream_count'],
  ],
  DynamicStreamCheckConfig: [
    'Which dynamic stream to check and how many of its generated streams.',
    { dynamic_stream_name: str, stream_count: int },
    ['dynamic_stream_name'],
  ],
  Spec: [
    'The connector config the user supplies, as a JSON Schema, plus OAuth and normalization settings.',
    {
      connection_specification: d('JSON Schema of the config.', mapping),
      documentation_url: str,
      advanced_auth: mapping,
      config_normalization_rules: mapping,
    },
    ['connection_specification'],
  ],
  ConfigMigration: ['Rewrites old configs into the current shape before use.', { description: str, transformations: { type: 'array' } }, ['transformations']],
  ConcurrencyLevel: ['How many partitions are read in parallel.', { default_concurrency: intT, max_concurrency: int }, ['default_concurrency']],
  // ── retrievers
  SimpleRetriever: [
    'Sends requests page by page for each slice and selects records from the responses.',
    {
      requester: one(...REQUESTERS),
      record_selector: ref('RecordSelector'),
      paginator: one(...PAGINATORS),
      decoder: one(...DECODERS),
      partition_router: oneOrList(...ROUTERS),
      pagination_reset: ref('PaginationReset'),
      ignore_stream_slicer_parameters_on_paginated_requests: bool,
    },
    ['requester', 'record_selector'],
  ],
  AsyncRetriever: [
    'Creates a server-side job, polls it until done, then downloads its results.',
    {
      record_selector: ref('RecordSelector'),
      status_mapping: ref('AsyncJobStatusMap'),
      creation_requester: one(...REQUESTERS),
      polling_requester: one(...REQUESTERS),
      download_requester: one(...REQUESTERS),
      status_extractor: one(...EXTRACTORS),
      download_target_extractor: one(...EXTRACTORS),
      download_extractor: one(...EXTRACTORS, 'ResponseToFileExtractor'),
      download_target_requester: one(...REQUESTERS),
      download_paginator: one(...PAGINATORS),
      abort_requester: one(...REQUESTERS),
      delete_requester: one(...REQUESTERS),
      partition_router: oneOrList(...ROUTERS),
      decoder: one(...DECODERS),
      download_decoder: one(...DECODERS),
      polling_job_timeout: intT,
      failed_retry_wait_time_in_seconds: intT,
    },
    ['record_selector', 'status_mapping', 'creation_requester', 'polling_requester', 'download_requester', 'status_extractor'],
  ],
  CustomRetriever: custom('retriever'),
  AsyncJobStatusMap: [
    'Maps API job statuses onto running/completed/failed/timeout.',
    { running: strs, completed: strs, failed: strs, timeout: strs, skipped: strs },
    ['running', 'completed', 'failed', 'timeout'],
    { typeOptional: true },
  ],
  // ── requesters
  HttpRequester: [
    'Builds and sends an HTTP request: URL, method, query, headers, body, authentication and error handling.',
    {
      url_base: d('Base URL; may use {{ config }} templates.', str),
      url: str,
      path: str,
      http_method: { anyOf: [{ enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] }, str] },
      authenticator: one(...AUTHENTICATORS),
      error_handler: one(...ERROR_HANDLERS),
      request_parameters: strOrMap,
      request_headers: strOrMap,
      request_body_data: strOrMap,
      request_body_json: { anyOf: [str, mapping, { type: 'array' }] },
      request_body: one('RequestBodyPlainText', 'RequestBodyUrlEncodedForm', 'RequestBodyJsonObject', 'RequestBodyGraphQL'),
      fetch_properties_from_endpoint: ref('PropertiesFromEndpoint'),
      query_properties: ref('QueryProperties'),
      use_cache: bool,
    },
    [],
  ],
  CustomRequester: custom('requester'),
  RequestOption: [
    'Where a value goes in the request: a query parameter, header, or body field.',
    {
      inject_into: { enum: ['request_parameter', 'header', 'body_data', 'body_json'] },
      field_name: str,
      field_path: strs,
    },
    ['inject_into'],
  ],
  RequestPath: ['Sends the next page token as the whole request path/URL.', {}, []],
  RequestBodyPlainText: ['A raw text request body.', { value: str }, ['value']],
  RequestBodyUrlEncodedForm: ['A form-encoded request body.', { value: mapping }, ['value']],
  RequestBodyJsonObject: ['A JSON request body.', { value: any }, ['value']],
  RequestBodyGraphQL: ['A GraphQL request body.', { value: ref('RequestBodyGraphQlQuery') }, ['value']],
  RequestBodyGraphQlQuery: ['A GraphQL query.', { query: any }, ['query'], { noType: true }],
  QueryProperties: [
    'Requests a list of properties (possibly in chunks) as a query parameter.',
    {
      property_list: { anyOf: [strs, ref('PropertiesFromEndpoint')] },
      always_include_properties: strs,
      property_chunking: ref('PropertyChunking'),
      property_selector: ref('JsonSchemaPropertySelector'),
    },
    ['property_list'],
  ],
  PropertiesFromEndpoint: [
    'Fetches the list of properties to request from another endpoint.',
    { property_field_path: strs, retriever: one(...RETRIEVERS) },
    ['property_field_path', 'retriever'],
  ],
  PropertyChunking: [
    'Splits requested properties over several requests and merges the records back.',
    {
      property_limit_type: { enum: ['characters', 'property_count'] },
      property_limit: int,
      record_merge_strategy: ref('GroupByKeyMergeStrategy'),
    },
    ['property_limit_type'],
  ],
  GroupByKeyMergeStrategy: ['Merges chunked records that share a key.', { key: strOrStrs }, ['key']],
  JsonSchemaPropertySelector: ['Selects the properties to request from the configured catalog schema.', { transformations: list(...TRANSFORMATIONS) }, []],
  // ── authenticators
  NoAuth: ['Sends requests without authentication.', {}, []],
  ApiKeyAuthenticator: ['Sends an API key in a header, query parameter or body field.', { api_token: str, header: str, inject_into: REQUEST_OPTION }, []],
  BearerAuthenticator: ['Sends `Authorization: Bearer <token>`.', { api_token: str }, ['api_token']],
  BasicHttpAuthenticator: ['Sends HTTP Basic credentials.', { username: str, password: str }, ['username']],
  OAuthAuthenticator: [
    'OAuth 2.0: refreshes an access token from a refresh token or client credentials and sends it as a bearer token.',
    {
      client_id_name: str,
      client_id: str,
      client_secret_name: str,
      client_secret: str,
      refresh_token_name: str,
      refresh_token: str,
      token_refresh_endpoint: str,
      access_token_name: str,
      access_token_value: str,
      expires_in_name: str,
      grant_type_name: str,
      grant_type: str,
      refresh_request_body: mapping,
      refresh_request_headers: mapping,
      send_refresh_request_as_query_params: bool,
      scopes: strs,
      token_expiry_date: str,
      token_expiry_date_format: str,
      refresh_token_error_status_codes: ints,
      refresh_token_error_key: str,
      refresh_token_error_values: strs,
      refresh_token_updater: mapping,
      profile_assertion: one('JwtAuthenticator'),
      use_profile_assertion: bool,
    },
    [],
  ],
  JwtAuthenticator: [
    'Signs a JWT from config and sends it as a token.',
    {
      secret_key: str,
      algorithm: str,
      base64_encode_secret_key: bool,
      token_duration: int,
      header_prefix: str,
      jwt_headers: mapping,
      additional_jwt_headers: mapping,
      jwt_payload: mapping,
      additional_jwt_payload: mapping,
      passphrase: str,
      request_option: REQUEST_OPTION,
    },
    ['secret_key', 'algorithm'],
  ],
  SessionTokenAuthenticator: [
    'Logs in with a request of its own, then sends the session token it got back.',
    {
      login_requester: ref('HttpRequester'),
      session_token_path: strs,
      expiration_duration: str,
      request_authentication: one('SessionTokenRequestApiKeyAuthenticator', 'SessionTokenRequestBearerAuthenticator'),
      decoder: one(...DECODERS),
    },
    ['login_requester', 'session_token_path', 'request_authentication'],
  ],
  SessionTokenRequestApiKeyAuthenticator: [
    'Sends the session token like an API key.',
    { inject_into: REQUEST_OPTION, api_token: str },
    ['inject_into'],
    { typeName: 'ApiKey' },
  ],
  SessionTokenRequestBearerAuthenticator: ['Sends the session token as a bearer token.', {}, [], { typeName: 'Bearer' }],
  LegacySessionTokenAuthenticator: [
    'Older session-token login (kept for existing manifests).',
    {
      header: str,
      login_url: str,
      session_token: str,
      session_token_response_key: str,
      username: str,
      password: str,
      validate_session_url: str,
    },
    ['header', 'login_url', 'session_token_response_key', 'validate_session_url'],
  ],
  SelectiveAuthenticator: [
    'Picks one of several authenticators by a value in the config.',
    {
      authenticator_selection_path: strs,
      authenticators: { type: 'object', additionalProperties: { anyOf: [str, ...AUTHENTICATORS.map(ref)] } },
    },
    ['authenticators', 'authenticator_selection_path'],
  ],
  RateLimitedMultipleTokenAuthenticator: [
    'Rotates several tokens according to their remaining quotas. Not supported by Manifold.',
    {
      tokens: strOrStrs,
      quota_status_source: ref('QuotaStatusSource'),
      quotas: list('TokenQuota'),
      token_delimiter: str,
      auth_method: str,
      header: str,
      max_wait_time: intT,
      budget_reserve_fraction: numT,
      budget_min_reserve: intT,
    },
    ['tokens', 'quota_status_source', 'quotas'],
  ],
  QuotaStatusSource: [
    'Endpoint reporting the remaining quota of each token (RateLimitedMultipleTokenAuthenticator; not supported by Manifold).',
    { url: str, http_method: str, request_headers: mapping, unavailable_status_codes: ints },
    ['url'],
  ],
  TokenQuota: [
    'Where to read one quota of a token (RateLimitedMultipleTokenAuthenticator; not supported by Manifold).',
    {
      name: str,
      remaining_path: strs,
      reset_path: strs,
      limit_path: strs,
      matchers: { type: 'array' },
      remaining_header: str,
      reset_header: str,
      limit_header: str,
      exhaustion_status_codes: ints,
    },
    ['name', 'remaining_path', 'reset_path'],
  ],
  CustomAuthenticator: custom('authenticator'),
  // ── pagination
  DefaultPaginator: [
    'Paginates with a strategy and injects the page token and page size into requests.',
    {
      pagination_strategy: one(...STRATEGIES),
      page_size_option: REQUEST_OPTION,
      page_token_option: one('RequestOption', 'RequestPath'),
      decoder: one(...DECODERS),
    },
    ['pagination_strategy'],
  ],
  NoPagination: ['One request per slice.', {}, []],
  TwoStepCursorPaginator: [
    'Manifold: sends a start request first, then follows a cursor read from each response (for APIs whose first page comes from a different endpoint).',
    {
      start_request: ref('HttpRequester'),
      cursor_value: d('Template over response/headers giving the cursor of the first page.', str),
      next_cursor_value: d('Template giving the cursor after each following page (defaults to cursor_value).', str),
      cursor_option: one('RequestOption', 'RequestPath'),
      stop_condition: str,
      page_size_option: REQUEST_OPTION,
      page_size: intT,
    },
    ['start_request', 'cursor_value', 'cursor_option'],
  ],
  CursorPagination: [
    'Next page token is a value read from the response (body, headers or Link).',
    {
      cursor_value: str,
      page_size: intT,
      stop_condition: str,
      decoder: one(...DECODERS),
    },
    ['cursor_value'],
  ],
  OffsetIncrement: ['Next page token is the offset of the next record.', { page_size: intT, inject_on_first_request: bool }, []],
  PageIncrement: ['Next page token is the next page number.', { page_size: intT, start_from_page: int, inject_on_first_request: bool }, []],
  CustomPaginationStrategy: custom('pagination strategy'),
  PaginationReset: [
    'What to do when pagination hits a limit: restart the slice from the last record.',
    { action: { enum: ['SPLIT_USING_CURSOR', 'RESET'] }, limits: ref('PaginationResetLimits') },
    ['action'],
  ],
  PaginationResetLimits: ['Limits that trigger a pagination reset.', { number_of_records: int }, []],
  // ── decoders
  JsonDecoder: ['Response body is one JSON document.', {}, []],
  JsonItemsDecoder: ['Streams the items of a JSON array found at a path. Not supported by Manifold.', { items_path: str, encoding: str }, ['items_path']],
  JsonlDecoder: ['Response body is JSON Lines.', {}, []],
  IterableDecoder: ['Each response line is a record value.', {}, []],
  XmlDecoder: ['Response body is XML, converted to objects.', {}, []],
  CsvDecoder: ['Response body is CSV.', { encoding: str, delimiter: str, set_values_to_none: strs }, []],
  GzipDecoder: ['Gunzips the body, then decodes it with the inner decoder.', { decoder: one(...DECODERS) }, ['decoder']],
  ZipfileDecoder: ['Unzips the body, then decodes each file with the inner decoder.', { decoder: one(...DECODERS) }, ['decoder']],
  CustomDecoder: custom('decoder'),
  // ── records
  RecordSelector: [
    'Extracts records from a response, filters, transforms and normalizes them.',
    {
      extractor: one(...EXTRACTORS),
      record_filter: one(...FILTERS),
      schema_normalization: { anyOf: [{ enum: ['None', 'Default'] }, ref('CustomSchemaNormalization')] },
      transform_before_filtering: bool,
    },
    ['extractor'],
  ],
  DpathExtractor: [
    'Takes records from a path in the decoded response (`*` wildcards allowed).',
    { field_path: strs, record_expander: ref('RecordExpander'), decoder: one(...DECODERS) },
    ['field_path'],
  ],
  RecordExpander: [
    'Turns each element of a list inside a record into its own record.',
    { expand_records_from_field: strs, remain_original_record: bool, on_no_records: { enum: ['skip', 'emit_parent'] } },
    ['expand_records_from_field'],
  ],
  ResponseToFileExtractor: ['Saves a large CSV response to a file and reads records from it. Not supported by Manifold.', { preserve_na_values: bool }, []],
  JsonataExtractor: ['Manifold: records are the result of a JSONata expression over the decoded response.', { expression: str }, ['expression']],
  CustomRecordExtractor: custom('record extractor'),
  RecordFilter: ['Keeps records for which the condition template is true.', { condition: str }, []],
  JsonataRecordFilter: ['Manifold: keeps records for which a JSONata expression is truthy.', { expression: str }, ['expression']],
  CustomRecordFilter: custom('record filter'),
  CustomSchemaNormalization: custom('schema normalization'),
  // ── transformations
  AddFields: ['Adds or overwrites fields computed from templates.', { fields: list('AddedFieldDefinition'), condition: str }, ['fields']],
  AddedFieldDefinition: ['One field to add: its path and its value template.', { path: strs, value: any, value_type: ref('ValueType') }, ['path', 'value']],
  ValueType: ['Type a computed value is converted to.', { enum: ['string', 'number', 'integer', 'boolean'] }, [], { plain: true }],
  RemoveFields: ['Removes fields by path (`*` wildcards allowed).', { field_pointers: { type: 'array', items: strs }, condition: str }, ['field_pointers']],
  KeysToLower: ['Lower-cases every top-level key.', {}, []],
  KeysToSnakeCase: ['Converts every top-level key to snake_case.', {}, []],
  KeysReplace: ['Replaces a substring in every top-level key.', { old: str, new: str }, ['old', 'new']],
  FlattenFields: ['Flattens nested objects into top-level keys.', { flatten_lists: bool }, []],
  DpathFlattenFields: [
    'Moves the fields of the object at a path to the top level.',
    {
      field_path: strs,
      delete_origin_value: bool,
      replace_record: bool,
      key_transformation: ref('KeyTransformation'),
    },
    ['field_path'],
  ],
  KeyTransformation: ['Prefix/suffix added to keys moved by DpathFlattenFields.', { prefix: str, suffix: str }, []],
  JsonataTransformation: [
    'Manifold: sets the record (or target_field) to the result of a JSONata expression over it.',
    { expression: str, target_field: str },
    ['expression'],
  ],
  CustomTransformation: custom('transformation'),
  // ── incremental
  DatetimeBasedCursor: [
    'Incremental sync on a datetime field: slices the time range and keeps the latest value as state.',
    {
      cursor_field: str,
      datetime_format: str,
      cursor_datetime_formats: strs,
      start_datetime: DATETIME,
      end_datetime: DATETIME,
      start_time_option: REQUEST_OPTION,
      end_time_option: REQUEST_OPTION,
      step: str,
      cursor_granularity: str,
      lookback_window: str,
      partition_field_start: str,
      partition_field_end: str,
      is_data_feed: bool,
      is_client_side_incremental: bool,
      is_compare_strictly: bool,
      global_substream_cursor: bool,
      clamping: mapping,
      allow_catalog_defined_cursor_field: bool,
    },
    ['cursor_field', 'datetime_format', 'start_datetime'],
  ],
  MinMaxDatetime: [
    'A datetime template clamped between optional bounds.',
    { datetime: str, datetime_format: str, min_datetime: str, max_datetime: str },
    ['datetime'],
  ],
  IncrementingCountCursor: [
    'Incremental sync on an ever-increasing number.',
    { cursor_field: str, start_value: { anyOf: [str, int] }, start_value_option: REQUEST_OPTION, allow_catalog_defined_cursor_field: bool },
    ['cursor_field'],
  ],
  CustomIncrementalSync: custom('incremental cursor'),
  // ── partition routers
  ListPartitionRouter: [
    'One partition per value of a list (literal or from config).',
    { cursor_field: str, values: strOrStrs, request_option: REQUEST_OPTION },
    ['cursor_field', 'values'],
  ],
  SubstreamPartitionRouter: ['One partition per record of parent streams.', { parent_stream_configs: list('ParentStreamConfig') }, ['parent_stream_configs']],
  ParentStreamConfig: [
    'A parent stream and which of its fields becomes the partition value.',
    {
      stream: one('DeclarativeStream', 'StateDelegatingStream'),
      parent_key: str,
      partition_field: str,
      request_option: REQUEST_OPTION,
      incremental_dependency: bool,
      lazy_read_pointer: strs,
      extra_fields: { type: 'array', items: strs },
    },
    ['parent_key', 'partition_field', 'stream'],
  ],
  GroupingPartitionRouter: [
    'Groups the partitions of another router into batches.',
    { group_size: int, underlying_partition_router: one(...ROUTERS), deduplicate: bool },
    ['group_size', 'underlying_partition_router'],
  ],
  UnionPartitionRouter: [
    'The partitions of several routers, one router after the other, each partition value once (the first router to yield it wins), reduced to {partition_field: value}; the other keys a router puts in its partitions move to the extra fields. Children inject nothing into requests: templates read stream_partition.',
    { partition_field: str, partition_routers: list(...ROUTERS) },
    ['partition_field', 'partition_routers'],
  ],
  CustomPartitionRouter: custom('partition router'),
  // ── errors & backoff
  DefaultErrorHandler: [
    'Decides per response whether to succeed, retry, ignore or fail, and how long to back off.',
    {
      backoff_strategies: list(...BACKOFFS),
      max_retries: int,
      response_filters: list('HttpResponseFilter'),
      max_time: int,
    },
    [],
  ],
  CompositeErrorHandler: [
    'Tries several error handlers in order; the first that matches decides.',
    { error_handlers: list(...ERROR_HANDLERS) },
    ['error_handlers'],
  ],
  HttpResponseFilter: [
    'Matches responses by status, message or predicate and says what to do with them.',
    {
      action: { enum: ['SUCCESS', 'FAIL', 'RETRY', 'IGNORE', 'RATE_LIMITED', 'RESET_PAGINATION'] },
      failure_type: { enum: ['system_error', 'config_error', 'transient_error'] },
      error_message: str,
      error_message_contains: str,
      http_codes: ints,
      predicate: str,
    },
    [],
  ],
  CustomErrorHandler: custom('error handler'),
  ConstantBackoffStrategy: [
    'Waits a fixed time between retries.',
    { backoff_time_in_seconds: numT, jitter_range_in_seconds: numT },
    ['backoff_time_in_seconds'],
  ],
  ExponentialBackoffStrategy: ['Waits factor × 2^attempt seconds between retries.', { factor: numT, jitter_range_in_seconds: numT }, []],
  WaitTimeFromHeader: ['Waits the number of seconds a response header says.', { header: str, regex: str, max_waiting_time_in_seconds: num }, ['header']],
  WaitUntilTimeFromHeader: [
    'Waits until the time a response header says.',
    { header: str, min_wait: numT, regex: str, max_waiting_time_in_seconds: num },
    ['header'],
  ],
  CustomBackoffStrategy: custom('backoff strategy'),
  // ── schema loaders
  InlineSchemaLoader: ['The stream JSON schema written in the manifest.', { schema: mapping }, []],
  JsonFileSchemaLoader: ['Reads the stream JSON schema from a file (deprecated in Airbyte).', { file_path: str }, []],
  DynamicSchemaLoader: [
    'Builds the stream schema from an endpoint describing the fields (requested once per run, when discover or a read needs the schema), as the CDK does: fields at schema_pointer, names at key_pointer, types at type_pointer (default string) mapped by types_mapping, then schema_filter and schema_transformations.',
    {
      retriever: one(...RETRIEVERS),
      schema_type_identifier: ref('SchemaTypeIdentifier'),
      schema_filter: one(...FILTERS),
      schema_transformations: list(...TRANSFORMATIONS),
    },
    ['retriever', 'schema_type_identifier'],
  ],
  SchemaTypeIdentifier: [
    'Where field names and types are in the schema endpoint response.',
    {
      key_pointer: strs,
      schema_pointer: strs,
      type_pointer: strs,
      types_mapping: list('TypesMap'),
    },
    ['key_pointer'],
    { typeOptional: true },
  ],
  TypesMap: [
    'Maps an API field type onto a JSON Schema type.',
    { target_type: any, current_type: any, condition: str },
    ['target_type', 'current_type'],
    { noType: true },
  ],
  CustomSchemaLoader: custom('schema loader'),
  // ── api budget
  HTTPAPIBudget: [
    'Client-side rate limits shared by every request of a sync.',
    {
      policies: list(...RATE_POLICIES),
      ratelimit_reset_header: str,
      ratelimit_remaining_header: str,
      status_codes_for_ratelimit_hit: ints,
    },
    ['policies'],
  ],
  FixedWindowCallRatePolicy: [
    'At most call_limit calls per fixed period.',
    { period: str, call_limit: int, matchers: list('HttpRequestRegexMatcher') },
    ['period', 'call_limit', 'matchers'],
  ],
  MovingWindowCallRatePolicy: [
    'At most limit calls in any sliding interval.',
    { rates: list('Rate'), matchers: list('HttpRequestRegexMatcher') },
    ['rates', 'matchers'],
  ],
  UnlimitedCallRatePolicy: ['No limit for the matching requests.', { matchers: list('HttpRequestRegexMatcher') }, ['matchers']],
  Rate: ['A number of calls per interval.', { limit: intT, interval: str }, ['limit', 'interval'], { noType: true }],
  HttpRequestRegexMatcher: [
    'Which requests a rate policy applies to.',
    { method: str, url_base: str, url_path_pattern: str, params: mapping, headers: mapping, weight: intT },
    [],
    { noType: true },
  ],
  // ── state migrations
  LegacyToPerPartitionStateMigration: ['Converts legacy global state into per-partition state.', {}, [], { typeOptional: true }],
  CustomStateMigration: custom('state migration'),
  // ── dynamic streams
  HttpComponentsResolver: [
    'Generates stream definitions from the records of an endpoint.',
    { retriever: one(...RETRIEVERS), components_mapping: list('ComponentMappingDefinition') },
    ['retriever', 'components_mapping'],
  ],
  ConfigComponentsResolver: [
    'Generates stream definitions from lists in the config.',
    { stream_config: oneOrList('StreamConfig'), components_mapping: list('ComponentMappingDefinition') },
    ['stream_config', 'components_mapping'],
  ],
  ParametrizedComponentsResolver: [
    'Generates stream definitions from a literal list of parameters.',
    { stream_parameters: ref('StreamParametersDefinition'), components_mapping: list('ComponentMappingDefinition') },
    ['stream_parameters', 'components_mapping'],
  ],
  StreamConfig: ['Where in the config the list of generated streams is.', { configs_pointer: strs, default_values: { type: 'array' } }, ['configs_pointer']],
  StreamParametersDefinition: [
    'Literal parameters, one entry per generated stream.',
    { list_of_parameters_for_stream: { type: 'array', items: mapping } },
    ['list_of_parameters_for_stream'],
  ],
  ComponentMappingDefinition: [
    'Writes a value into the stream template at a path.',
    { field_path: strs, value: any, value_type: ref('ValueType'), create_or_update: bool, condition: str },
    ['field_path', 'value'],
  ],
  // ── config normalization / validation
  ConfigRemapField: ['Replaces config values through a map.', { map: strOrMap, field_path: strs }, ['map', 'field_path']],
  ConfigAddFields: ['Adds fields to the config.', { fields: list('AddedFieldDefinition'), condition: str }, ['fields']],
  ConfigRemoveFields: ['Removes fields from the config.', { field_pointers: { type: 'array', items: strs }, condition: str }, ['field_pointers']],
  CustomConfigTransformation: custom('config transformation'),
  DpathValidator: ['Validates the config value at a path.', { field_path: strs, validation_strategy: any }, ['field_path', 'validation_strategy']],
  PredicateValidator: ['Validates a config value.', { value: any, validation_strategy: any }, ['value', 'validation_strategy']],
  ValidateAdheresToSchema: ['The value must match a JSON Schema.', { base_schema: strOrMap }, ['base_schema']],
  CustomValidationStrategy: custom('validation strategy'),
};

/** Airbyte's documented defaults (declarative_component_schema.yaml), `Type.field` → value. */
const DEFAULTS = {
  'AddFields.condition': '',
  'RemoveFields.condition': '',
  'RecordFilter.condition': '',
  'ConfigAddFields.condition': '',
  'ConfigRemoveFields.condition': '',
  'ConfigMigration.transformations': [],
  'BasicHttpAuthenticator.password': '',
  'LegacySessionTokenAuthenticator.password': '',
  'DynamicStreamCheckConfig.stream_count': 0,
  'CheckDynamicStream.use_check_availability': true,
  'DatetimeBasedCursor.is_compare_strictly': false,
  'DatetimeBasedCursor.global_substream_cursor': false,
  'JwtAuthenticator.base64_encode_secret_key': false,
  'JwtAuthenticator.token_duration': 1200,
  'OAuthAuthenticator.client_id_name': 'client_id',
  'OAuthAuthenticator.client_secret_name': 'client_secret',
  'OAuthAuthenticator.refresh_token_name': 'refresh_token',
  'OAuthAuthenticator.access_token_name': 'access_token',
  'OAuthAuthenticator.expires_in_name': 'expires_in',
  'OAuthAuthenticator.grant_type_name': 'grant_type',
  'OAuthAuthenticator.grant_type': 'refresh_token',
  'OAuthAuthenticator.use_profile_assertion': false,
  'DeclarativeStream.name': '',
  'DeclarativeStream.primary_key': '',
  'DeclarativeStream.state_migrations': [],
  'StateDelegatingStream.name': '',
  'DynamicDeclarativeStream.name': '',
  'DynamicDeclarativeStream.use_parent_parameters': true,
  'HTTPAPIBudget.ratelimit_reset_header': 'ratelimit-reset',
  'HTTPAPIBudget.ratelimit_remaining_header': 'ratelimit-remaining',
  'HTTPAPIBudget.status_codes_for_ratelimit_hit': [429],
  'DefaultErrorHandler.max_retries': 5,
  'ExponentialBackoffStrategy.factor': 5,
  'HttpRequester.http_method': 'GET',
  'HttpRequester.use_cache': false,
  'SchemaTypeIdentifier.schema_pointer': [],
  'FlattenFields.flatten_lists': true,
  'MinMaxDatetime.datetime_format': '',
  'OffsetIncrement.inject_on_first_request': false,
  'PageIncrement.start_from_page': 0,
  'PageIncrement.inject_on_first_request': false,
  'ParentStreamConfig.incremental_dependency': false,
  'ParentStreamConfig.lazy_read_pointer': [],
  'SimpleRetriever.ignore_stream_slicer_parameters_on_paginated_requests': false,
  'CsvDecoder.encoding': 'utf-8',
  'CsvDecoder.delimiter': ',',
  'GroupingPartitionRouter.deduplicate': true,
  'ComponentMappingDefinition.create_or_update': false,
  'RequestBodyGraphQlQuery.query': 'query {\n    \n}',
};

const PARAMETERS = d('Values available as {{ parameters.x }} here and in nested components.', mapping);

// ── strict form (`definitions`) ─────────────────────────────────────────────────────────────────
const definitions = {};
for (const [name, [description, properties, required, options = {}]] of Object.entries(C)) {
  if (options.plain) {
    definitions[name] = { description, ...properties };
    continue;
  }
  const typeName = options.typeName ?? name;
  const def = { title: name, description, type: 'object' };
  if (!options.noType) {
    def.properties = { type: { const: typeName, description: `Component type: ${typeName}.` }, ...properties, $parameters: PARAMETERS };
    def.required = options.typeOptional ? required : ['type', ...required];
  } else {
    def.properties = { ...properties };
    if (required.length > 0) def.required = required;
  }
  def.additionalProperties = options.additionalProperties ?? true;
  if (options.anyOf) def.anyOf = options.anyOf;
  if (options.typeName) def['x-manifold-type'] = typeName;
  definitions[name] = def;
}
for (const [key, value] of Object.entries(DEFAULTS)) {
  const [name, field] = key.split('.');
  const property = definitions[name]?.properties?.[field];
  if (!property) throw new Error(`default for unknown field ${key}`);
  definitions[name].properties[field] = { ...property, default: value };
}
// Field descriptions live in scripts/component-field-descriptions.mjs (one place per field).
for (const [key, description] of Object.entries(FIELD_DESCRIPTIONS)) {
  const [name, field] = key.split('.');
  const property = definitions[name]?.properties?.[field];
  if (!property) throw new Error(`description for unknown field ${key}`);
  if (property.description) throw new Error(`${key} is described twice (in the table and in component-field-descriptions.mjs)`);
  definitions[name].properties[field] = { description, ...property };
}

// ── editor form (`$defs`) ───────────────────────────────────────────────────────────────────────
/** `Parent.field` → type tables of the loader, read from its source so they cannot drift. */
function transformerTable(tableName) {
  const source = readFileSync(new URL('../engine/manifest/component-transformer.ts', import.meta.url), 'utf8');
  const start = source.indexOf(`const ${tableName}`);
  const body = source.slice(source.indexOf('{', source.indexOf('=', start)), source.indexOf('};', start));
  const table = Object.fromEntries([...body.matchAll(/'([\w.]+)':\s*'(\w+)'/g)].map((m) => [m[1], m[2]]));
  if (Object.keys(table).length === 0) throw new Error(`could not read ${tableName} from component-transformer.ts`);
  return table;
}
const DEFAULT_TYPES = transformerTable('DEFAULT_MODEL_TYPES');
const CUSTOM_DEFAULT_TYPES = transformerTable('CUSTOM_COMPONENT_TYPES');

const REFERENCE = { $ref: '#/$defs/Reference' };
const editorRef = (name) => ({ $ref: `#/$defs/${name}` });
const refTarget = (s) => (typeof s?.$ref === 'string' && s.$ref.startsWith('#/definitions/') ? s.$ref.slice('#/definitions/'.length) : undefined);
/** Definitions whose nodes carry a `type` the loader may have to fill in. */
const isTyped = (name) => Boolean(definitions[name]?.properties?.type?.const);
const typeOptional = (name) => isTyped(name) && !definitions[name].required?.includes('type');

const REFERENCE_STRING = { $ref: '#/$defs/ReferenceString' };

/**
 * A field holding one of `names`: a typed component, the field's default type untyped, a
 * `{$ref, ...overrides}` mapping whose overrides fit one of the allowed components (their
 * required fields come from the referenced part), or a reference string.
 */
function componentSite(names, site) {
  const branches = names.map((name) => {
    if (!isTyped(name) || typeOptional(name) || DEFAULT_TYPES[site] === name || CUSTOM_DEFAULT_TYPES[site] === name) return editorRef(name);
    return { allOf: [editorRef(name)], required: ['type'] };
  });
  // A custom component accepts any field, so beside a $ref it only counts when the node says it is one.
  const overrides = names.map((name) =>
    name.startsWith('Custom') ? { allOf: [editorRef(name)], anyOf: [{ required: ['type'] }, { required: ['class_name'] }] } : editorRef(name),
  );
  const component = { anyOf: [...branches, { type: 'object', required: ['$ref'], anyOf: overrides }, REFERENCE_STRING] };
  // Redundant for validation (each branch pins its own type); it gives editors every allowed `type` to complete.
  const types = names.filter(isTyped).map((name) => definitions[name].properties.type.const);
  if (types.length > 1) component.properties = { type: { enum: types } };
  return component;
}

/** The editor form of a field's schema; `site` is `ParentType.field`, the loader's key for defaults. */
function editorField(s, site) {
  if (Array.isArray(s)) return s.map((x) => editorField(x, site));
  if (!s || typeof s !== 'object') return s;
  const single = refTarget(s);
  if (single) return componentSite([single], site);
  if (Array.isArray(s.anyOf)) {
    const names = s.anyOf.map(refTarget);
    const { anyOf, ...rest } = s;
    if (names.every(Boolean)) return { ...rest, ...componentSite(names, site) };
    return { ...rest, anyOf: anyOf.map((x) => editorField(x, site)) };
  }
  const out = { ...s };
  if (s.items) out.items = editorField(s.items, site);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = editorField(s.additionalProperties, site);
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, editorField(v, `${site}.${k}`)]));
  return out;
}

const acceptsReference = (s) => s === REFERENCE || (Array.isArray(s?.anyOf) && s.anyOf.some((b) => b === REFERENCE || b === REFERENCE_STRING));

/** Any field may hold a reference instead of its value; description and default stay on top for hovers. */
function orReference(s) {
  if (acceptsReference(s)) return s;
  const { description, default: dflt, ...value } = s;
  const out = {};
  if (description !== undefined) out.description = description;
  if (dflt !== undefined) out.default = dflt;
  out.anyOf = [Object.keys(value).length ? value : {}, REFERENCE];
  return out;
}

const $defs = {
  ReferenceString: {
    title: 'Reference string',
    type: 'string',
    pattern: '^#/',
    description: 'Reference to a part of this manifest, e.g. "#/definitions/base_requester".',
  },
  Reference: {
    title: 'Reference',
    description:
      'A reference instead of a value: "#/definitions/name", or {$ref: "#/definitions/name", ...fields that override the referenced ones}. Resolved when the manifest is loaded.',
    anyOf: [REFERENCE_STRING, { type: 'object', required: ['$ref'], properties: { $ref: REFERENCE_STRING } }],
  },
};
for (const [name, strict] of Object.entries(definitions)) {
  if (!strict.properties) {
    $defs[name] = { ...strict };
    continue;
  }
  const typeName = strict.properties.type?.const ?? name;
  const properties = {};
  for (const [field, s] of Object.entries(strict.properties)) {
    properties[field] = field === 'type' ? s : orReference(editorField(s, `${typeName}.${field}`));
  }
  properties.$parameters ??= orReference(PARAMETERS);
  properties.$ref = REFERENCE_STRING;
  const { required: strictRequired = [], ...def } = { ...strict, properties };
  // Beside a $ref, the referenced part supplies the required fields.
  const required = strictRequired.filter((f) => f !== 'type');
  if (required.length) Object.assign(def, { if: { required: ['$ref'] }, else: { required } });
  $defs[name] = def;
}

/**
 * What `definitions:` holds in raw YAML: free-form pieces, among them components that `$ref`s pull
 * into streams. A mapping whose `type` names a component is checked as that component wherever it
 * sits (its required fields too, unless it extends another piece with `$ref`); a capitalised `type`
 * no component has is a misspelling; anything else (JSON schemas, lists of names, nested groups)
 * is walked for components further down.
 */
const componentTypes = new Map();
for (const [name, strict] of Object.entries(definitions)) {
  const type = strict.properties?.type?.const;
  if (typeof type === 'string') componentTypes.set(type, name);
}
$defs.DefinitionsContent = {
  description: 'Free-form reusable pieces referred to with $ref; components among them are checked as such.',
  if: { type: 'object', required: ['type'], properties: { type: { type: 'string', pattern: '^[A-Z]' } } },
  then: {
    properties: { type: { enum: [...componentTypes.keys()].sort() } },
    allOf: [...componentTypes].map(([type, name]) => ({ if: { properties: { type: { const: type } } }, then: editorRef(name) })),
  },
  else: {
    anyOf: [
      { type: 'object', additionalProperties: { $ref: '#/$defs/DefinitionsContent' } },
      { type: 'array', items: { $ref: '#/$defs/DefinitionsContent' } },
      { not: { type: ['object', 'array'] } },
    ],
  },
};
for (const root of ['DeclarativeSource', 'DeclarativeDestination']) {
  $defs[root].properties.definitions = { description: definitions[root].properties.definitions.description, $ref: '#/$defs/DefinitionsContent' };
}

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://manifold.dev/schema/manifest.schema.json',
  title: 'Manifold connector manifest',
  description: 'A declarative connector manifest (Airbyte low-code compatible) as run by Manifold.',
  $comment:
    'The root and $defs are the editor form (raw YAML: references, default types, $parameters allowed); definitions is the strict form the engine checks after loading. See scripts/gen-manifest-schema.mjs.',
  // The engine treats a root without `type` as a source; a destination must say so.
  anyOf: [editorRef('DeclarativeSource'), { allOf: [editorRef('DeclarativeDestination')], required: ['type'] }],
  definitions,
  $defs,
};
const text = JSON.stringify(schema, null, 2) + '\n';
if (process.argv.includes('--stdout')) {
  process.stdout.write(text);
} else {
  const out = new URL('../engine/manifest/schema/manifest.schema.json', import.meta.url);
  writeFileSync(out, text);
  console.log(`wrote ${Object.keys(definitions).length} definitions (strict) and ${Object.keys($defs).length} editor definitions to ${out.pathname}`);
}
