import { describe, it, expect } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import type { Requester } from '../../engine/contracts.js';
import { ManifoldError } from '../../engine/errors/manifold-error.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { build, makeServices } from './support.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();

interface Seen {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

function capture(respond: () => Response = () => HttpResponse.json({ ok: true })): Seen[] {
  const seen: Seen[] = [];
  server.use(
    http.all('http://api.test/*', async ({ request }) => {
      seen.push({ method: request.method, url: new URL(request.url), headers: request.headers, body: await request.text() });
      return respond();
    }),
  );
  return seen;
}

const args = (over: Partial<Parameters<Requester['send']>[0]> = {}) => ({
  stream: 'items',
  slice: makeSlice({ parent_id: 'p1' }, { start_time: '2024-01-01' }),
  nextPageToken: undefined,
  extra: [],
  ...over,
});

describe('HttpRequester', () => {
  it('sends interpolated path, params and headers, merging paginator/cursor contributions over its own', async () => {
    const seen = capture();
    const requester = build<Requester>(
      {
        type: 'HttpRequester',
        url_base: 'http://api.test/v1/',
        path: '/parents/{{ stream_slice.parent_id }}/items',
        request_parameters: { since: '{{ stream_slice.start_time }}', limit: 50, empty: '', gone: '{{ config.missing }}' },
        request_headers: { 'X-Account': '{{ config.account }}' },
      },
      { account: 'acme' },
    );
    const response = await requester.send(args({ extra: [{ params: { limit: 10, page: 2 } }, { headers: { 'X-Extra': 'yes' } }] }));
    expect(response?.status).toBe(200);
    expect(response?.json()).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    const s = seen[0]!;
    expect(s.method).toBe('GET');
    expect(s.url.pathname).toBe('/v1/parents/p1/items');
    expect(Object.fromEntries(s.url.searchParams)).toEqual({ since: '2024-01-01', limit: '10', page: '2' });
    expect(s.headers.get('x-account')).toBe('acme');
    expect(s.headers.get('x-extra')).toBe('yes');
  });

  it('sends JSON and form bodies on POST', async () => {
    const seen = capture();
    const get = build<Requester>(
      {
        type: 'HttpRequester',
        url_base: 'http://api.test',
        path: 'search',
        http_method: 'POST',
        request_body_json: { query: { size: 10 }, q: '{{ config.q }}' },
      },
      { q: 'x' },
    );
    await get.send(args({ extra: [{ bodyJson: { cursor: 'c1' } }] }));
    const post = build<Requester>({
      type: 'HttpRequester',
      url_base: 'http://api.test',
      path: 'form',
      http_method: 'POST',
      request_body_data: { a: 'b c', list: '[1,2]' },
    });
    await post.send(args());
    expect(seen[0]!.method).toBe('POST');
    expect(JSON.parse(seen[0]!.body)).toEqual({ query: { size: 10 }, q: 'x', cursor: 'c1' });
    expect(seen[0]!.headers.get('content-type')).toBe('application/json');
    expect(seen[1]!.method).toBe('POST');
    expect(seen[1]!.body).toBe('a=b+c&list=1&list=2');
    expect(seen[1]!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
  });

  it('supports request_body variants (GraphQL, plain text)', async () => {
    const seen = capture();
    const gql = build<Requester>({
      type: 'HttpRequester',
      url_base: 'http://api.test',
      path: 'graphql',
      http_method: 'POST',
      request_body: { type: 'RequestBodyGraphQL', value: { query: '{ items { id } }' } },
    });
    await gql.send(args());
    const text = build<Requester>(
      {
        type: 'HttpRequester',
        url_base: 'http://api.test',
        path: 'text',
        http_method: 'POST',
        request_body: { type: 'RequestBodyPlainText', value: 'hello {{ config.who }}' },
      },
      { who: 'world' },
    );
    await text.send(args());
    expect(JSON.parse(seen[0]!.body)).toEqual({ query: '{ items { id } }' });
    expect(seen[1]!.body).toBe('hello world');
  });

  it('uses a full next-page URL from RequestPath pagination in place of the whole URL', async () => {
    const seen = capture();
    const requester = build<Requester>({ type: 'HttpRequester', url_base: 'http://api.test/v1', path: 'items', request_parameters: { a: '1' } });
    await requester.send(args({ pathOverride: 'http://api.test/v1/items?cursor=abc' }));
    expect(seen[0]!.url.pathname).toBe('/v1/items');
    expect(seen[0]!.url.search).toBe('?cursor=abc&a=1');
  });

  it('keeps interpolated config values from escaping their path segment, and config and slice values from changing the host', async () => {
    const seen = capture();
    const requester = build<Requester>(
      { type: 'HttpRequester', url_base: 'http://api.test/v1', path: 'users/{{ config.user }}/items' },
      { user: '../admin?x=1#frag' },
    );
    await requester.send(args());
    expect(seen[0]!.url.pathname).toBe('/v1/users/..%2Fadmin%3Fx%3D1%23frag/items');
    expect(seen[0]!.url.search).toBe('');

    const dots = build<Requester>({ type: 'HttpRequester', url_base: 'http://api.test/v1', path: 'x/{{ config.id }}/y' }, { id: '..' });
    await expect(dots.send(args())).rejects.toThrow(/would change the path/);

    const host = build<Requester>({ type: 'HttpRequester', url_base: 'http://{{ config.sub }}.api.test/v1', path: 'x' }, { sub: 'evil.test/' });
    await expect(host.send(args())).rejects.toThrow(/not a valid host name/);
    const sliceHost = build<Requester>({ type: 'HttpRequester', url_base: 'http://{{ stream_partition.sub }}.api.test/v1', path: 'x' });
    await expect(sliceHost.send(args({ slice: makeSlice({ sub: 'evil.test/' }) }))).rejects.toThrow(/not a valid host name/);
    expect(seen).toHaveLength(1);
  });

  it('inserts an expression composing text around config values as rendered (the manifest author built it)', async () => {
    const seen = capture();
    const path = "{{ 'calendars/' ~ (config['calendarid'] | urlencode) if config.get('calendarid') else 'users/me/calendarList' }}";
    await build<Requester>({ type: 'HttpRequester', url_base: 'http://api.test/v1', path }, { calendarid: 'me@x.com' }).send(args());
    await build<Requester>({ type: 'HttpRequester', url_base: 'http://api.test/v1', path }, {}).send(args());
    expect(seen.map((s) => s.url.pathname)).toEqual(['/v1/calendars/me%40x.com', '/v1/users/me/calendarList']);
  });

  it('inserts partition values in the path as the CDK does (requests-style encoding); credentials stay on the url_base origin', async () => {
    const seen = capture();
    const services = makeServices();
    const requester = build<Requester>(
      {
        type: 'HttpRequester',
        url_base: 'http://api.test/v1',
        path: 'repos/{{ stream_partition.repository }}/issues',
        authenticator: { type: 'BearerAuthenticator', api_token: 'tok-1234' },
      },
      {},
      services,
    );
    // An `owner/repo` id adds a segment (GitHub-style); what a URL cannot hold is escaped, valid escapes stay.
    for (const repository of ['org/repo-a', 'a b[1]\\é', '%41b%2f', '50% off']) {
      await requester.send(args({ slice: makeSlice({ repository }) }));
    }
    expect(seen.map((s) => s.url.pathname)).toEqual([
      '/v1/repos/org/repo-a/issues',
      '/v1/repos/a%20b%5B1%5D%5C%C3%A9/issues',
      '/v1/repos/Ab%2F/issues',
      '/v1/repos/50%25%20off/issues',
    ]);
    expect(seen.every((s) => s.headers.get('authorization') === 'Bearer tok-1234')).toBe(true);

    // A partition value that makes the whole path another origin's URL gets no credentials.
    const foreign: Seen[] = [];
    server.use(
      http.all(
        'http://elsewhere.test/*',
        ({ request }) => (foreign.push({ method: request.method, url: new URL(request.url), headers: request.headers, body: '' }), HttpResponse.json({})),
      ),
    );
    const absolute = build<Requester>(
      {
        type: 'HttpRequester',
        url_base: 'http://api.test/v1',
        path: '{{ stream_partition.link }}',
        authenticator: { type: 'BearerAuthenticator', api_token: 'tok-1234' },
      },
      {},
      services,
    );
    await absolute.send(args({ slice: makeSlice({ link: 'http://elsewhere.test/steal' }) }));
    expect(foreign).toHaveLength(1);
    expect(foreign[0]!.headers.get('authorization')).toBeNull();
  });

  it('lets a config value be the whole base URL (self-hosted instances)', async () => {
    const seen = capture();
    const requester = build<Requester>({ type: 'HttpRequester', url_base: '{{ config.base_url }}/api', path: 'items' }, { base_url: 'http://api.test' });
    await requester.send(args());
    expect(seen[0]!.url.href).toBe('http://api.test/api/items');
  });

  it('reports a 200 response with an HTML body clearly when JSON is expected', async () => {
    capture(() => new HttpResponse('<html><body>Maintenance</body></html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    const requester = build<Requester>({ type: 'HttpRequester', url_base: 'http://api.test', path: 'items' });
    const response = await requester.send(args());
    let error: unknown;
    try {
      response!.json();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifoldError);
    expect((error as Error).message).toMatch(/not valid JSON \(text\/html\): <html><body>Maintenance/);
  });

  it('parses the Link header like python-requests', async () => {
    capture(() => HttpResponse.json([], { headers: { link: '<http://api.test/items?page=2>; rel="next", <http://api.test/items?page=9>; rel="last"' } }));
    const requester = build<Requester>({ type: 'HttpRequester', url_base: 'http://api.test', path: 'items' });
    const response = await requester.send(args());
    expect(response!.links()).toEqual({
      next: { url: 'http://api.test/items?page=2', rel: 'next' },
      last: { url: 'http://api.test/items?page=9', rel: 'last' },
    });
  });

  it('fires masked HTTP events', async () => {
    capture();
    const services = makeServices();
    const events: Obj[] = [];
    services.onHttp.push((e) => events.push(e as unknown as Obj));
    const requester = build<Requester>(
      {
        type: 'HttpRequester',
        url_base: 'http://api.test',
        path: 'items',
        authenticator: {
          type: 'ApiKeyAuthenticator',
          api_token: '{{ config.key }}',
          inject_into: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'api_key' },
        },
      },
      { key: 'sekret-123' },
      services,
    );
    await requester.send(args());
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain('sekret-123');
    expect(events[0]!.url).toBe('http://api.test/items?api_key=****');
    expect(events[0]!.status).toBe(200);
  });
});
