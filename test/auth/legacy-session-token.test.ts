/**
 * LegacySessionTokenAuthenticator as Metabase uses it, through the real Source and HTTP stack:
 * a config token is validated and used; an invalid one (401 on validate) falls back to a
 * username/password login; no credentials at all is a config error.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Source } from '../../engine/source/source.js';
import type { Obj } from '../../engine/types.js';

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [cards] }
spec:
  connection_specification:
    type: object
    properties:
      instance_api_url: { type: string }
      username: { type: string }
      password: { type: string, airbyte_secret: true }
      session_token: { type: string, airbyte_secret: true }
streams:
  - type: DeclarativeStream
    name: cards
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['instance_api_url'] }}"
        http_method: GET
        path: card
        authenticator:
          type: LegacySessionTokenAuthenticator
          username: "{{ config['username'] }}"
          password: "{{ config['password'] }}"
          header: X-Metabase-Session
          session_token: "{{ config['session_token'] }}"
          session_token_response_key: id
          login_url: session
          validate_session_url: user/current
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
`;

interface Seen {
  method: string;
  path: string;
  session: string | null;
  body: string;
}
const seen: Seen[] = [];
const VALID = new Set(['cfg-token', 'login-token']);
const server = setupServer(
  http.all('http://mb.test/api/*', async ({ request }) => {
    const url = new URL(request.url);
    const s = { method: request.method, path: url.pathname, session: request.headers.get('x-metabase-session'), body: await request.text() };
    seen.push(s);
    if (s.method === 'POST' && s.path === '/api/session') {
      const creds = JSON.parse(s.body) as Obj;
      return creds.password === 'pw' ? HttpResponse.json({ id: 'login-token' }) : HttpResponse.json({ error: 'bad' }, { status: 400 });
    }
    if (!VALID.has(s.session ?? '')) return HttpResponse.json({ error: 'unauthenticated' }, { status: 401 });
    if (s.path === '/api/user/current') return HttpResponse.json({ id: 1 });
    if (s.path === '/api/card') return HttpResponse.json([{ id: 10 }, { id: 11 }]);
    return HttpResponse.json({}, { status: 404 });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  seen.length = 0;
});
afterAll(() => server.close());

async function read(config: Obj): Promise<{ records: Obj[]; errors: string[] }> {
  const source = await Source.fromText(MANIFEST, 'metabase.yaml', { logLevel: 'ERROR', backoffScale: 0 });
  const out = { records: [] as Obj[], errors: [] as string[] };
  for await (const m of source.read({ instance_api_url: 'http://mb.test/api/', ...config })) {
    const msg = m as unknown as { type: string; record?: { data: Obj }; trace?: { error?: { message: string } } };
    if (msg.type === 'RECORD') out.records.push(msg.record!.data);
    if (msg.type === 'TRACE' && msg.trace?.error) out.errors.push(msg.trace.error.message);
  }
  return out;
}

describe('LegacySessionTokenAuthenticator', () => {
  it('uses a valid session token from config after validating it', async () => {
    const out = await read({ session_token: 'cfg-token' });
    expect(out.records).toEqual([{ id: 10 }, { id: 11 }]);
    expect(seen.map((s) => `${s.method} ${s.path} ${s.session}`)).toEqual(['GET /api/user/current cfg-token', 'GET /api/card cfg-token']);
  });

  it('logs in with username/password when the config token is rejected', async () => {
    const out = await read({ session_token: 'expired', username: 'ann', password: 'pw' });
    expect(out.errors).toEqual([]);
    expect(out.records).toHaveLength(2);
    expect(seen.map((s) => `${s.method} ${s.path} ${s.session}`)).toEqual([
      'GET /api/user/current expired',
      'POST /api/session null',
      'GET /api/user/current login-token',
      'GET /api/card login-token',
    ]);
    expect(JSON.parse(seen[1]!.body)).toEqual({ username: 'ann', password: 'pw' });
  });

  it('fails with a config error when there is no valid token and no credentials', async () => {
    const out = await read({ session_token: 'expired' });
    expect(out.records).toEqual([]);
    expect(out.errors.some((e) => /Invalid credentials/.test(e))).toBe(true);
  });

  it('check reports the failed login without leaking the password', async () => {
    const source = await Source.fromText(MANIFEST, 'metabase.yaml', { logLevel: 'ERROR', backoffScale: 0 });
    const result = await source.check({ instance_api_url: 'http://mb.test/api/', username: 'ann', password: 'wrong-password' });
    expect(result.status).toBe('FAILED');
    expect(result.message).not.toContain('wrong-password');
    expect(seen.some((s) => s.method === 'POST' && s.path === '/api/session')).toBe(true);
  });
});
