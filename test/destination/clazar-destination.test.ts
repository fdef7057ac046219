/**
 * The shipped Clazar destination against the msw mock of Clazar's write API
 * (test/vendors/clazar-write.mock.ts): every Endpoint template with the ID from the config and
 * from a record field, Manual mode, stream-name routing, failures, dry run and preview.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Destination } from '../../engine/destination/destination.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import type { Obj } from '../../engine/types.js';
import { createClazarWriteApi } from '../vendors/clazar-write.mock.js';
import { preloadComponents } from './preload-components.js';

await preloadComponents();

const MANIFEST = join(process.cwd(), 'manifests/clazar-destination.yaml');
let api = createClazarWriteApi();
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
function freshApi(): void {
  api = createClazarWriteApi();
  server.resetHandlers(...api.handlers);
}

const catalogOf = (...names: string[]): ConfiguredAirbyteCatalog => ({
  streams: names.map((name) => ({ stream: { name }, sync_mode: 'full_refresh' as const, destination_sync_mode: 'append' })),
});
const rec = (stream: string, data: Obj): Obj => ({ type: 'RECORD', record: { stream, data, emitted_at: 1 } });
const state = (n: number): Obj => ({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'hubspot_deals' }, stream_state: { n } } } });

async function run(config: Obj, messages: Obj[], options: { catalog?: ConfiguredAirbyteCatalog; dryRun?: boolean } = {}): Promise<AirbyteMessage[]> {
  const destination = await Destination.fromFile(MANIFEST, { backoffScale: 0.0001, allowPaths: [tmpdir()] });
  const out: AirbyteMessage[] = [];
  async function* input(): AsyncGenerator<unknown> {
    yield* messages;
  }
  const full = { ...api.credentials, ...config };
  for await (const m of destination.write(full, options.catalog ?? catalogOf('hubspot_deals'), input(), { dryRun: options.dryRun === true })) out.push(m);
  return out;
}
const errorsOf = (out: AirbyteMessage[]) =>
  out
    .filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR')
    .map((m) => (m as { trace: { error: { message: string; failure_type: string } } }).trace.error);
const statesOf = (out: AirbyteMessage[]) =>
  out.filter((m) => m.type === 'STATE').map((m) => (m as unknown as { state: { stream: { stream_state: unknown } } }).state.stream.stream_state);
const sent = () => api.calls().map((c) => [c.method, c.url.pathname, c.body ? JSON.parse(c.body) : undefined]);

describe('Clazar destination: Endpoint templates, ID from the config', () => {
  beforeAll(freshApi);
  const deal = { name: 'Acme deal', amount: 10, hubspot_owner: 'o-1' };
  const cases: Array<[string, Obj, string, string, unknown]> = [
    ['create_listing', {}, 'POST', '/listings', { name: 'Acme deal', amount: 10 }],
    ['update_listing', { listing_id: 'lst_01H8' }, 'PUT', '/listings/lst_01H8', { name: 'Acme deal', amount: 10 }],
    ['create_opportunity', {}, 'POST', '/opportunities', { name: 'Acme deal', amount: 10 }],
    ['update_opportunity', { opportunity_id: 'opp_1' }, 'PUT', '/opportunities/opp_1', { name: 'Acme deal', amount: 10 }],
    ['create_private_offer', {}, 'POST', '/private_offers', { name: 'Acme deal', amount: 10 }],
    ['update_private_offer', { private_offer_id: 'po_77' }, 'PUT', '/private_offers/po_77', { name: 'Acme deal', amount: 10 }],
    ['publish_private_offer', { private_offer_id: 'po_77' }, 'POST', '/private_offers/po_77/publish', { name: 'Acme deal', amount: 10 }],
    ['delete_private_offer', { private_offer_id: 'po_78' }, 'DELETE', '/private_offers/po_78', undefined],
  ];

  it.each(cases)('%s: any stream goes there, with the method, path and body the template says', async (endpointType, ids, method, path, body) => {
    api.log.clear();
    const out = await run({ endpoint: { endpoint_type: endpointType, ...ids, exclude_attributes: 'hubspot_owner' } }, [rec('hubspot_deals', deal), state(1)]);
    expect(errorsOf(out)).toEqual([]);
    expect(sent()).toEqual([[method, path, body]]);
    const call = api.calls()[0]!;
    expect(call.headers.authorization).toMatch(/^Bearer clz_write_token_\d+$/);
    if (body === undefined) {
      expect(call.body).toBe('');
      expect(call.headers['content-type']).toBeUndefined();
    } else {
      expect(call.headers['content-type']).toMatch(/^application\/json/);
    }
    expect(statesOf(out)).toEqual([{ n: 1 }]);
  });

  it('the API applied them: a listing created, an offer published, another deleted', () => {
    expect([...api.objects.listings.values()].some((l) => l.name === 'Acme deal')).toBe(true);
    expect(api.objects.private_offers.get('po_77')?.status).toBe('published');
    expect(api.objects.private_offers.has('po_78')).toBe(false);
  });
});

describe('Clazar destination: ID from a record field (bulk updates)', () => {
  beforeAll(freshApi);
  afterEach(() => api.log.clear());

  it.each([
    ['update_listing', 'PUT', ['/listings/lst_01H8', '/listings/lst_02K4']],
    ['update_private_offer', 'PUT', ['/private_offers/po_77', '/private_offers/po_78']],
    ['publish_private_offer', 'POST', ['/private_offers/po_77/publish', '/private_offers/po_78/publish']],
    ['delete_private_offer', 'DELETE', ['/private_offers/po_77', '/private_offers/po_78']],
  ])('%s sends each record to its own object', async (endpointType, method, paths) => {
    const ids = endpointType === 'update_listing' ? ['lst_01H8', 'lst_02K4'] : ['po_77', 'po_78'];
    const out = await run(
      { endpoint: { endpoint_type: endpointType, id_field: 'clazar_id', exclude_attributes: 'clazar_id' } },
      ids.map((id) => rec('hubspot_deals', { clazar_id: id, note: 'x' })),
    );
    expect(errorsOf(out)).toEqual([]);
    expect(api.calls().map((c) => [c.method, c.url.pathname])).toEqual(paths.map((p) => [method, p]));
    if (method !== 'DELETE') expect(api.calls().map((c) => JSON.parse(c.body))).toEqual([{ note: 'x' }, { note: 'x' }]);
  });

  it('update_opportunity: a record ID is one URL segment, whatever it contains', async () => {
    api.inject((e) => (e.method === 'PUT' ? HttpResponse.json({ ok: true }) : undefined));
    await run({ endpoint: { endpoint_type: 'update_opportunity', id_field: 'opp' } }, [rec('hubspot_deals', { opp: '../listings/x?y=1' })]);
    api.inject(undefined);
    expect(api.calls().map((c) => c.url.pathname + c.url.search)).toEqual(['/opportunities/..%2Flistings%2Fx%3Fy%3D1']);
  });

  it('a record without the ID field fails that record, named by its key, and nothing is sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clazar-'));
    const dead = join(dir, 'dead.jsonl');
    const out = await run({ endpoint: { endpoint_type: 'update_listing', id_field: 'clazar_id' }, on_failure: 'dead_letter', dead_letter_path: dead }, [
      rec('hubspot_deals', { title: 'no id' }),
      rec('hubspot_deals', { clazar_id: 'lst_01H8', title: 'ok' }),
      state(1),
    ]);
    expect(api.calls().map((c) => c.url.pathname)).toEqual(['/listings/lst_01H8']);
    expect(statesOf(out)).toEqual([{ n: 1 }]);
    const lines = readFileSync(dead, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.operation, l.record])).toEqual([['update_listing', { title: 'no id' }]]);
    expect(lines[0].error).toMatch(/no "clazar_id" value/);
  });

  it('refuses a config with the ID twice (ID and ID field) or not at all, before any request', async () => {
    let out = await run({ endpoint: { endpoint_type: 'update_listing', listing_id: 'lst_01H8', id_field: 'id' } }, [rec('hubspot_deals', { id: 'x' })]);
    expect(errorsOf(out).map((e) => [e.failure_type, e.message])).toEqual([['config_error', expect.stringMatching(/object ID is given twice/)]]);
    out = await run({ endpoint: { endpoint_type: 'publish_private_offer' } }, [rec('hubspot_deals', { id: 'x' })]);
    expect(errorsOf(out).map((e) => e.message)).toEqual([expect.stringMatching(/publish_private_offer needs the object's ID.*private_offer_id.*id_field/)]);
    expect(api.log.entries).toEqual([]);
  });
});

describe('Clazar destination: failures', () => {
  beforeAll(freshApi);
  afterEach(() => {
    api.inject(undefined);
    api.log.clear();
  });

  it('4xx in stop mode: error TRACE with method, URL, status and body; no STATE after it', async () => {
    const out = await run({ endpoint: { endpoint_type: 'update_listing', id_field: 'id' } }, [
      rec('hubspot_deals', { id: 'lst_01H8' }),
      state(1),
      rec('hubspot_deals', { id: 'lst_missing' }),
      state(2),
      rec('hubspot_deals', { id: 'lst_02K4' }),
      state(3),
    ]);
    expect(statesOf(out)).toEqual([{ n: 1 }]);
    expect(api.calls().map((c) => c.url.pathname)).toEqual(['/listings/lst_01H8', '/listings/lst_missing']);
    const [error] = errorsOf(out);
    expect(error!.message).toMatch(
      /^Operation update_listing failed for stream "hubspot_deals", record "lst_missing": PUT https:\/\/api\.clazar\.io\/listings\/lst_missing returned HTTP 404.*Not found/,
    );
  });

  it('5xx: an update (PUT) is retried, a create (POST) is not', async () => {
    let n = 0;
    api.inject((e) => (e.method !== 'GET' && ++n === 1 ? HttpResponse.json({ detail: 'boom' }, { status: 502 }) : undefined));
    let out = await run({ endpoint: { endpoint_type: 'update_private_offer', private_offer_id: 'po_77' } }, [rec('hubspot_deals', { terms: 'x' })]);
    expect(errorsOf(out)).toEqual([]);
    expect(api.calls().map((c) => c.method)).toEqual(['PUT', 'PUT']);

    api.log.clear();
    n = 0;
    out = await run({ endpoint: { endpoint_type: 'create_private_offer' } }, [rec('hubspot_deals', { terms: 'x' })]);
    expect(api.calls().map((c) => c.method)).toEqual(['POST']);
    expect(errorsOf(out)[0]!.message).toMatch(/HTTP 502.*not retried: POST is not idempotent/);
  });

  it('429: waits as Retry-After says and sends again, a create included (the server did not act)', async () => {
    let n = 0;
    // ratelimit-reset: 0.01 (s) ends the api_budget's pause at once (it would otherwise wait for its one-minute window).
    api.inject(() =>
      ++n === 1
        ? HttpResponse.json({ detail: 'Request was throttled.' }, { status: 429, headers: { 'retry-after': '2', 'ratelimit-reset': '0.01' } })
        : undefined,
    );
    const out = await run({ endpoint: { endpoint_type: 'create_listing' } }, [rec('hubspot_deals', { title: 'A' }), state(1)]);
    expect(errorsOf(out)).toEqual([]);
    expect(api.calls().map((c) => c.method)).toEqual(['POST', 'POST']);
    expect(statesOf(out)).toEqual([{ n: 1 }]);
    expect(out.some((m) => m.type === 'LOG' && /HTTP 429.*retrying in 0\.000s/.test(m.log.message))).toBe(true);
  });

  it('dead_letter: the failed record is parked, the next ones written and the STATE echoed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clazar-'));
    const dead = join(dir, 'dead.jsonl');
    const capture = join(dir, 'capture.jsonl');
    const out = await run(
      { endpoint: { endpoint_type: 'update_listing', id_field: 'id' }, on_failure: 'dead_letter', dead_letter_path: dead, response_capture_path: capture },
      [
        rec('hubspot_deals', { id: 'lst_01H8', title: 'a' }),
        rec('hubspot_deals', { id: 'nope', title: 'b' }),
        rec('hubspot_deals', { id: 'lst_02K4', title: 'c' }),
        state(1),
      ],
    );
    expect(statesOf(out)).toEqual([{ n: 1 }]);
    expect(
      readFileSync(dead, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).key),
    ).toEqual(['nope']);
    const captured = readFileSync(capture, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(captured.map((c) => [c.operation, c.stream, c.status, c.key, c.body?.title ?? c.body?.detail])).toEqual([
      ['update_listing', 'hubspot_deals', 200, 'lst_01H8', 'a'],
      ['update_listing', 'hubspot_deals', 404, 'nope', 'Not found.'],
      ['update_listing', 'hubspot_deals', 200, 'lst_02K4', 'c'],
    ]);
  });
});

describe('Clazar destination: Manual', () => {
  beforeAll(freshApi);
  afterEach(() => {
    api.inject(undefined);
    api.log.clear();
  });
  const manual = (settings: Obj): Obj => ({ endpoint: { endpoint_type: 'manual', ...settings } });

  it('method, URL with the ID at the end, request headers and excluded attributes', async () => {
    const out = await run(
      manual({
        method: 'PUT',
        url: 'https://api.clazar.io/private_offers/po_77',
        request_headers: 'X-Team:sales, X-Trace:t1',
        exclude_attributes: 'internal,secret_note',
      }),
      [rec('hubspot_deals', { terms: 'net 30', internal: 1, secret_note: 'n' })],
    );
    expect(errorsOf(out)).toEqual([]);
    expect(sent()).toEqual([['PUT', '/private_offers/po_77', { terms: 'net 30' }]]);
    const h = api.calls()[0]!.headers;
    expect([h['x-team'], h['x-trace'], h['content-type']?.split(';')[0], h.authorization?.startsWith('Bearer ')]).toEqual([
      'sales',
      't1',
      'application/json',
      true,
    ]);
  });

  it('a path instead of a full URL, with the ID taken from each record (ID Field); DELETE has no body', async () => {
    const out = await run(manual({ method: 'DELETE', url: '/private_offers', id_field: 'offer' }), [
      rec('hubspot_deals', { offer: 'po_77' }),
      rec('hubspot_deals', { offer: 'po_78' }),
    ]);
    expect(errorsOf(out)).toEqual([]);
    expect(sent()).toEqual([
      ['DELETE', '/private_offers/po_77', undefined],
      ['DELETE', '/private_offers/po_78', undefined],
    ]);
  });

  it('Authorization or Content-Type in Request Headers is refused, nothing is sent', async () => {
    for (const headers of ['Authorization:Bearer mine', 'X-Ok:1,content-type:text/plain']) {
      const out = await run(manual({ method: 'POST', url: '/listings', request_headers: headers }), [rec('hubspot_deals', { a: 1 })]);
      expect(errorsOf(out).map((e) => [e.failure_type, e.message])).toEqual([
        ['config_error', expect.stringMatching(/request_headers: the (Authorization|Content-Type) header is set by the connector/)],
      ]);
      expect(JSON.stringify(out)).not.toContain('Bearer mine');
    }
    expect(api.log.entries).toEqual([]);
  });

  it('a URL outside the Clazar API is refused before the token request, so credentials never go there', async () => {
    const out = await run(manual({ method: 'POST', url: 'https://evil.example/collect' }), [rec('hubspot_deals', { a: 1 })]);
    expect(errorsOf(out).map((e) => e.message)).toEqual([expect.stringMatching(/"https:\/\/evil\.example\/collect" is not under "https:\/\/api\.clazar\.io"/)]);
    expect(api.log.entries).toEqual([]);
  });

  it('Record Batching, Property inside JSON object: Batch Size records per request, with the other props', async () => {
    api.inject((e) => (e.url.pathname === '/private_offers/bulk' ? HttpResponse.json({ ok: true }) : undefined));
    const out = await run(
      manual({
        method: 'POST',
        url: '/private_offers/bulk',
        record_batching: true,
        batch_size: 2,
        grouping_algorithm: { algorithm: 'property', property_name: 'offers', other_props: '{"source":"hubspot"}' },
      }),
      [1, 2, 3].map((n) => rec('hubspot_deals', { n })).concat([state(1)]),
    );
    expect(errorsOf(out)).toEqual([]);
    expect(sent()).toEqual([
      ['POST', '/private_offers/bulk', { source: 'hubspot', offers: [{ n: 1 }, { n: 2 }] }],
      ['POST', '/private_offers/bulk', { source: 'hubspot', offers: [{ n: 3 }] }],
    ]);
    expect(statesOf(out)).toEqual([{ n: 1 }]);
  });

  it('Record Batching, Code: a JSONata expression over the batch; Batch Size defaults to 100', async () => {
    api.inject((e) => (e.url.pathname === '/bulk' ? HttpResponse.json({ ok: true }) : undefined));
    const records = Array.from({ length: 101 }, (_, i) => rec('hubspot_deals', { n: i + 1 }));
    const out = await run(
      manual({ method: 'POST', url: '/bulk', record_batching: true, grouping_algorithm: { algorithm: 'code', code: '{"count": $count($), "first": $[0].n}' } }),
      records,
    );
    expect(errorsOf(out)).toEqual([]);
    expect(sent().map((s) => s[2])).toEqual([
      { count: 100, first: 1 },
      { count: 1, first: 101 },
    ]);
  });

  it('without Record Batching each record is its own request', async () => {
    const out = await run(manual({ method: 'POST', url: '/listings', batch_size: 50 }), [
      rec('hubspot_deals', { title: 'a' }),
      rec('hubspot_deals', { title: 'b' }),
    ]);
    expect(errorsOf(out)).toEqual([]);
    expect(sent()).toEqual([
      ['POST', '/listings', { title: 'a' }],
      ['POST', '/listings', { title: 'b' }],
    ]);
  });
});

describe('Clazar destination: routing by stream name (advanced)', () => {
  beforeAll(freshApi);

  it('each stream goes to the template named like it, with IDs from the ID Field; other streams are not written', async () => {
    const out = await run(
      { endpoint: { endpoint_type: 'stream_routing', id_field: 'id', exclude_attributes: 'id' } },
      [
        rec('create_listing', { title: 'New' }),
        rec('update_listing', { id: 'lst_01H8', title: 'Upd' }),
        rec('publish_private_offer', { id: 'po_77' }),
        rec('delete_private_offer', { id: 'po_78' }),
        rec('hubspot_deals', { id: 'x' }),
      ],
      { catalog: catalogOf('create_listing', 'update_listing', 'publish_private_offer', 'delete_private_offer', 'hubspot_deals') },
    );
    expect(errorsOf(out)).toEqual([]);
    expect(sent()).toEqual([
      ['POST', '/listings', { title: 'New' }],
      ['PUT', '/listings/lst_01H8', { title: 'Upd' }],
      ['POST', '/private_offers/po_77/publish', {}],
      ['DELETE', '/private_offers/po_78', undefined],
    ]);
    expect(out.some((m) => m.type === 'LOG' && m.log.message.includes('Stream "hubspot_deals" is in the catalog but no operation consumes it'))).toBe(true);
  });
});

describe('Clazar destination: dry run and preview send nothing', () => {
  beforeAll(freshApi);

  it('dry run: no request, not even the token; secrets masked; no STATE', async () => {
    const out = await run({ endpoint: { endpoint_type: 'update_listing', listing_id: 'lst_01H8' } }, [rec('hubspot_deals', { title: 'T' }), state(1)], {
      dryRun: true,
    });
    expect(api.log.entries).toEqual([]);
    const dry = out.filter((m) => m.type === 'LOG' && m.log.message.startsWith('DRY RUN')).map((m) => (m as { log: { message: string } }).log.message);
    expect(dry).toEqual([expect.stringContaining('"url":"https://api.clazar.io/listings/lst_01H8"')]);
    expect(statesOf(out)).toEqual([]);
    expect(JSON.stringify(out)).not.toContain(api.credentials.client_secret);
  });

  it('preview: the requests of the first N records, a partial batch included, masked, and nothing sent', async () => {
    const destination = await Destination.fromFile(MANIFEST);
    async function* input(): AsyncGenerator<unknown> {
      for (let n = 1; n <= 10; n++) yield rec('hubspot_deals', { n, api_key: 'clz-secret-value' });
    }
    const config = {
      ...api.credentials,
      endpoint: {
        endpoint_type: 'manual',
        method: 'POST',
        url: '/bulk',
        request_headers: 'X-Api-Key:k-123,X-Tenant-Token:t-9,X-Team:sales',
        record_batching: true,
        batch_size: 2,
      },
    };
    const { requests, messages } = await destination.preview(config, undefined, input(), 3);
    expect(messages.filter((m) => m.type === 'TRACE')).toEqual([]);
    expect(requests.map((r) => [r.operation, r.stream, r.request.method, r.request.url, r.request.headers['X-Api-Key'], r.request.body])).toEqual([
      [
        'manual',
        'hubspot_deals',
        'POST',
        'https://api.clazar.io/bulk',
        '****',
        {
          items: [
            { n: 1, api_key: '****' },
            { n: 2, api_key: '****' },
          ],
        },
      ],
      ['manual', 'hubspot_deals', 'POST', 'https://api.clazar.io/bulk', '****', { items: [{ n: 3, api_key: '****' }] }],
    ]);
    expect(requests[0]!.request.headers).toEqual({
      'X-Manifold-Auth': expect.any(String),
      'X-Api-Key': '****',
      'X-Tenant-Token': '****',
      'X-Team': 'sales',
      'Content-Type': 'application/json',
    });
    expect(api.log.entries).toEqual([]);
  });
});

describe('Clazar destination manifest', () => {
  it('declares the eight templates and Manual, selected by the Endpoint setting', async () => {
    const destination = await Destination.fromFile(MANIFEST);
    expect(destination.operationNames()).toEqual([
      'create_listing',
      'update_listing',
      'create_opportunity',
      'update_opportunity',
      'create_private_offer',
      'update_private_offer',
      'publish_private_offer',
      'delete_private_offer',
      'manual',
    ]);
    const spec = destination.spec().connectionSpecification as {
      required: string[];
      properties: { endpoint: { oneOf: Array<{ title: string; properties: Obj }> } };
    };
    expect(spec.required).toEqual(['client_id', 'client_secret', 'endpoint']);
    expect(spec.properties.endpoint.oneOf.map((b) => [b.title, Object.keys(b.properties)])).toEqual([
      ['Create Listing', ['endpoint_type', 'exclude_attributes']],
      ['Update Listing', ['endpoint_type', 'listing_id', 'id_field', 'exclude_attributes']],
      ['Create Opportunity', ['endpoint_type', 'exclude_attributes']],
      ['Update Opportunity', ['endpoint_type', 'opportunity_id', 'id_field', 'exclude_attributes']],
      ['Create Private Offer', ['endpoint_type', 'exclude_attributes']],
      ['Update Private Offer', ['endpoint_type', 'private_offer_id', 'id_field', 'exclude_attributes']],
      ['Publish Private Offer', ['endpoint_type', 'private_offer_id', 'id_field', 'exclude_attributes']],
      ['Delete Private Offer', ['endpoint_type', 'private_offer_id', 'id_field']],
      [
        'Manual',
        [
          'endpoint_type',
          'method',
          'content_format',
          'url',
          'id_field',
          'request_headers',
          'exclude_attributes',
          'record_batching',
          'batch_size',
          'grouping_algorithm',
        ],
      ],
      ['Route by stream name (advanced)', ['endpoint_type', 'id_field', 'exclude_attributes']],
    ]);
  });

  it('a config without an Endpoint is refused before any request', async () => {
    freshApi();
    const destination = await Destination.fromFile(MANIFEST);
    expect(await destination.check({ ...api.credentials })).toEqual({ status: 'FAILED', message: expect.stringMatching(/missing required field "endpoint"/) });
    expect(api.log.entries).toEqual([]);
  });
});
