/**
 * Credentials stay on their origin. Two loopback servers are two origins: `api` (the requester's
 * url_base, the token endpoint) and `other` (where a hostile API points next-page URLs, download
 * targets and redirects). Whatever the paginator, authenticator or redirect status, `other` never
 * receives a secret in any form, a request body is never re-sent to it, and each redirect hop is
 * checked, counted and visible to --show-http.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Source } from '../../engine/index.js';
import { networkTransport } from '../../engine/http/client.js';
import { recordingTransport } from '../../engine/http/recorder.js';
import type { HttpEvent, Obj } from '../../engine/types.js';
import { describeHttpEvent } from '../../cli/show-http.js';
import { tempFiles } from '../helpers/cli.js';
import { json, startServer, type LoggedRequest, type TestServer } from '../helpers/http-server.js';

const API_KEY = 'ak-SECRET-key/with+odd chars!';
const HEADER_SECRET = 'hs-SECRET-in-request-headers';
const CLIENT_SECRET = 'cs-SECRET-client-7a1b2c';
const ACCESS_TOKEN = 'at-SECRET-minted-5f6e7d';
const USERNAME = 'alice';
const PASSWORD = 'pw-SECRET-basic-9x';
const SESSION = 'sid-SECRET-session-0042';
const SECRETS = [API_KEY, HEADER_SECRET, CLIENT_SECRET, ACCESS_TOKEN, PASSWORD, SESSION, Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')];

let api: TestServer;
let other: TestServer;

/** What `other`'s /next answers (records a hostile API would like to inject). */
const OTHER_RECORDS = [{ id: 2, from: 'other' }];

function finalRoute(req: LoggedRequest, res: Parameters<Parameters<typeof startServer>[0][string]>[1]): void {
  json(res, 200, { data: [{ id: 1, method: req.method, body: req.body, key: req.headers['x-api-key'] ?? null }] });
}

beforeAll(async () => {
  other = await startServer({
    '/next': (_req, res) => json(res, 200, { data: OTHER_RECORDS }),
    '/final': finalRoute,
    '/file.jsonl': (_req, res) => void res.writeHead(200, { 'content-type': 'application/jsonl' }).end('{"id":7,"from":"other"}\n'),
    '/token': (_req, res) => json(res, 200, { access_token: 'token-from-other' }),
    '/login': (_req, res) => json(res, 200, { result: { sid: 'sid-from-other' } }),
  });
  api = await startServer({
    '/items': (req, res) => {
      const next = `${other.url}/next`;
      if (req.query.via === 'link') return json(res, 200, { data: [{ id: 1 }] }, { link: `<${next}>; rel="next"` });
      json(res, 200, { data: [{ id: 1 }], next });
    },
    '/open': (_req, res) => json(res, 200, { cursor: `${other.url}/next` }),
    '/jobs': (_req, res) => json(res, 200, { id: 'j1' }),
    '/jobs/j1': (_req, res) => json(res, 200, { status: 'done', files: [`${other.url}/file.jsonl`, `${api.url}/file.jsonl`] }),
    '/file.jsonl': (_req, res) => void res.writeHead(200, { 'content-type': 'application/jsonl' }).end('{"id":8,"from":"api"}\n'),
    '/r': (req, res) => {
      const to = req.query.to === 'other' ? other.url : api.url;
      // keep_query: the API copies the request's query string into the Location.
      const query = req.query.keep_query ? `?${new URLSearchParams(req.query).toString()}` : '';
      res.writeHead(Number(req.query.status), { location: `${to}/final${query}` }).end();
    },
    '/loop': (_req, res) => void res.writeHead(302, { location: '/loop' }).end(),
    '/final': finalRoute,
    '/oauth/token': (req, res) => {
      res.writeHead(Number(req.query.status ?? 307), { location: `${other.url}/token` }).end();
    },
    '/login': (req, res) => void res.writeHead(Number(req.query.status ?? 307), { location: `${other.url}/login` }).end(),
  });
});
afterAll(async () => {
  await api.close();
  await other.close();
});
beforeEach(() => {
  api.requests.length = 0;
  other.requests.length = 0;
});

const AUTHENTICATORS: Record<string, string> = {
  'ApiKey header': `{ type: ApiKeyAuthenticator, api_token: "{{ config.api_key }}", inject_into: { type: RequestOption, inject_into: header, field_name: X-Api-Key } }`,
  'ApiKey query parameter': `{ type: ApiKeyAuthenticator, api_token: "{{ config.api_key }}", inject_into: { type: RequestOption, inject_into: request_parameter, field_name: api_key } }`,
  'ApiKey custom header name': `{ type: ApiKeyAuthenticator, api_token: "{{ config.api_key }}", inject_into: { type: RequestOption, inject_into: header, field_name: X-Shop-Access } }`,
  Bearer: `{ type: BearerAuthenticator, api_token: "{{ config.api_key }}" }`,
  Basic: `{ type: BasicHttpAuthenticator, username: "{{ config.username }}", password: "{{ config.password }}" }`,
};

const SPEC = `
spec:
  type: Spec
  connection_specification:
    type: object
    properties:
      base_url: { type: string }
      api_key: { type: string, airbyte_secret: true }
      header_secret: { type: string, airbyte_secret: true }
      client_secret: { type: string, airbyte_secret: true }
      username: { type: string }
      password: { type: string, airbyte_secret: true }
`;

function manifest(options: {
  authenticator?: string;
  paginator?: string;
  path?: string;
  method?: string;
  params?: string;
  body?: string;
  retriever?: string;
}): string {
  const retriever =
    options.retriever ??
    `
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config.base_url }}"
        path: ${options.path ?? '/items'}
        http_method: ${options.method ?? 'GET'}
        request_headers: { X-Custom-Secret: "{{ config.header_secret }}", Accept: application/json }
        ${options.params ? `request_parameters: ${options.params}` : ''}
        ${options.body ? `request_body_json: ${options.body}` : ''}
        error_handler: { type: DefaultErrorHandler, max_retries: 0 }
        authenticator: ${options.authenticator ?? AUTHENTICATORS['ApiKey header']}
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      ${options.paginator ? `paginator: ${options.paginator}` : ''}`;
  return `
version: 6.7.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
streams:
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:${retriever}
${SPEC}`;
}

const CONFIG = (): Obj => ({
  base_url: api.url,
  api_key: API_KEY,
  header_secret: HEADER_SECRET,
  client_secret: CLIENT_SECRET,
  username: USERNAME,
  password: PASSWORD,
});

interface RunResult {
  records: Obj[];
  errors: string[];
  warnings: string[];
  events: HttpEvent[];
  /** URLs the library's onPage callback was given. */
  pageUrls: string[];
}

async function run(text: string, extra: { record?: string } = {}): Promise<RunResult> {
  const events: HttpEvent[] = [];
  const source = await Source.fromText(text, 'credentials.yaml', {
    backoffScale: 0.0001,
    onHttp: (e) => events.push(e),
    ...(extra.record ? { transport: recordingTransport(extra.record, networkTransport) } : {}),
  });
  const out: RunResult = { records: [], errors: [], warnings: [], events, pageUrls: [] };
  for await (const m of source.read(CONFIG(), undefined, undefined, { onPage: (p) => out.pageUrls.push(p.url) })) {
    if (m.type === 'RECORD') out.records.push(m.record.data as Obj);
    if (m.type === 'TRACE' && m.trace.type === 'ERROR') out.errors.push(m.trace.error!.message);
    if (m.type === 'LOG' && m.log.level === 'WARN') out.warnings.push(m.log.message);
  }
  return out;
}

/** Every secret in every form it can take on the wire. */
const FORMS = SECRETS.flatMap((s) => [
  s,
  encodeURIComponent(s),
  encodeURIComponent(s).replace(/%20/g, '+'),
  // Python's quote_plus, as query parameters are encoded.
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+'),
  Buffer.from(s).toString('base64'),
  JSON.stringify(s).slice(1, -1),
]);

function expectNoSecretReached(server: TestServer): void {
  for (const r of server.requests) {
    const seen = JSON.stringify({ path: r.path, query: r.query, headers: r.headers, body: r.body }) + decodeURIComponent(JSON.stringify(r.query));
    for (const form of FORMS) if (seen.includes(form)) throw new Error(`${server.url} received the secret ${JSON.stringify(form)}: ${seen}`);
  }
}

describe('next-page URLs on another origin go out without credentials', () => {
  const paginators: Record<string, { paginator: string; params?: string }> = {
    'CursorPagination + RequestPath (body)': {
      paginator: `{ type: DefaultPaginator, pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}", stop_condition: "{{ not response.next }}" }, page_token_option: { type: RequestPath } }`,
    },
    'CursorPagination + RequestPath (Link header)': {
      paginator: `{ type: DefaultPaginator, pagination_strategy: { type: CursorPagination, cursor_value: "{{ headers.link.next.url }}", stop_condition: "{{ not headers.link.next.url }}" }, page_token_option: { type: RequestPath } }`,
      params: '{ via: link }',
    },
    'TwoStepCursorPaginator + RequestPath': {
      paginator: `{ type: TwoStepCursorPaginator, start_request: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /open, http_method: POST, authenticator: AUTH }, cursor_value: "{{ response.cursor }}", next_cursor_value: "{{ response.next }}", cursor_option: { type: RequestPath } }`,
    },
  };

  for (const [kind, { paginator, params }] of Object.entries(paginators)) {
    for (const [auth, authenticator] of Object.entries(AUTHENTICATORS)) {
      it(`${kind}, ${auth}`, async () => {
        const result = await run(manifest({ authenticator, paginator: paginator.replace('AUTH', authenticator), ...(params ? { params } : {}) }));
        expect(result.errors).toEqual([]);
        // The API's own page was authenticated …
        const first = api.requests[0]!;
        expect(JSON.stringify(first.headers) + JSON.stringify(first.query)).toMatch(/SECRET|Basic/);
        // … the foreign page was fetched without any secret, and the run says so.
        expect(other.requests.map((r) => r.path)).toEqual(['/next']);
        expectNoSecretReached(other);
        expect(result.warnings.join('\n')).toMatch(/not on the origin its credentials belong to .*sent without credentials/);
        // The library's page callback gets masked URLs (an API key in the query included).
        expect(result.pageUrls.length).toBeGreaterThan(0);
        for (const form of FORMS) expect(result.pageUrls.join(' ')).not.toContain(form);
        // Step 1 of the two-step paginator only opens the result set; its records all come from the cursor URL.
        expect(result.records.map((r) => r.id)).toEqual(kind.startsWith('TwoStep') ? [2] : [1, 2]);
      });
    }
  }

  it('a query parameter carrying a secret is removed from a foreign request, and a body carrying one is refused', async () => {
    const paginator = paginators['CursorPagination + RequestPath (body)']!.paginator;
    const query = await run(manifest({ paginator, params: '{ sig: "{{ config.header_secret }}", plain: ok }' }));
    expect(query.errors).toEqual([]);
    expect(other.requests[0]!.query).toEqual({ plain: 'ok' });
    expectNoSecretReached(other);

    other.requests.length = 0;
    const body = await run(manifest({ paginator, method: 'POST', body: '{ secret: "{{ config.header_secret }}" }' }));
    expect(other.requests).toEqual([]);
    expect(body.errors.join('\n')).toMatch(/refusing to send a request body that carries a secret/);
  });

  it('AsyncRetriever: download targets on another origin are fetched without credentials, those on the API origin with them', async () => {
    const retriever = `
      type: AsyncRetriever
      creation_requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /jobs, http_method: POST, authenticator: ${AUTHENTICATORS['ApiKey header']} }
      polling_requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: "/jobs/{{ creation_response.id }}", authenticator: ${AUTHENTICATORS['ApiKey header']} }
      download_requester: { type: HttpRequester, url_base: "{{ download_target }}", authenticator: ${AUTHENTICATORS['ApiKey header']} }
      download_target_extractor: { type: DpathExtractor, field_path: [files] }
      download_decoder: { type: JsonlDecoder }
      status_extractor: { type: DpathExtractor, field_path: [status] }
      status_mapping: { completed: [done], running: [], failed: [], timeout: [] }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }`;
    const result = await run(manifest({ retriever }));
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => r.id).sort()).toEqual([7, 8]);
    expect(other.requests.map((r) => r.path)).toEqual(['/file.jsonl']);
    expectNoSecretReached(other);
    expect(api.requests.find((r) => r.path === '/file.jsonl')!.headers['x-api-key']).toBe(API_KEY);
  });
});

describe('redirects are followed by Manifold, hop by hop', () => {
  const STATUSES = [301, 302, 303, 307, 308];

  for (const status of STATUSES) {
    it(`GET, ${status} on the same origin: followed with credentials`, async () => {
      const result = await run(manifest({ path: '/r', params: `{ status: "${status}", to: api }` }));
      expect(result.errors).toEqual([]);
      expect(result.records).toEqual([{ id: 1, method: 'GET', body: '', key: API_KEY }]);
      expect(api.requests.map((r) => r.path)).toEqual(['/r', '/final']);
    });

    it(`GET, ${status} to another origin: followed without credentials or custom headers`, async () => {
      const result = await run(manifest({ path: '/r', params: `{ status: "${status}", to: other }` }));
      expect(result.errors).toEqual([]);
      expect(result.records).toEqual([{ id: 1, method: 'GET', body: '', key: null }]);
      expect(other.requests.map((r) => r.path)).toEqual(['/final']);
      expect(other.requests[0]!.headers['x-custom-secret']).toBeUndefined();
      expect(other.requests[0]!.headers.accept).toBe('application/json');
      expectNoSecretReached(other);
    });

    it(`POST, ${status} on the same origin: ${status >= 307 ? 're-sent as POST with its body' : 'turned into a GET without body'}`, async () => {
      const result = await run(manifest({ path: '/r', method: 'POST', params: `{ status: "${status}", to: api }`, body: '{ q: 1 }' }));
      expect(result.errors).toEqual([]);
      const keep = status >= 307;
      expect(result.records).toEqual([{ id: 1, method: keep ? 'POST' : 'GET', body: keep ? '{"q":1}' : '', key: API_KEY }]);
    });

    it(`POST, ${status} to another origin: ${status >= 307 ? 'refused' : 'a GET without body or credentials'}`, async () => {
      const result = await run(manifest({ path: '/r', method: 'POST', params: `{ status: "${status}", to: other }`, body: '{ q: 1 }' }));
      expectNoSecretReached(other);
      if (status >= 307) {
        expect(other.requests).toEqual([]);
        expect(result.records).toEqual([]);
        expect(result.errors[0]).toMatch(
          new RegExp(`HTTP ${status} with a redirect to another origin \\(${other.url.replace(/[.]/g, '\\.')}\\); refusing to re-send the POST request`),
        );
      } else {
        expect(result.errors).toEqual([]);
        expect(other.requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual(['GET /final ']);
      }
    });
  }

  it('an API key in the query that the API copies into a cross-origin Location stays behind', async () => {
    const authenticator = AUTHENTICATORS['ApiKey query parameter'];
    const result = await run(manifest({ authenticator, path: '/r', params: `{ status: "302", to: other, keep_query: "1" }` }));
    expect(result.errors).toEqual([]);
    expect(api.requests[0]!.query.api_key).toBe(API_KEY);
    expect(other.requests[0]!.query).toEqual({ status: '302', to: 'other', keep_query: '1' });
    expectNoSecretReached(other);
  });

  it('PUT with a 302 to another origin keeps its method and body, so it is refused', async () => {
    const result = await run(manifest({ path: '/r', method: 'PUT', params: `{ status: "302", to: other }`, body: '{ q: 1 }' }));
    expect(other.requests).toEqual([]);
    expect(result.errors[0]).toMatch(/refusing to re-send the PUT request/);
  });

  it('a redirect loop ends after 10 hops with a clear error', async () => {
    const result = await run(manifest({ path: '/loop' }));
    expect(result.errors[0]).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/loop\?api_key=\*\*\*\*|redirected more than 10 times/);
    expect(result.errors[0]).toMatch(/redirected more than 10 times/);
    expect(api.requests.filter((r) => r.path === '/loop')).toHaveLength(11);
  });

  it('--show-http shows every hop, and --record stores every hop', async () => {
    const dir = join(tempFiles({}).dir, 'recording');
    const result = await run(manifest({ path: '/r', params: `{ status: "302", to: other }` }), { record: dir });
    const shown = result.events.map(describeHttpEvent).join('');
    expect(shown).toMatch(new RegExp(`→ GET ${api.url}/r\\?status=302&to=other`));
    expect(shown).toContain(`← 302`);
    expect(shown).toContain(`redirect to ${other.url}/final`);
    expect(shown).toContain(`→ GET ${other.url}/final`);
    for (const secret of SECRETS) expect(shown).not.toContain(secret);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    const hops = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
    expect(hops.map((h) => [h.request.url, h.response.status])).toEqual([
      [`${api.url}/r?status=302&to=other`, 302],
      [`${other.url}/final`, 200],
    ]);
  });
});

describe('token and login requests obey the same rules', () => {
  const oauth = (status: number) =>
    `{ type: OAuthAuthenticator, token_refresh_endpoint: "{{ config.base_url }}/oauth/token?status=${status}", client_id: client-1, client_secret: "{{ config.client_secret }}", grant_type: client_credentials }`;

  for (const status of [307, 308]) {
    it(`a ${status} from the OAuth token endpoint does not re-POST client_secret to another origin`, async () => {
      const result = await run(manifest({ authenticator: oauth(status) }));
      expect(other.requests).toEqual([]);
      expect(result.errors[0]).toMatch(/refusing to re-send the POST request/);
      expect(api.requests.filter((r) => r.path === '/items')).toEqual([]);
    });
  }

  for (const status of [301, 302, 303]) {
    it(`a ${status} from the OAuth token endpoint to another origin becomes a GET without the form`, async () => {
      await run(manifest({ authenticator: oauth(status) }));
      expect(other.requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual(['GET /token ']);
      expectNoSecretReached(other);
    });
  }

  it('a 307 from the session login endpoint does not re-POST the password to another origin', async () => {
    const authenticator =
      '{ type: SessionTokenAuthenticator, login_requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /login, http_method: POST, ' +
      'request_body_json: { username: "{{ config.username }}", password: "{{ config.password }}" } }, session_token_path: [result, sid], ' +
      'request_authentication: { type: ApiKey, inject_into: { type: RequestOption, inject_into: header, field_name: X-Session } } }';
    const result = await run(manifest({ authenticator }));
    expect(other.requests).toEqual([]);
    expect(result.errors[0]).toMatch(/refusing to re-send the POST request/);
  });
});
