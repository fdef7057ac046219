import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Destination } from '../../engine/destination/destination.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import type { Obj } from '../../engine/types.js';
import { preloadComponents } from './preload-components.js';

await preloadComponents();

const BASE = 'https://clazar.test';
const MANIFEST = join(process.cwd(), 'manifests/clazar-destination.yaml');
const baseConfig = { client_id: 'cid-123', client_secret: 'csecret-456', api_base_url: BASE };

interface Received {
  method: string;
  path: string;
  auth: string | null;
  headers: Headers;
  body: unknown;
}
let received: Received[] = [];
let tokenRequests: string[] = [];
let reply: (r: Received, n: number) => Response = () => HttpResponse.json({ ok: true }, { status: 200 });

const server = setupServer(
  http.post(`${BASE}/authenticate/`, async ({ request }) => {
    tokenRequests.push(await request.text());
    return HttpResponse.json({ access_token: 'token-abc', expires_in: 3600 });
  }),
  http.all(`${BASE}/*`, async ({ request }) => {
    const text = await request.text();
    const r: Received = {
      method: request.method,
      path: new URL(request.url).pathname + new URL(request.url).search,
      auth: request.headers.get('authorization'),
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    received.push(r);
    return reply(r, received.length);
  }),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  received = [];
  tokenRequests = [];
  reply = () => HttpResponse.json({ ok: true }, { status: 200 });
});
afterAll(() => server.close());

function catalogOf(...names: string[]): ConfiguredAirbyteCatalog {
  return { streams: names.map((name) => ({ stream: { name }, sync_mode: 'full_refresh' as const, destination_sync_mode: 'append' })) };
}
const rec = (stream: string, data: Obj): Obj => ({ type: 'RECORD', record: { stream, data, emitted_at: 1 } });
const state = (n: number): Obj => ({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'x' }, stream_state: { n } } } });

async function run(config: Obj, catalog: ConfiguredAirbyteCatalog, messages: Obj[], dryRun = false): Promise<AirbyteMessage[]> {
  const destination = await Destination.fromFile(MANIFEST, { backoffScale: 0.0001, allowPaths: [tmpdir()] });
  const out: AirbyteMessage[] = [];
  async function* input(): AsyncGenerator<unknown> {
    yield* messages;
  }
  for await (const m of destination.write({ ...baseConfig, ...config }, catalog, input(), { dryRun })) out.push(m);
  return out;
}
const errorsOf = (out: AirbyteMessage[]) => out.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => JSON.stringify(m));
const statesOf = (out: AirbyteMessage[]) => out.filter((m) => m.type === 'STATE').length;

describe('Clazar destination against a mock Clazar API', () => {
  it('sends every operation with the right method, URL, bearer token and body', async () => {
    const ops = ['create_listing', 'update_listing', 'create_opportunity', 'update_opportunity', 'create_private_offer', 'update_private_offer', 'publish_private_offer', 'delete_private_offer'];
    const out = await run({}, catalogOf(...ops), ops.map((op) => rec(op, { id: `${op}-1`, title: 'T' })));
    expect(errorsOf(out)).toEqual([]);
    expect(received.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/listings', { id: 'create_listing-1', title: 'T' }],
      ['PUT', '/listings/update_listing-1', { title: 'T' }],
      ['POST', '/opportunities', { id: 'create_opportunity-1', title: 'T' }],
      ['PUT', '/opportunities/update_opportunity-1', { title: 'T' }],
      ['POST', '/private_offers', { id: 'create_private_offer-1', title: 'T' }],
      ['PUT', '/private_offers/update_private_offer-1', { title: 'T' }],
      ['POST', '/private_offers/publish_private_offer-1/publish', undefined],
      ['DELETE', '/private_offers/delete_private_offer-1', undefined],
    ]);
    expect(new Set(received.map((r) => r.auth))).toEqual(new Set(['Bearer token-abc']));
    expect(tokenRequests).toHaveLength(1);
    expect(new URLSearchParams(tokenRequests[0]).get('grant_type')).toBe('client_credentials');
    expect(received.filter((r) => r.body !== undefined).every((r) => r.headers.get('content-type')?.startsWith('application/json'))).toBe(true);
  });

  it('manual mode: method, path with id, extra headers, exclusions and wrapped batches from config', async () => {
    const manual = {
      enabled: true, streams: 'offers', method: 'PUT', path: '/private_offers', id_field: 'offer_id',
      headers: 'X-Team:sales,X-Trace:t1', exclude_fields: 'internal,offer_id',
    };
    await run({ operations_enabled: false, manual }, catalogOf('offers'), [rec('offers', { offer_id: 'o/1', name: 'A', internal: 1 })]);
    expect(received.map((r) => [r.method, r.path, r.body, r.headers.get('x-team'), r.headers.get('x-trace')])).toEqual([
      ['PUT', '/private_offers/o%2F1', { name: 'A' }, 'sales', 't1'],
    ]);
  });

  it('manual mode batching: wrap with extra properties, and JSONata grouping', async () => {
    const wrap = { enabled: true, streams: 'offers', method: 'POST', path: '/listings', batching: true, batch_size: 2, batch_property: 'listings', batch_extra: '{"source":"manifold"}' };
    await run({ operations_enabled: false, manual: wrap }, catalogOf('offers'), [1, 2, 3].map((n) => rec('offers', { n })));
    expect(received.map((r) => r.body)).toEqual([{ source: 'manifold', listings: [{ n: 1 }, { n: 2 }] }, { source: 'manifold', listings: [{ n: 3 }] }]);
    received = [];
    const code = { ...wrap, batch_size: 10, batch_jsonata: '{"total": $sum(n), "items": $}' };
    await run({ operations_enabled: false, manual: code }, catalogOf('offers'), [1, 2, 3].map((n) => rec('offers', { n })));
    expect(received.map((r) => r.body)).toEqual([{ total: 6, items: [{ n: 1 }, { n: 2 }, { n: 3 }] }]);
  });

  it('dry run sends nothing — not even the token request — and masks secrets', async () => {
    tokenRequests = [];
    const out = await run({}, catalogOf('update_listing'), [rec('update_listing', { id: 'L1', title: 'T' })], true);
    expect(received).toEqual([]);
    expect(tokenRequests).toEqual([]);
    const dry = out.filter((m) => m.type === 'LOG' && m.log.message.startsWith('DRY RUN')).map((m) => JSON.stringify(m));
    expect(dry).toHaveLength(1);
    expect(dry[0]).toContain('/listings/L1');
    expect(JSON.stringify(out)).not.toMatch(/token-abc|csecret-456/);
  });

  it('echoes no STATE for records after a failure (stop mode)', async () => {
    reply = (r) => (r.path.endsWith('/L2') ? HttpResponse.json({ detail: 'invalid' }, { status: 400 }) : HttpResponse.json({}, { status: 200 }));
    const out = await run({}, catalogOf('update_listing'), [rec('update_listing', { id: 'L1' }), state(1), rec('update_listing', { id: 'L2' }), state(2), rec('update_listing', { id: 'L3' }), state(3)]);
    expect(statesOf(out)).toBe(1);
    expect(received.map((r) => r.path)).toEqual(['/listings/L1', '/listings/L2']);
    expect(JSON.parse(errorsOf(out)[0]!).trace.error.message).toMatch(/^Operation update_listing failed for stream "update_listing", record "L2": .*400/);
  });

  it('dead_letter mode keeps going and writes the failed record; responses are captured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clazar-'));
    const dead = join(dir, 'dead.jsonl');
    const capture = join(dir, 'capture.jsonl');
    reply = (r) => (r.path.endsWith('/L2') ? HttpResponse.json({ detail: 'invalid' }, { status: 400 }) : HttpResponse.json({ id: r.path }, { status: 200 }));
    const out = await run({ on_failure: 'dead_letter', dead_letter_path: dead, response_capture_path: capture }, catalogOf('update_listing'), [
      rec('update_listing', { id: 'L1' }), rec('update_listing', { id: 'L2' }), rec('update_listing', { id: 'L3' }), state(1),
    ]);
    expect(statesOf(out)).toBe(1);
    expect(readFileSync(dead, 'utf8').trim().split('\n').map((l) => JSON.parse(l).key)).toEqual(['L2']);
    const captured = readFileSync(capture, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(captured).toEqual([
      { operation: 'update_listing', stream: 'update_listing', status: 200, key: 'L1', body: { id: '/listings/L1' } },
      { operation: 'update_listing', stream: 'update_listing', status: 200, key: 'L3', body: { id: '/listings/L3' } },
    ]);
  });

  it('captures responses to a webhook: one POST per response, secrets masked', async () => {
    const hooked: unknown[] = [];
    server.use(
      http.post('https://hooks.test/capture', async ({ request }) => {
        hooked.push(await request.json());
        return HttpResponse.json({ ok: true });
      }),
    );
    reply = (r) => HttpResponse.json({ id: r.path, echoed_secret: 'csecret-456' }, { status: 201 });
    const out = await run({ response_capture_webhook: 'https://hooks.test/capture' }, catalogOf('update_listing'), [
      rec('update_listing', { id: 'L1' }), rec('update_listing', { id: 'L2' }), state(1),
    ]);
    expect(statesOf(out)).toBe(1);
    expect(hooked).toEqual([
      { operation: 'update_listing', stream: 'update_listing', status: 201, key: 'L1', body: { id: '/listings/L1', echoed_secret: '****' } },
      { operation: 'update_listing', stream: 'update_listing', status: 201, key: 'L2', body: { id: '/listings/L2', echoed_secret: '****' } },
    ]);
  });

  it('does not retry a POST create after a 500 or a connection reset, but retries a PUT', async () => {
    reply = (_r, n) => (n === 1 ? HttpResponse.json({}, { status: 500 }) : HttpResponse.json({}, { status: 200 }));
    let out = await run({}, catalogOf('create_listing'), [rec('create_listing', { title: 'A' })]);
    expect(received.map((r) => r.method)).toEqual(['POST']);
    expect(errorsOf(out)).toHaveLength(1);

    received = [];
    reply = (_r, n) => (n === 1 ? HttpResponse.error() : HttpResponse.json({}, { status: 200 }));
    out = await run({}, catalogOf('create_listing'), [rec('create_listing', { title: 'A' })]);
    expect(received.map((r) => r.method)).toEqual(['POST']);
    expect(errorsOf(out)).toHaveLength(1);

    received = [];
    reply = (_r, n) => (n === 1 ? HttpResponse.json({}, { status: 500 }) : HttpResponse.json({}, { status: 200 }));
    out = await run({}, catalogOf('update_listing'), [rec('update_listing', { id: 'L1' })]);
    expect(received.map((r) => r.method)).toEqual(['PUT', 'PUT']);
    expect(errorsOf(out)).toEqual([]);
  });
});

describe('Clazar destination manifest', () => {
  it('loads, and builds every operation for the default config', async () => {
    const destination = await Destination.fromFile(MANIFEST);
    expect(destination.operationNames()).toEqual([
      'create_listing', 'update_listing', 'create_opportunity', 'update_opportunity',
      'create_private_offer', 'update_private_offer', 'publish_private_offer', 'delete_private_offer', 'manual',
    ]);
    expect(destination.spec().connectionSpecification.required).toEqual(['client_id', 'client_secret']);
  });
});

describe('Clazar destination manifest routing (fake requester, no HTTP layer needed)', () => {
  let sentRequests: typeof import('./fake-requester.js').sent;
  let destination: Destination;
  beforeAll(async () => {
    const fake = await import('./fake-requester.js');
    sentRequests = fake.sent;
    fake.installFakeRequester();
    const { parse } = await import('yaml');
    const manifest = parse(readFileSync(MANIFEST, 'utf8')) as Obj;
    (manifest.definitions as Obj).requester = { type: 'CustomRequester', class_name: 'fake', url_base: BASE };
    delete manifest.api_budget;
    destination = await Destination.fromObject(manifest);
  });
  afterEach(async () => (await import('./fake-requester.js')).resetFake());

  async function write(config: Obj, catalog: ConfiguredAirbyteCatalog, messages: Obj[]): Promise<AirbyteMessage[]> {
    const out: AirbyteMessage[] = [];
    async function* input(): AsyncGenerator<unknown> {
      yield* messages;
    }
    for await (const m of destination.write({ ...baseConfig, ...config }, catalog, input())) out.push(m);
    return out;
  }

  it('maps each operation stream to its method and path, with POST creates non-idempotent', async () => {
    const ops = ['create_listing', 'update_listing', 'publish_private_offer', 'delete_private_offer'];
    const out = await write({}, catalogOf(...ops), ops.map((op) => rec(op, { id: 'a b', title: 'T' })));
    expect(errorsOf(out)).toEqual([]);
    expect(sentRequests.map((s) => [s.method, s.url, s.body, s.idempotent])).toEqual([
      ['POST', `${BASE}/listings`, { id: 'a b', title: 'T' }, false],
      ['PUT', `${BASE}/listings/a%20b`, { title: 'T' }, true],
      ['POST', `${BASE}/private_offers/a%20b/publish`, undefined, true],
      ['DELETE', `${BASE}/private_offers/a%20b`, undefined, true],
    ]);
  });

  it('manual mode takes method, path + id, headers, exclusions and batching from config', async () => {
    const manual = {
      enabled: true, streams: 'offers', method: 'PUT', path: '/private_offers', id_field: 'offer_id',
      headers: 'X-Team:sales', exclude_fields: 'internal', batching: true, batch_size: 2, batch_property: 'offers', batch_extra: '{"mode":"bulk"}',
    };
    const out = await write({ operations_enabled: false, manual }, catalogOf('offers', 'update_listing'), [
      rec('offers', { offer_id: 'o1', internal: 1 }), rec('offers', { offer_id: 'o2' }), rec('update_listing', { id: 'ignored' }),
    ]);
    expect(errorsOf(out)).toEqual([]);
    expect(sentRequests.map((s) => [s.method, s.url, s.headers, s.body])).toEqual([
      ['PUT', `${BASE}/private_offers/o1`, { 'X-Team': 'sales' }, { mode: 'bulk', offers: [{ offer_id: 'o1' }, { offer_id: 'o2' }] }],
    ]);
  });
});
