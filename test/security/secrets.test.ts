/**
 * No secret leaves the process: CLI reads with OAuth client credentials, API key (header and query)
 * and basic auth, --show-http, debug logs, a failing check, an API that echoes the Authorization
 * header back in an error body, and recorded replay files — none may contain a secret value.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Source } from '../../engine/index.js';
import { networkTransport } from '../../engine/http/client.js';
import { recordingTransport } from '../../engine/http/recorder.js';
import { records, runCli, tempFiles, type CliResult } from '../helpers/cli.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

const CLIENT_SECRET = 'cs-SECRET-7a1b2c3d4e';
const ACCESS_TOKEN = 'at-SECRET-issued-5f6e7d';
const API_KEY = 'ak-SECRET-0123456789';
const USERNAME = 'alice';
// Characters that change form in URLs, JSON and base64 contexts.
const PASSWORD = 'pw/SECRET+"q\\x:9';
const BASIC = Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64');
const WRONG_SECRET = 'wrong-SECRET-client-ff00';
const SECRETS = [CLIENT_SECRET, ACCESS_TOKEN, API_KEY, PASSWORD, BASIC, WRONG_SECRET, encodeURIComponent(PASSWORD), JSON.stringify(PASSWORD).slice(1, -1)];

const MANIFEST = `
version: 6.7.0
type: DeclarativeSource
check:
  type: CheckStream
  stream_names: [users]
definitions:
  oauth:
    type: OAuthAuthenticator
    token_refresh_endpoint: "{{ config['base_url'] }}/oauth/token"
    client_id: "{{ config['client_id'] }}"
    client_secret: "{{ config['client_secret'] }}"
    grant_type: client_credentials
  selector:
    type: RecordSelector
    extractor: { type: DpathExtractor, field_path: [data] }
  schema:
    type: InlineSchemaLoader
    schema: { type: object }
  stream:
    type: DeclarativeStream
    primary_key: id
    schema_loader: { $ref: "#/definitions/schema" }
streams:
  - $ref: "#/definitions/stream"
    name: users
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['base_url'] }}/api"
        path: /users
        authenticator: { $ref: "#/definitions/oauth" }
      record_selector: { $ref: "#/definitions/selector" }
  - $ref: "#/definitions/stream"
    name: orders
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['base_url'] }}/api"
        path: /orders
        authenticator:
          type: ApiKeyAuthenticator
          api_token: "{{ config['api_key'] }}"
          inject_into: { type: RequestOption, inject_into: header, field_name: X-Api-Key }
      record_selector: { $ref: "#/definitions/selector" }
  - $ref: "#/definitions/stream"
    name: tags
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['base_url'] }}/api"
        path: /tags
        authenticator:
          type: ApiKeyAuthenticator
          api_token: "{{ config['api_key'] }}"
          inject_into: { type: RequestOption, inject_into: request_parameter, field_name: auth }
      record_selector: { $ref: "#/definitions/selector" }
  - $ref: "#/definitions/stream"
    name: events
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['base_url'] }}/api"
        path: /events
        authenticator:
          type: BasicHttpAuthenticator
          username: "{{ config['username'] }}"
          password: "{{ config['password'] }}"
      record_selector: { $ref: "#/definitions/selector" }
spec:
  type: Spec
  connection_specification:
    type: object
    required: [base_url, client_id, client_secret, api_key, username, password]
    properties:
      base_url: { type: string }
      client_id: { type: string }
      client_secret: { type: string, airbyte_secret: true }
      api_key: { type: string, airbyte_secret: true }
      username: { type: string }
      password: { type: string, airbyte_secret: true }
`;

/** The echo variant: every API answers 400 with the credentials it received. */
let echo = false;
let server: TestServer;

function echoBody(req: { headers: Record<string, unknown>; query: Record<string, string>; body: string }) {
  return {
    error: 'bad request',
    you_sent: { authorization: req.headers.authorization, key: req.headers['x-api-key'], query: req.query, body: req.body },
    note: `auth was ${String(req.headers.authorization)} ${req.query.auth ?? ''}`,
  };
}

beforeAll(async () => {
  server = await startServer({
    'POST /oauth/token': (req, res) => {
      const form = new URLSearchParams(req.body);
      if (form.get('client_secret') !== CLIENT_SECRET)
        return json(res, 401, { error: 'invalid_client', received: req.body, secret: form.get('client_secret') });
      json(res, 200, { access_token: ACCESS_TOKEN, expires_in: 3600 });
    },
    'GET /api/users': (req, res) => {
      if (echo) return json(res, 400, echoBody(req));
      if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return json(res, 401, { error: 'unauthorized' });
      json(res, 200, { data: [{ id: 1, name: 'u1' }] });
    },
    'GET /api/orders': (req, res) => {
      if (echo) return json(res, 400, echoBody(req));
      if (req.headers['x-api-key'] !== API_KEY) return json(res, 403, { error: 'forbidden' });
      json(res, 200, { data: [{ id: 10 }] });
    },
    'GET /api/tags': (req, res) => {
      if (echo) return json(res, 400, echoBody(req));
      if (req.query.auth !== API_KEY) return json(res, 403, { error: 'forbidden' });
      json(res, 200, { data: [{ id: 20 }] });
    },
    'GET /api/events': (req, res) => {
      if (echo) return json(res, 400, echoBody(req));
      if (req.headers.authorization !== `Basic ${BASIC}`) return json(res, 401, { error: 'unauthorized' });
      json(res, 200, { data: [{ id: 30 }] });
    },
  });
});
afterAll(async () => server.close());

function config(overrides: Record<string, string> = {}) {
  return { base_url: server.url, client_id: 'client-1', client_secret: CLIENT_SECRET, api_key: API_KEY, username: USERNAME, password: PASSWORD, ...overrides };
}

function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) {
    if (text.includes(secret))
      throw new Error(
        `${where} contains the secret ${JSON.stringify(secret)}:\n${text.slice(Math.max(0, text.indexOf(secret) - 300), text.indexOf(secret) + 100)}`,
      );
  }
}

function expectCleanRun(result: CliResult): void {
  expectNoSecret(result.stdout, 'stdout');
  expectNoSecret(result.stderr, 'stderr');
  expect(result.stderr).not.toContain('\n    at ');
}

async function cliRead(extra: string[], overrides: Record<string, string> = {}): Promise<CliResult> {
  const files = tempFiles({ 'manifest.yaml': MANIFEST, 'config.json': config(overrides) });
  return runCli(['read', '--manifest', files['manifest.yaml']!, '--config', files['config.json']!, ...extra]);
}

describe('secrets never leak', () => {
  it('a successful read with --show-http and debug logs shows no secret', async () => {
    echo = false;
    const result = await cliRead(['--show-http', '--log-level', 'debug']);
    expect(result.code).toBe(0);
    expect(
      records(result)
        .map((r) => r.id)
        .sort((a, b) => a - b),
    ).toEqual([1, 10, 20, 30]);
    // --show-http did print the exchanges (masked), including the token request.
    expect(result.stderr).toContain('/oauth/token');
    expect(result.stderr).toContain('/api/tags');
    expect(result.stderr).toContain('****');
    expectCleanRun(result);
  });

  it('APIs that echo the credentials back in error bodies: TRACE, LOG and stderr stay clean', async () => {
    echo = true;
    try {
      const result = await cliRead(['--show-http', '--log-level', 'debug']);
      expect(result.code).not.toBe(0);
      const errors = result.messages.filter((m) => m.trace?.type === 'ERROR').map((m) => m.trace.error);
      // One error per stream plus the summary; the echoed body is quoted (masked) in the messages.
      expect(errors.length).toBe(5);
      expect(errors.find((e) => e.message.includes('/api/users'))?.message).toMatch(/HTTP 400.*you_sent/);
      for (const e of errors) {
        expectNoSecret(JSON.stringify(e), 'error trace');
        expect(String(e.stack_trace ?? '')).not.toContain('\n    at ');
      }
      expectCleanRun(result);
    } finally {
      echo = false;
    }
  });

  it('check with a wrong client secret fails clearly without printing it (the token endpoint echoes it)', async () => {
    const files = tempFiles({ 'manifest.yaml': MANIFEST, 'config.json': config({ client_secret: WRONG_SECRET }) });
    const result = await runCli(['check', '--manifest', files['manifest.yaml']!, '--config', files['config.json']!, '--log-level', 'debug']);
    const status = result.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/401/);
    expectCleanRun(result);
  });

  it('a failing read with a wrong API key reports 403 without the key', async () => {
    const result = await cliRead(['--log-level', 'debug'], { api_key: 'ak-SECRET-wrong-key-77' });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/403/);
    expect(result.stdout + result.stderr).not.toContain('ak-SECRET-wrong-key-77');
  });

  it('recorded replay files hold no secret', async () => {
    const dir = tempFiles({}).dir;
    const recordDir = join(dir, 'recording');
    for (const withEcho of [false, true]) {
      echo = withEcho;
      const source = await Source.fromText(MANIFEST, 'secrets.yaml', {
        backoffScale: 0.0001,
        transport: recordingTransport(join(recordDir, String(withEcho)), networkTransport),
      });
      for await (const _m of source.read(config())) void _m;
    }
    echo = false;
    let files = 0;
    for (const sub of ['false', 'true']) {
      for (const name of readdirSync(join(recordDir, sub))) {
        files++;
        expectNoSecret(readFileSync(join(recordDir, sub, name), 'utf8'), `recording ${sub}/${name}`);
      }
    }
    // token + 4 streams, twice (the echo run fetches a token too).
    expect(files).toBeGreaterThanOrEqual(9);
  });
});
