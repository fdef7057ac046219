/** spec.config_normalization_rules: migrations (CONTROL once), transformations, validations — before any request. */
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { http, HttpResponse } from 'msw';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();
const BASE = 'https://api.gong.test';

// The shape of source-gong's migration: top-level access_key/access_key_secret → credentials.*.
const manifest = (rules: string, extraSpec = ''): string => `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [users] }
streams:
  - type: DeclarativeStream
    name: users
    primary_key: id
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "${BASE}"
        path: "/v2/users"
        request_parameters:
          region: "{{ config.get('region', 'none') }}"
        authenticator:
          type: BasicHttpAuthenticator
          username: "{{ config['credentials']['access_key'] }}"
          password: "{{ config['credentials']['access_key_secret'] }}"
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [users] }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
spec:
  type: Spec
  connection_specification:
    type: object
    required: [credentials]
    properties:
      region: { type: string }
      settings: { type: string }
      credentials:
        type: object
        required: [access_key, access_key_secret]
        properties:
          auth_type: { type: string, const: APIKey }
          access_key: { type: string, airbyte_secret: true }
          access_key_secret: { type: string, airbyte_secret: true }
${extraSpec}
  config_normalization_rules:
    type: ConfigNormalizationRules
${rules}
`;

const GONG_MIGRATION = `
    config_migrations:
      - type: ConfigMigration
        description: old top-level keys move under credentials
        transformations:
          - type: ConfigAddFields
            fields:
              - type: AddedFieldDefinition
                path: ["credentials", "access_key"]
                value: "{{ config['access_key'] }}"
            condition: "{{ config.get('access_key', False) and not config.get('credentials', {}).get('access_key', False) }}"
          - type: ConfigAddFields
            fields:
              - type: AddedFieldDefinition
                path: ["credentials", "access_key_secret"]
                value: "{{ config['access_key_secret'] }}"
            condition: "{{ config.get('access_key_secret', False) and not config.get('credentials', {}).get('access_key_secret', False) }}"
          - type: ConfigAddFields
            fields:
              - type: AddedFieldDefinition
                path: ["credentials", "auth_type"]
                value: "APIKey"
            condition: "{{ config.get('access_key', False) and not config.get('credentials', {}).get('auth_type', False) }}"
`;

interface Seen {
  authorization: string | null;
  region: string | null;
}

function answerUsers(seen: Seen[]): void {
  server.use(
    http.get(`${BASE}/v2/users`, ({ request }) => {
      seen.push({ authorization: request.headers.get('authorization'), region: new URL(request.url).searchParams.get('region') });
      return HttpResponse.json({ users: [{ id: 1 }] });
    }),
  );
}

async function read(source: Source, config: Record<string, unknown>): Promise<AirbyteMessage[]> {
  const out: AirbyteMessage[] = [];
  for await (const m of source.read(config)) out.push(m);
  return out;
}

const controls = (messages: AirbyteMessage[]) => messages.filter((m) => m.type === 'CONTROL');
const records = (messages: AirbyteMessage[]) => messages.filter((m) => m.type === 'RECORD');
const errors = (messages: AirbyteMessage[]) => messages.filter((m) => m.type === 'TRACE' && m.trace.error);
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('config_migrations', () => {
  it('migrates an old-format config, sends requests with it and emits exactly one CONTROL with the migrated config', async () => {
    const seen: Seen[] = [];
    answerUsers(seen);
    const source = await Source.fromText(manifest(GONG_MIGRATION));
    const messages = await read(source, { access_key: 'key-1234', access_key_secret: 'secret-5678' });

    expect(errors(messages)).toEqual([]);
    expect(records(messages)).toHaveLength(1);
    expect(seen).toEqual([{ authorization: basic('key-1234', 'secret-5678'), region: 'none' }]);
    const control = controls(messages);
    expect(control).toHaveLength(1);
    expect(control[0]).toMatchObject({
      type: 'CONTROL',
      control: {
        type: 'CONNECTOR_CONFIG',
        connectorConfig: {
          config: {
            access_key: 'key-1234',
            access_key_secret: 'secret-5678',
            credentials: { access_key: 'key-1234', access_key_secret: 'secret-5678', auth_type: 'APIKey' },
          },
        },
      },
    });
    // CONTROL comes before the first record, as Airbyte prints it before reading.
    expect(messages.findIndex((m) => m.type === 'CONTROL')).toBeLessThan(messages.findIndex((m) => m.type === 'RECORD'));
  });

  it('emits no CONTROL when the config is already in the new format', async () => {
    const seen: Seen[] = [];
    answerUsers(seen);
    const source = await Source.fromText(manifest(GONG_MIGRATION));
    const messages = await read(source, { credentials: { access_key: 'key-1234', access_key_secret: 'secret-5678', auth_type: 'APIKey' } });
    expect(errors(messages)).toEqual([]);
    expect(controls(messages)).toEqual([]);
    expect(seen).toEqual([{ authorization: basic('key-1234', 'secret-5678'), region: 'none' }]);
  });

  it('keeps the injected manifest in the migrated config it emits', async () => {
    answerUsers([]);
    const source = await Source.fromText(manifest(GONG_MIGRATION));
    const injected = { version: '6.0.0' };
    const messages = await read(source, { access_key: 'key-1234', access_key_secret: 'secret-5678', __injected_declarative_manifest: injected });
    const control = controls(messages)[0] as { control: { connectorConfig: { config: Record<string, unknown> } } };
    expect(control.control.connectorConfig.config.__injected_declarative_manifest).toEqual(injected);
  });

  it('check and discover use the migrated config too', async () => {
    const seen: Seen[] = [];
    answerUsers(seen);
    const source = await Source.fromText(manifest(GONG_MIGRATION));
    expect(await source.check({ access_key: 'key-1234', access_key_secret: 'secret-5678' })).toEqual({ status: 'SUCCEEDED' });
    expect(seen[0]?.authorization).toBe(basic('key-1234', 'secret-5678'));
    const catalog = await source.discover({ access_key: 'key-1234', access_key_secret: 'secret-5678' });
    expect(catalog.streams.map((s) => s.name)).toEqual(['users']);
  });
});

describe('transformations', () => {
  it('remaps a config value for the run, without a CONTROL message', async () => {
    const seen: Seen[] = [];
    answerUsers(seen);
    const rules = `
    transformations:
      - type: ConfigRemapField
        field_path: ["region"]
        map:
          Europe: eu-1
          America: us-1
      - type: ConfigRemoveFields
        field_pointers: [["unused"]]
`;
    const source = await Source.fromText(manifest(rules));
    const config = { region: 'Europe', unused: 'x', credentials: { access_key: 'key-1234', access_key_secret: 'secret-5678' } };
    const messages = await read(source, config);
    expect(errors(messages)).toEqual([]);
    expect(seen.map((s) => s.region)).toEqual(['eu-1']);
    expect(controls(messages)).toEqual([]);
    // The caller's config object is not modified.
    expect(config.region).toBe('Europe');
  });

  it('leaves a value the map does not name unchanged', async () => {
    const seen: Seen[] = [];
    answerUsers(seen);
    const rules = `
    transformations:
      - type: ConfigRemapField
        field_path: ["region"]
        map: { Europe: eu-1 }
`;
    const source = await Source.fromText(manifest(rules));
    await read(source, { region: 'Asia', credentials: { access_key: 'key-1234', access_key_secret: 'secret-5678' } });
    expect(seen.map((s) => s.region)).toEqual(['Asia']);
  });
});

describe('validations', () => {
  const rules = `
    validations:
      - type: DpathValidator
        field_path: ["settings"]
        validation_strategy:
          type: ValidateAdheresToSchema
          base_schema:
            type: object
            required: [page_size]
            properties:
              page_size: { type: integer, minimum: 1 }
`;

  it('a failing DpathValidator is a config error naming the field, and no request is sent', async () => {
    const seen: Seen[] = [];
    answerUsers(seen);
    const source = await Source.fromText(manifest(rules), 'gong.yaml');
    const messages = await read(source, { settings: '{"page_size": 0}', credentials: { access_key: 'key-1234', access_key_secret: 'secret-5678' } });
    expect(seen).toEqual([]);
    expect(records(messages)).toEqual([]);
    const [error] = errors(messages) as Array<{ trace: { error: { message: string; failure_type: string } } }>;
    expect(error?.trace.error.failure_type).toBe('config_error');
    expect(error?.trace.error.message).toContain('config.settings.page_size: must be >= 1');
    expect(error?.trace.error.message).toContain('spec.config_normalization_rules.validations[0]');
    expect(error?.trace.error.message).toMatch(/gong\.yaml:\d+/);

    const check = await source.check({ settings: 'not json', credentials: { access_key: 'key-1234', access_key_secret: 'secret-5678' } });
    expect(check.status).toBe('FAILED');
    expect(check.message).toContain('config.settings: is not valid JSON');
    expect(seen).toEqual([]);
  });

  it('passes a valid value, and a missing field (required-ness is the spec’s job)', async () => {
    const seen: Seen[] = [];
    answerUsers(seen);
    const source = await Source.fromText(manifest(rules));
    const creds = { access_key: 'key-1234', access_key_secret: 'secret-5678' };
    expect(errors(await read(source, { settings: '{"page_size": 5}', credentials: creds }))).toEqual([]);
    expect(errors(await read(source, { credentials: creds }))).toEqual([]);
    expect(seen).toHaveLength(2);
  });

  it('PredicateValidator checks a templated value', async () => {
    const seen: Seen[] = [];
    answerUsers(seen);
    const predicate = `
    validations:
      - type: PredicateValidator
        value: "{{ config['credentials'] }}"
        validation_strategy:
          type: ValidateAdheresToSchema
          base_schema: { type: object, required: [auth_type] }
`;
    const source = await Source.fromText(manifest(predicate));
    const result = await source.check({ credentials: { access_key: 'key-1234', access_key_secret: 'secret-5678' } });
    expect(result.status).toBe('FAILED');
    expect(result.message).toContain('missing required field "auth_type"');
    expect(seen).toEqual([]);
  });
});

describe('secrets', () => {
  it('values moved by a migration stay masked in error messages', async () => {
    server.use(http.get(`${BASE}/v2/users`, () => HttpResponse.json({ message: 'bad key key-1234 / secret-5678' }, { status: 401 })));
    const source = await Source.fromText(manifest(GONG_MIGRATION));
    const messages = await read(source, { access_key: 'key-1234', access_key_secret: 'secret-5678' });
    const text = JSON.stringify(messages.filter((m) => m.type !== 'CONTROL'));
    expect(text).not.toContain('secret-5678');
    expect(text).not.toContain('key-1234');
  });
});

const GONG = '/work/shared/airbyte-manifests/source-gong.yaml';

// The reference corpus lives outside the repo; without it this check is skipped, not failed.
(existsSync(GONG) ? describe : describe.skip)('the corpus manifest source-gong.yaml', () => {
  it('an old-format config selects the APIKey authenticator after migration and emits one CONTROL', async () => {
    const auth: Array<string | null> = [];
    server.use(
      http.get('https://api.gong.io/v2/users', ({ request }) => {
        auth.push(request.headers.get('authorization'));
        return HttpResponse.json({ users: [{ id: 'u1' }], records: {} });
      }),
    );
    const source = await Source.fromFile(GONG);
    const out: AirbyteMessage[] = [];
    const catalog = { streams: [{ stream: { name: 'users' }, sync_mode: 'full_refresh' as const }] };
    for await (const m of source.read({ access_key: 'gong-key-1', access_key_secret: 'gong-secret-2' }, catalog)) out.push(m);
    expect(errors(out)).toEqual([]);
    expect(records(out)).toHaveLength(1);
    expect(auth).toEqual([basic('gong-key-1', 'gong-secret-2')]);
    expect(controls(out)).toHaveLength(1);
    expect(controls(out)[0]).toMatchObject({
      control: { connectorConfig: { config: { credentials: { access_key: 'gong-key-1', access_key_secret: 'gong-secret-2', auth_type: 'APIKey' } } } },
    });
  });
});

describe('order of messages', () => {
  it('the migration CONTROL still goes out when a later validation fails', async () => {
    const rules = `${GONG_MIGRATION}
    validations:
      - type: DpathValidator
        field_path: ["credentials"]
        validation_strategy:
          type: ValidateAdheresToSchema
          base_schema: { type: object, properties: { access_key: { type: string, minLength: 30 } } }
`;
    const source = await Source.fromText(manifest(rules));
    const messages = await read(source, { access_key: 'key-1234', access_key_secret: 'secret-5678' });
    expect(messages.map((m) => m.type)).toEqual(['CONTROL', 'TRACE']);
    expect(JSON.stringify(messages[1])).toContain('config.credentials.access_key: must NOT have fewer than 30 characters');
  });
});
