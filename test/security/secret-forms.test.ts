/**
 * Every secret, every form, every output. A secret with characters that change shape on the way
 * out (space, `!()*`, `"`, `\`, non-ASCII) is sent in a query (form-encoded: `+`, `%21` …), a JSON
 * body (escaped) and a hand-made Basic header (base64 of user:secret); the API echoes what it got
 * in each of those forms. Tokens minted at run time under non-standard names (`accessToken`, a
 * session id at [result, sid]) are secrets before anything prints or records their response.
 * None of it may appear in TRACE, LOG, --show-http, recordings or the library's error objects.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Source } from '../../engine/index.js';
import { networkTransport } from '../../engine/http/client.js';
import { recordingTransport } from '../../engine/http/recorder.js';
import { SecretRegistry } from '../../engine/services.js';
import type { HttpEvent, Obj } from '../../engine/types.js';
import { describeHttpEvent } from '../../cli/show-http.js';
import { runCli, tempFiles } from '../helpers/cli.js';
import { json, startServer, type LoggedRequest, type TestServer } from '../helpers/http-server.js';

const PASSCODE = 'Sesame open!(now)*"q\\é~';
const USERNAME = 'alice';
const ACCESS_TOKEN = 'at-minted-Q9w8e7r6t5';
const SESSION_ID = 'sid-minted-Z1x2c3v4b5';

/** The forms the API sends back, and that must not reach any output. */
const formEncoded = 'Sesame+open%21%28now%29%2A%22q%5C%C3%A9~';
const FORMS: Record<string, string> = {
  raw: PASSCODE,
  'form-encoded (+)': formEncoded,
  'form-encoded, lower-case hex': formEncoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  'URL-encoded (%20)': encodeURIComponent(PASSCODE),
  'JSON-escaped': JSON.stringify(PASSCODE).slice(1, -1),
  'JSON-escaped, ensure_ascii': JSON.stringify(PASSCODE).slice(1, -1).replace('é', '\\u00e9'),
  base64: Buffer.from(PASSCODE).toString('base64'),
  'Basic user:secret': Buffer.from(`${USERNAME}:${PASSCODE}`).toString('base64'),
  'minted OAuth token': ACCESS_TOKEN,
  'minted session id': SESSION_ID,
};

let server: TestServer;

function echo(req: LoggedRequest): Obj {
  const rawQuery = req.query.code === undefined ? '' : `code=${formEncoded}`;
  return {
    error: 'rejected',
    query_as_received: rawQuery,
    query_lower_hex: rawQuery.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    url_encoded: encodeURIComponent(PASSCODE),
    decoded: req.query.code ?? null,
    ascii_json: JSON.stringify(PASSCODE).replace('é', '\\u00e9'),
    body: req.body,
    basic: req.headers['x-auth'] ?? null,
    b64: Buffer.from(PASSCODE).toString('base64'),
    tokens: `${String(req.headers.authorization)} ${req.query.sid ?? ''}`,
  };
}

beforeAll(async () => {
  server = await startServer({
    '/oauth/token': (_req, res) => json(res, 200, { accessToken: ACCESS_TOKEN, expires_in: 3600 }),
    '/oauth/refused': (req, res) => json(res, 401, { error: 'invalid_client', error_description: 'client c1 is disabled', you_sent: req.body }),
    '/login': (_req, res) => json(res, 200, { result: { sid: SESSION_ID, note: 'welcome' } }),
    '/fail': (req, res) => json(res, 400, echo(req)),
    '/ignored': (req, res) => json(res, 400, echo(req)),
    '/tables': (req, res) => json(res, 400, echo(req)),
  });
});
afterAll(async () => server.close());

const requester = (path: string, extra = '') =>
  `{ type: HttpRequester, url_base: "{{ config.base_url }}", path: ${path}, http_method: POST, error_handler: { type: DefaultErrorHandler, max_retries: 0, response_filters: [{ type: HttpResponseFilter, action: ${path === '/ignored' ? 'IGNORE' : 'FAIL'}, http_codes: [400] }] }, ${extra} }`;
const SECRET_INPUTS = `request_parameters: { code: "{{ config.passcode }}" }, request_body_json: { p: "{{ config.passcode }}" }, request_headers: { X-Auth: "Basic {{ (config.username ~ ':' ~ config.passcode) | base64encode }}" }`;

const stream = (name: string, path: string, authenticator: string) => `
  - type: DeclarativeStream
    name: ${name}
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: ${requester(path, `${SECRET_INPUTS}, authenticator: ${authenticator}`)}
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;

const OAUTH = `{ type: OAuthAuthenticator, token_refresh_endpoint: "{{ config.base_url }}/oauth/token", client_id: c1, client_secret: "{{ config.passcode }}", grant_type: client_credentials, access_token_name: accessToken }`;
const SESSION = `{ type: SessionTokenAuthenticator, login_requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /login, http_method: POST }, session_token_path: [result, sid], request_authentication: { type: ApiKey, inject_into: { type: RequestOption, inject_into: request_parameter, field_name: sid } } }`;

const SPEC = `
spec:
  type: Spec
  connection_specification:
    type: object
    properties:
      base_url: { type: string }
      username: { type: string }
      passcode: { type: string, airbyte_secret: true }
`;

const MANIFEST = `
version: 6.7.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [failing] }
streams:${stream('failing', '/fail', OAUTH)}${stream('ignored', '/ignored', SESSION)}
${SPEC}`;

const DISCOVER_MANIFEST = `
version: 6.7.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [x] }
streams: []
dynamic_streams:
  - type: DynamicDeclarativeStream
    stream_template:
      type: DeclarativeStream
      name: placeholder
      schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
      retriever:
        type: SimpleRetriever
        requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /x }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
    components_resolver:
      type: HttpComponentsResolver
      retriever:
        type: SimpleRetriever
        requester: ${requester('/tables', SECRET_INPUTS)}
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [tables] } }
      components_mapping:
        - type: ComponentMappingDefinition
          field_path: [name]
          value: "{{ components_values.name }}"
${SPEC}`;

const config = (base = server.url): Obj => ({ base_url: base, username: USERNAME, passcode: PASSCODE });

function expectClean(text: string, where: string): void {
  for (const [form, value] of Object.entries(FORMS)) {
    const at = text.indexOf(value);
    if (at >= 0) throw new Error(`${where} shows the secret (${form}): …${text.slice(Math.max(0, at - 200), at + value.length + 50)}…`);
  }
}

describe('every secret form is masked in every output', () => {
  let messages: Obj[];
  let events: HttpEvent[];
  let recordDir: string;

  beforeAll(async () => {
    events = [];
    recordDir = join(tempFiles({}).dir, 'recording');
    const source = await Source.fromText(MANIFEST, 'forms.yaml', {
      backoffScale: 0.0001,
      logLevel: 'DEBUG',
      onHttp: (e) => events.push(e),
      transport: recordingTransport(recordDir, networkTransport),
    });
    messages = [];
    for await (const m of source.read(config())) messages.push(m as unknown as Obj);
  });

  it('the API really received and echoed every form (the test is not vacuous)', () => {
    const fail = server.requests.find((r) => r.path === '/fail')!;
    expect(fail.query.code).toBe(PASSCODE);
    expect(fail.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(JSON.parse(fail.body)).toEqual({ p: PASSCODE });
    expect(fail.headers['x-auth']).toBe(`Basic ${FORMS['Basic user:secret']}`);
    expect(server.requests.find((r) => r.path === '/ignored')!.query.sid).toBe(SESSION_ID);
  });

  it('TRACE', () => {
    const traces = messages.filter((m) => m.type === 'TRACE');
    expect(JSON.stringify(traces)).toMatch(/HTTP 400.*query_as_received/);
    for (const t of traces) expectClean(JSON.stringify(t), 'TRACE');
  });

  it('LOG', () => {
    const logs = messages.filter((m) => m.type === 'LOG');
    expect(JSON.stringify(logs)).toMatch(/Ignoring response.*query_as_received/);
    for (const l of logs) expectClean(JSON.stringify(l), 'LOG');
  });

  it('--show-http', () => {
    const shown = events.map(describeHttpEvent).join('');
    expect(shown).toContain('/oauth/token');
    expect(shown).toContain('/login');
    expect(shown).toContain('query_as_received');
    expectClean(shown, '--show-http');
    // The token responses are masked whole, whatever their field names.
    expect(shown).toContain('{"accessToken":"****","expires_in":3600}');
    expect(shown).toContain('{"result":{"sid":"****","note":"****"}}');
  });

  it('--record files', () => {
    const files = readdirSync(recordDir);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expectClean(readFileSync(join(recordDir, f), 'utf8'), `recording ${f}`);
  });

  it('the error object a library caller gets (message, stack, every field, causes)', async () => {
    const source = await Source.fromText(DISCOVER_MANIFEST, 'forms.yaml', { backoffScale: 0.0001, logLevel: 'ERROR' });
    const error = await source.discover(config()).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/HTTP 400.*query_as_received/);
    expectClean(inspect(error, { depth: 20 }), 'thrown error');
    expectClean(JSON.stringify(error), 'thrown error (JSON)');
    expectClean(String(error?.stack), 'thrown error stack');
  });

  it('the error object of a network failure (got keeps the request on its errors)', async () => {
    const closed = await startServer({});
    const url = closed.url;
    await closed.close();
    const source = await Source.fromText(DISCOVER_MANIFEST, 'forms.yaml', { backoffScale: 0.0001, logLevel: 'ERROR' });
    const error = await source.discover(config(url)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/ECONNREFUSED/);
    expectClean(inspect(error, { depth: 20 }), 'thrown network error');
  });
});

describe('the CLI, end to end', () => {
  it('read --show-http --record --log-level debug: stdout, stderr and the recording hold no form of any secret', async () => {
    const files = tempFiles({ 'manifest.yaml': MANIFEST, 'config.json': config() });
    const recording = join(files.dir, 'recording');
    const result = await runCli([
      'read',
      '--manifest',
      files['manifest.yaml']!,
      '--config',
      files['config.json']!,
      '--show-http',
      '--record',
      recording,
      '--log-level',
      'debug',
    ]);
    expect(result.code).not.toBe(0);
    // The exchanges were shown (token and login responses masked whole) and the echoes quoted.
    expect(result.stderr).toContain('{"accessToken":"****","expires_in":3600}');
    expect(result.stderr).toContain('query_as_received');
    expect(result.stdout).toContain('query_as_received');
    expectClean(result.stdout, 'stdout');
    expectClean(result.stderr, 'stderr');
    for (const f of readdirSync(recording)) expectClean(readFileSync(join(recording, f), 'utf8'), `recording ${f}`);
  });
});

describe('token endpoint answers', () => {
  it('an error answer stays readable (masked by value and name only): the user needs its wording', async () => {
    const refused = OAUTH.replace('/oauth/token', '/oauth/refused');
    const text = `
version: 6.7.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [denied] }
streams:${stream('denied', '/fail', refused)}
${SPEC}`;
    const source = await Source.fromText(text, 'forms.yaml', { backoffScale: 0.0001, logLevel: 'ERROR' });
    const traces: string[] = [];
    for await (const m of source.read(config())) if (m.type === 'TRACE') traces.push(JSON.stringify(m));
    expect(traces.join('\n')).toMatch(/invalid_client.*client c1 is disabled/);
    expectClean(traces.join('\n'), 'TRACE');
  });
});

describe('SecretRegistry forms', () => {
  it('masks each form a secret takes', () => {
    const secrets = new SecretRegistry();
    secrets.add(PASSCODE);
    for (const [form, value] of Object.entries(FORMS)) {
      if (form.startsWith('minted')) continue;
      expect([form, secrets.mask(`before ${value} after`)]).toEqual([form, expect.stringMatching(/^before .*\*\*\*\*.* after$/)]);
      expect([form, secrets.mask(`before ${value} after`).includes(value)]).toEqual([form, false]);
    }
  });

  it('does not mask ordinary text for a short or absent secret', () => {
    const secrets = new SecretRegistry();
    secrets.add('abc');
    expect(secrets.mask('abc abcd')).toBe('abc abcd');
    secrets.add('plain-token-1');
    expect(secrets.mask('a plain-token-1 b')).toBe('a **** b');
  });
});
