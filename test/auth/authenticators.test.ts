import { describe, it, expect } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import type { Authenticator, Requester } from '../../engine/contracts.js';
import { ManifoldError } from '../../engine/errors/manifold-error.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { build, makeServices } from '../http/support.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();

interface Seen {
  url: URL;
  headers: Headers;
  body: string;
}

function api(respond: (s: Seen) => Response = () => HttpResponse.json({ ok: true })): Seen[] {
  const seen: Seen[] = [];
  server.use(
    http.all('http://api.test/*', async ({ request }) => {
      const s = { url: new URL(request.url), headers: request.headers, body: await request.text() };
      seen.push(s);
      return respond(s);
    }),
  );
  return seen;
}

function tokenEndpoint(respond: (form: URLSearchParams, n: number) => Response): URLSearchParams[] {
  const calls: URLSearchParams[] = [];
  server.use(
    http.post('http://auth.test/token', async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      calls.push(form);
      return respond(form, calls.length);
    }),
  );
  return calls;
}

const send = (r: Requester) => r.send({ stream: 's', slice: makeSlice(), nextPageToken: undefined, extra: [] });
const requesterWith = (authenticator: Obj, config: Obj, services = makeServices()) =>
  build<Requester>({ type: 'HttpRequester', url_base: 'http://api.test', path: 'items', authenticator }, config, services);

describe('static authenticators', () => {
  it('ApiKeyAuthenticator injects into a header or a query parameter; the old header field works', async () => {
    const seen = api();
    await send(
      requesterWith(
        {
          type: 'ApiKeyAuthenticator',
          api_token: 'Token {{ config.key }}',
          inject_into: { type: 'RequestOption', inject_into: 'header', field_name: 'X-Api-Key' },
        },
        { key: 'k-1234' },
      ),
    );
    await send(
      requesterWith(
        {
          type: 'ApiKeyAuthenticator',
          api_token: '{{ config.key }}',
          inject_into: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'apikey' },
        },
        { key: 'k-1234' },
      ),
    );
    await send(requesterWith({ type: 'ApiKeyAuthenticator', api_token: '{{ config.key }}', header: 'Auth' }, { key: 'k-1234' }));
    expect(seen[0]!.headers.get('x-api-key')).toBe('Token k-1234');
    expect(seen[1]!.url.searchParams.get('apikey')).toBe('k-1234');
    expect(seen[2]!.headers.get('auth')).toBe('k-1234');
  });

  it('BearerAuthenticator and BasicHttpAuthenticator (empty password allowed); NoAuth sends nothing', async () => {
    const seen = api();
    const services = makeServices();
    await send(requesterWith({ type: 'BearerAuthenticator', api_token: '{{ config.token }}' }, { token: 'tok-9999' }, services));
    await send(requesterWith({ type: 'BasicHttpAuthenticator', username: '{{ config.key }}' }, { key: 'user-1' }, services));
    await send(requesterWith({ type: 'NoAuth' }, {}));
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer tok-9999');
    expect(seen[1]!.headers.get('authorization')).toBe(`Basic ${Buffer.from('user-1:').toString('base64')}`);
    expect(seen[2]!.headers.get('authorization')).toBeNull();
    expect(services.secrets.mask('tok-9999 user-1')).toBe('**** ****');
  });

  it('an empty token is used as rendered (as the CDK does), with one WARN naming the field', async () => {
    api();
    const services = makeServices();
    const auth = build<Authenticator>({ type: 'BearerAuthenticator', api_token: '{{ config.token }}' }, {}, services);
    expect(await auth.authOptions()).toEqual({ headers: { Authorization: 'Bearer ' } });
    expect(await auth.authOptions()).toEqual({ headers: { Authorization: 'Bearer ' } });
    const basic = build<Authenticator>({ type: 'BasicHttpAuthenticator', username: '{{ config.user }}' }, {}, services);
    expect(await basic.authOptions()).toEqual({ headers: { Authorization: `Basic ${Buffer.from(':').toString('base64')}` } });
    expect(services.logs.filter((l) => l.level === 'WARN').map((l) => l.message)).toEqual([
      expect.stringMatching(/api_token rendered empty/),
      expect.stringMatching(/username rendered empty/),
    ]);
    // Nothing empty or constant became a secret that would mask ordinary text.
    expect(services.secrets.mask('Og== Bearer')).toBe('Og== Bearer');
  });

  it('SelectiveAuthenticator builds the authenticator the config selects', async () => {
    const seen = api();
    const node = {
      type: 'SelectiveAuthenticator',
      authenticator_selection_path: ['credentials', 'auth_type'],
      authenticators: {
        token: { type: 'BearerAuthenticator', api_token: '{{ config.credentials.token }}' },
        basic: { type: 'BasicHttpAuthenticator', username: '{{ config.credentials.user }}' },
      },
    };
    await send(requesterWith(node, { credentials: { auth_type: 'token', token: 'abcd-1' } }));
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer abcd-1');
    expect(() => build(node, { credentials: { auth_type: 'nope' } })).toThrow(/must be one of: token, basic/);
  });
});

describe('OAuthAuthenticator', () => {
  const oauth = (extra: Obj = {}): Obj => ({
    type: 'OAuthAuthenticator',
    token_refresh_endpoint: 'http://auth.test/token',
    client_id: '{{ config.client_id }}',
    client_secret: '{{ config.client_secret }}',
    refresh_token: '{{ config.refresh_token }}',
    ...extra,
  });
  const config = () => ({ client_id: 'cid', client_secret: 'csecret-1', refresh_token: 'rtok-1' });

  it('refresh_token grant: form POST, Bearer token, cached and shared across streams and concurrent requests', async () => {
    const calls = tokenEndpoint(() => HttpResponse.json({ access_token: 'atok-1', expires_in: 3600 }));
    const seen = api();
    const services = makeServices();
    const cfg = config();
    const streamA = requesterWith(oauth({ scopes: ['read', 'write'] }), cfg, services);
    const streamB = requesterWith(oauth({ scopes: ['read', 'write'] }), cfg, services);
    await Promise.all([send(streamA), send(streamA), send(streamB), send(streamB)]);
    await send(streamB);
    expect(calls).toHaveLength(1);
    expect(Object.fromEntries(calls[0]!)).toEqual({
      grant_type: 'refresh_token',
      client_id: 'cid',
      client_secret: 'csecret-1',
      refresh_token: 'rtok-1',
      scopes: 'write',
    });
    expect(calls[0]!.getAll('scopes')).toEqual(['read', 'write']);
    expect(seen).toHaveLength(5);
    expect(seen.every((s) => s.headers.get('authorization') === 'Bearer atok-1')).toBe(true);
    expect(services.secrets.mask('atok-1 csecret-1 rtok-1')).toBe('**** **** ****');
  });

  it('client_credentials grant with custom names and a nested token; no refresh_token sent', async () => {
    const calls = tokenEndpoint(() => HttpResponse.json({ data: { token: 'atok-cc', ttl: 60 } }));
    const seen = api();
    await send(
      requesterWith(
        oauth({
          grant_type: 'client_credentials',
          access_token_name: 'token',
          expires_in_name: 'ttl',
          client_id_name: 'app_id',
          refresh_request_body: { audience: 'api' },
        }),
        config(),
      ),
    );
    expect(Object.fromEntries(calls[0]!)).toEqual({ grant_type: 'client_credentials', app_id: 'cid', client_secret: 'csecret-1', audience: 'api' });
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer atok-cc');
  });

  it('refreshes an expired token', async () => {
    const calls = tokenEndpoint((_f, n) => HttpResponse.json({ access_token: `atok-${n}`, expires_in: 0 }));
    const seen = api();
    const r = requesterWith(oauth(), config());
    await send(r);
    await send(r);
    expect(calls).toHaveLength(2);
    expect(seen.map((s) => s.headers.get('authorization'))).toEqual(['Bearer atok-1', 'Bearer atok-2']);
  });

  it('on 401 drops the cached token, refreshes once and retries', async () => {
    const calls = tokenEndpoint((_f, n) => HttpResponse.json({ access_token: `atok-${n}`, expires_in: 3600 }));
    const seen = api((s) => (s.headers.get('authorization') === 'Bearer atok-1' ? new HttpResponse('expired', { status: 401 }) : HttpResponse.json({ ok: 1 })));
    const response = await send(requesterWith(oauth(), config()));
    expect(response?.json()).toEqual({ ok: 1 });
    expect(calls).toHaveLength(2);
    expect(seen.map((s) => s.headers.get('authorization'))).toEqual(['Bearer atok-1', 'Bearer atok-2']);
  });

  it('a refused refresh is a config error without leaking secrets', async () => {
    tokenEndpoint(() => HttpResponse.json({ error: 'invalid_grant', refresh_token: 'rtok-1' }, { status: 400 }));
    api();
    const error = await send(requesterWith(oauth(), config())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifoldError);
    expect((error as ManifoldError).failureType).toBe('config_error');
    expect((error as Error).message).toMatch(/check client_id, client_secret and refresh_token/);
    expect((error as Error).message).not.toMatch(/rtok-1|csecret-1/);
  });

  it('rotated refresh token: written to config, used next time and emitted as a CONNECTOR_CONFIG control message', async () => {
    const calls = tokenEndpoint((_f, n) => HttpResponse.json({ access_token: `atok-${n}`, refresh_token: `rtok-${n + 1}`, expires_in: 0 }));
    api();
    const services = makeServices();
    const cfg: Obj = { client_id: 'cid', client_secret: 'csecret-1', credentials: { refresh_token: 'rtok-1' } };
    const r = requesterWith(oauth({ refresh_token: '{{ config.credentials.refresh_token }}', refresh_token_updater: {} }), cfg, services);
    await send(r);
    await send(r);
    expect(calls.map((c) => c.get('refresh_token'))).toEqual(['rtok-1', 'rtok-2']);
    expect(services.emitted).toHaveLength(2);
    const control = services.emitted[1] as { type: string; control: { type: string; emitted_at: number; connectorConfig: { config: Obj } } };
    expect(control.type).toBe('CONTROL');
    expect(control.control.type).toBe('CONNECTOR_CONFIG');
    expect(typeof control.control.emitted_at).toBe('number');
    expect(control.control.connectorConfig.config).toMatchObject({ client_id: 'cid', credentials: { refresh_token: 'rtok-3', access_token: 'atok-2' } });
    expect(services.secrets.mask('rtok-3')).toBe('****');
  });

  it('access_token_value without an endpoint is used as is', async () => {
    const seen = api();
    await send(requesterWith({ type: 'OAuthAuthenticator', access_token_value: '{{ config.token }}' }, { token: 'static-tok' }));
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer static-tok');
  });
});

describe('SessionTokenAuthenticator', () => {
  it('logs in once, injects the token as an API key, and logs in again after a 401', async () => {
    const logins: Seen[] = [];
    server.use(
      http.post('http://login.test/session', async ({ request }) => {
        logins.push({ url: new URL(request.url), headers: request.headers, body: await request.text() });
        return HttpResponse.json({ data: { session: `sess-${logins.length}` } });
      }),
    );
    let rejectFirst = true;
    const seen = api((s) => {
      if (rejectFirst && s.headers.get('x-session') === 'sess-1' && seen.length === 2) {
        rejectFirst = false;
        return new HttpResponse('', { status: 401 });
      }
      return HttpResponse.json({ ok: 1 });
    });
    const services = makeServices();
    const r = requesterWith(
      {
        type: 'SessionTokenAuthenticator',
        login_requester: {
          type: 'HttpRequester',
          url_base: 'http://login.test',
          path: 'session',
          http_method: 'POST',
          request_body_json: { user: '{{ config.user }}', password: '{{ config.password }}' },
        },
        session_token_path: ['data', 'session'],
        expiration_duration: 'PT1H',
        request_authentication: { type: 'ApiKey', inject_into: { type: 'RequestOption', inject_into: 'header', field_name: 'X-Session' } },
      },
      { user: 'me', password: 'pw-secret' },
      services,
    );
    await send(r);
    await send(r);
    expect(logins).toHaveLength(2);
    expect(JSON.parse(logins[0]!.body)).toEqual({ user: 'me', password: 'pw-secret' });
    expect(seen.map((s) => s.headers.get('x-session'))).toEqual(['sess-1', 'sess-1', 'sess-2']);
    expect(services.secrets.mask('sess-2')).toBe('****');
  });
});
