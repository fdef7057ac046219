/**
 * Response webhook: every API response of a sync (status, body, record key, operation) is POSTed
 * to the configured URL, with retries, and a webhook that stays down never costs a record its
 * acknowledgement. Clazar and the webhook are both real servers on the loopback interface.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Destination } from '../../engine/destination/destination.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import type { Obj } from '../../engine/types.js';
import { REPO } from '../helpers/cli.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';
import { preloadComponents } from './preload-components.js';

await preloadComponents();

const MANIFEST = join(REPO, 'manifests/clazar-destination.yaml');
let clazar: TestServer;
let webhook: TestServer;
/** Status the webhook answers for its n-th request (1-based). */
let webhookStatus: (n: number) => number = () => 200;

beforeAll(async () => {
  clazar = await startServer({
    'POST /authenticate/': (_req, res) => json(res, 200, { access_token: 'hook-token', expires_in: 3600 }),
    'PUT /listings/L1': (req, res) => json(res, 200, { id: 'L1', ...JSON.parse(req.body) }),
    'PUT /listings/L2': (_req, res) => json(res, 400, { title: ['This field may not be blank.'] }),
    'PUT /listings/L3': (req, res) => json(res, 200, { id: 'L3', ...JSON.parse(req.body), token_seen: 'hook-secret' }),
  });
  webhook = await startServer({
    'POST /hook': (_req, res) => {
      const status = webhookStatus(webhook.requests.length);
      json(res, status, status === 429 ? { slow: 'down' } : {}, status === 429 ? { 'retry-after': '1' } : {});
    },
  });
});
afterAll(async () => {
  await clazar.close();
  await webhook.close();
});
beforeEach(() => {
  clazar.requests.length = 0;
  webhook.requests.length = 0;
  webhookStatus = () => 200;
});

const catalog: ConfiguredAirbyteCatalog = { streams: [{ stream: { name: 'hubspot_products' }, sync_mode: 'full_refresh', destination_sync_mode: 'append' }] };
const rec = (data: Obj): Obj => ({ type: 'RECORD', record: { stream: 'hubspot_products', data, emitted_at: 1 } });
const state = (n: number): Obj => ({
  type: 'STATE',
  state: { type: 'STREAM', stream: { stream_descriptor: { name: 'hubspot_products' }, stream_state: { n } } },
});

async function sync(extra: Obj, messages: Obj[]): Promise<AirbyteMessage[]> {
  const destination = await Destination.fromFile(MANIFEST, { backoffScale: 0.001, allowPaths: [tmpdir()] });
  const config = {
    client_id: 'cid',
    client_secret: 'hook-secret',
    api_base_url: clazar.url,
    endpoint: { endpoint_type: 'update_listing', id_field: 'id', exclude_attributes: 'id' },
    response_webhook_url: `${webhook.url}/hook`,
    ...extra,
  };
  const out: AirbyteMessage[] = [];
  async function* input(): AsyncGenerator<unknown> {
    yield* messages;
  }
  for await (const m of destination.write(config, catalog, input())) out.push(m);
  return out;
}
const states = (out: AirbyteMessage[]) => out.filter((m) => m.type === 'STATE').length;
const warnings = (out: AirbyteMessage[]) =>
  out.filter((m) => m.type === 'LOG' && m.log.level === 'WARN').map((m) => (m as { log: { message: string } }).log.message);
const hooked = () => webhook.requests.map((r) => JSON.parse(r.body));

describe('response webhook', () => {
  it('posts every response, the failed one included, as {operation, stream, status, key, body}, secrets masked', async () => {
    const out = await sync({ on_failure: 'dead_letter', dead_letter_path: join(mkdtempSync(join(tmpdir(), 'hook-')), 'dead.jsonl') }, [
      rec({ id: 'L1', title: 'One' }),
      rec({ id: 'L2', title: '' }),
      rec({ id: 'L3', title: 'Three' }),
      state(1),
    ]);
    expect(states(out)).toBe(1);
    expect(hooked()).toEqual([
      { operation: 'update_listing', stream: 'hubspot_products', status: 200, key: 'L1', body: { id: 'L1', title: 'One' } },
      { operation: 'update_listing', stream: 'hubspot_products', status: 400, key: 'L2', body: { title: ['This field may not be blank.'] } },
      { operation: 'update_listing', stream: 'hubspot_products', status: 200, key: 'L3', body: { id: 'L3', title: 'Three', token_seen: '****' } },
    ]);
    expect(webhook.requests.every((r) => r.headers['content-type'] === 'application/json')).toBe(true);
  });

  it('retries a webhook answering 5xx or 429 until the report gets through', async () => {
    webhookStatus = (n) => (n === 1 ? 503 : n === 2 ? 429 : 200);
    const out = await sync({}, [rec({ id: 'L1', title: 'One' }), state(1)]);
    expect(warnings(out)).toEqual([]);
    expect(webhook.requests).toHaveLength(3);
    expect(hooked().map((h) => h.key)).toEqual(['L1', 'L1', 'L1']);
    expect(states(out)).toBe(1);
  });

  it('a webhook that stays down is a warning: the records are still acknowledged and the STATE echoed', async () => {
    webhookStatus = () => 500;
    const out = await sync({}, [rec({ id: 'L1', title: 'One' }), state(1), rec({ id: 'L3', title: 'Three' }), state(2)]);
    expect(out.filter((m) => m.type === 'TRACE')).toEqual([]);
    expect(states(out)).toBe(2);
    expect(clazar.requests.filter((r) => r.method === 'PUT').map((r) => r.path)).toEqual(['/listings/L1', '/listings/L3']);
    expect(warnings(out)).toEqual([
      expect.stringMatching(/^Response capture failed: webhook http:\/\/127\.0\.0\.1:\d+ answered HTTP 500 \(gave up after 4 attempts\)$/),
      '2 response capture line(s) could not be written',
    ]);
    expect(webhook.requests).toHaveLength(8);
    expect(out.some((m) => m.type === 'LOG' && /Operation update_listing: 2 record\(s\) written in 2 request\(s\), 0 failed/.test(m.log.message))).toBe(true);
  });

  it('a webhook nobody listens on does not stop the sync either', async () => {
    const gone = await startServer({});
    const url = `${gone.url}/hook`;
    await gone.close();
    const out = await sync({ response_webhook_url: url }, [rec({ id: 'L1', title: 'One' }), state(1)]);
    expect(states(out)).toBe(1);
    expect(warnings(out)).toEqual([expect.stringMatching(/could not be reached.*gave up after 4 attempts/), '1 response capture line(s) could not be written']);
  });
});
