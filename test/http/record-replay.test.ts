import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import type { Requester } from '../../engine/contracts.js';
import { createTransport } from '../../engine/http/transport.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { build, makeServices } from './support.js';

const server = setupServer();
const unhandled: string[] = [];
const dirs: string[] = [];
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:unhandled', ({ request }) => unhandled.push(request.url));
});
afterEach(() => {
  server.resetHandlers();
  expect(unhandled).toEqual([]);
});
afterAll(() => {
  server.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const config: Obj = { client_id: 'cid', client_secret: 'csecret-123', refresh_token: 'rtok-456', api_key: 'key-789' };
const manifestRequester = (services: ReturnType<typeof makeServices>) =>
  build<Requester>(
    {
      type: 'HttpRequester',
      url_base: 'http://api.test',
      path: 'items',
      request_parameters: { key: '{{ config.api_key }}' },
      authenticator: {
        type: 'OAuthAuthenticator',
        token_refresh_endpoint: 'http://auth.test/token',
        client_id: '{{ config.client_id }}',
        client_secret: '{{ config.client_secret }}',
        refresh_token: '{{ config.refresh_token }}',
      },
    },
    config,
    services,
  );
const page = (r: Requester, cursor?: string) =>
  r.send({ stream: 'items', slice: makeSlice(), nextPageToken: undefined, extra: cursor ? [{ params: { cursor } }] : [] });

describe('record / replay', () => {
  it('records exchanges without secrets and replays them (in order for identical requests) without a network', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifold-rec-'));
    dirs.push(dir);
    let served = 0;
    server.use(
      http.post('http://auth.test/token', () => HttpResponse.json({ access_token: 'atok-live-1', refresh_token: 'rtok-new', expires_in: 3600 })),
      http.get('http://api.test/items', ({ request }) => {
        served++;
        const cursor = new URL(request.url).searchParams.get('cursor');
        return HttpResponse.json({ data: [{ id: cursor ?? 'first', n: served }] });
      }),
    );
    const recording = makeServices({ transport: createTransport({ record: dir }) });
    const recorded = manifestRequester(recording);
    const live = [await page(recorded), await page(recorded, 'c2'), await page(recorded)].map((r) => r!.json());

    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(4);
    const all = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    for (const secret of ['csecret-123', 'rtok-456', 'key-789', 'atok-live-1', 'rtok-new']) expect(all).not.toContain(secret);
    const first = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
    expect(first.request).toMatchObject({ method: 'POST', url: 'http://auth.test/token' });
    expect(first.response.status).toBe(200);
    expect(JSON.parse(first.response.body)).toMatchObject({ access_token: '****', expires_in: 3600 });
    const second = JSON.parse(readFileSync(join(dir, files[1]!), 'utf8'));
    expect(second.request.url).toBe('http://api.test/items?key=****');
    expect(second.request.headers.Authorization).toBe('****');

    server.resetHandlers();
    server.use(
      http.all('*', () => {
        throw new Error('replay must not touch the network');
      }),
    );
    const replaying = makeServices({ transport: createTransport({ replay: dir }) });
    const replayed = manifestRequester(replaying);
    const again = [await page(replayed), await page(replayed, 'c2'), await page(replayed)].map((r) => r!.json());
    expect(again).toEqual(live);
    expect(again[0]).not.toEqual(again[2]);

    const error = await page(replayed, 'zzz').catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /No recorded response .*\n {2}GET http:\/\/api\.test\/items\?key=\*\*\*\*&cursor=zzz\nNearest recorded requests:\n {2}GET http:\/\/api\.test\/items\?key=\*\*\*\*&cursor=c2/,
    );
  });
});
