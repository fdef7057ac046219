/**
 * End to end: the real `manifold write` (built CLI) with the shipped Clazar destination manifest,
 * against a real local HTTP server standing in for Clazar: a sync routed by stream name, then
 * `--sample` (nothing sent) and `--test-record` (one record sent, the answer printed).
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { REPO, runCli, tempFiles } from '../helpers/cli.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';
import { preloadComponents } from './preload-components.js';

await preloadComponents();

const MANIFEST = join(REPO, 'manifests/clazar-destination.yaml');
const line = (m: object): string => JSON.stringify(m) + '\n';
const rec = (stream: string, data: object) => line({ type: 'RECORD', record: { stream, data, emitted_at: 1 } });
const state = (n: number) => line({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'update_listing' }, stream_state: { n } } } });
const catalogOf = (...names: string[]) => ({
  streams: names.map((name) => ({ stream: { name, json_schema: {} }, sync_mode: 'full_refresh', destination_sync_mode: 'append' })),
});

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    'POST /authenticate/': (_req, res) => json(res, 200, { access_token: 'e2e-token', expires_in: 3600 }),
    'POST /listings': (req, res) => json(res, 201, { id: 'new-1', ...JSON.parse(req.body) }),
    'PUT /listings/L1': (req, res) => json(res, 200, { id: 'L1', ...JSON.parse(req.body) }),
    'PUT /listings/L%2F2': (_req, res) => json(res, 200, { id: 'L/2' }),
    'PUT /listings/missing': (_req, res) => json(res, 404, { detail: 'Not found.' }),
    'DELETE /private_offers/po_77': (_req, res) => void res.writeHead(204).end(),
  });
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

const configWith = (endpoint: object) => ({ client_id: 'cid', client_secret: 'e2e-secret', api_base_url: server.url, endpoint });

describe('manifold write (CLI) with the Clazar destination', () => {
  it('writes piped records routed by stream name, echoes states after them and ignores streams outside the catalog', async () => {
    const files = tempFiles({
      'config.json': configWith({ endpoint_type: 'stream_routing', exclude_attributes: 'id' }),
      'catalog.json': catalogOf('create_listing', 'update_listing'),
    });
    const stdin = [
      'not json at all\n',
      rec('create_listing', { title: 'New' }),
      state(1),
      rec('update_listing', { id: 'L1', title: 'One' }),
      rec('other_stream', { id: 'x' }),
      rec('update_listing', { id: 'L/2', title: 'Two' }),
      state(2),
    ].join('');
    const result = await runCli(['write', '--manifest', MANIFEST, '--config', files['config.json']!, '--catalog', files['catalog.json']!], { stdin });
    expect(result.code).toBe(0);
    const writes = server.requests.filter((r) => r.path !== '/authenticate/');
    expect(writes.map((r) => [r.method, r.path, JSON.parse(r.body), r.headers.authorization])).toEqual([
      ['POST', '/listings', { title: 'New' }, 'Bearer e2e-token'],
      ['PUT', '/listings/L1', { title: 'One' }, 'Bearer e2e-token'],
      ['PUT', '/listings/L%2F2', { title: 'Two' }, 'Bearer e2e-token'],
    ]);
    expect(result.messages.filter((m) => m.type === 'STATE').map((m) => m.state.stream.stream_state)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(result.stdout).not.toContain('e2e-secret');

    server.requests.length = 0;
    const dry = await runCli(['write', '--dry-run', '--manifest', MANIFEST, '--config', files['config.json']!, '--catalog', files['catalog.json']!], { stdin });
    expect(dry.code).toBe(0);
    expect(server.requests).toEqual([]);
    expect(dry.messages.filter((m) => m.type === 'LOG' && String(m.log.message).startsWith('DRY RUN'))).toHaveLength(3);
  });

  it('--sample N prints the requests of the first N records and sends nothing, not even the token request', async () => {
    const files = tempFiles({ 'config.json': configWith({ endpoint_type: 'update_listing', id_field: 'listing', exclude_attributes: 'listing' }) });
    const stdin = [
      rec('hubspot_products', { listing: 'L1', title: 'One', note: 'e2e-secret' }),
      rec('hubspot_products', { listing: 'L2', title: 'Two' }),
      rec('hubspot_products', { listing: 'L3', title: 'Three' }),
    ].join('');
    const result = await runCli(['write', '--sample', '2', '--manifest', MANIFEST, '--config', files['config.json']!], { stdin });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(server.requests).toEqual([]);
    expect(result.stdout).toBe(
      [
        '# request 1 of 2: operation update_listing, stream "hubspot_products", record "L1" — not sent',
        `PUT ${server.url}/listings/L1`,
        'X-Manifold-Auth: omitted in dry run (added when sending)',
        'Content-Type: application/json',
        '',
        '{\n  "title": "One",\n  "note": "****"\n}',
        '',
        '# request 2 of 2: operation update_listing, stream "hubspot_products", record "L2" — not sent',
        `PUT ${server.url}/listings/L2`,
        'X-Manifold-Auth: omitted in dry run (added when sending)',
        'Content-Type: application/json',
        '',
        '{\n  "title": "Two"\n}',
        '',
        '',
      ].join('\n'),
    );
  });

  it('--test-record sends that one record for real and prints the request (token masked) and the response', async () => {
    const files = tempFiles({
      'config.json': configWith({ endpoint_type: 'update_listing', listing_id: 'L1' }),
      'record.json': { title: 'Edited by hand' },
    });
    const result = await runCli(['write', '--test-record', files['record.json']!, '--manifest', MANIFEST, '--config', files['config.json']!]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(server.requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/authenticate/'],
      ['PUT', '/listings/L1'],
    ]);
    expect(result.stdout).toContain(`PUT ${server.url}/listings/L1\n`);
    expect(result.stdout).toMatch(/authorization: \*\*\*\*/i);
    expect(result.stdout).toContain('# response\nHTTP 200\n{\n  "id": "L1",\n  "title": "Edited by hand"\n}');
    expect(result.stdout).not.toMatch(/e2e-token|e2e-secret/);
  });

  it('--test-record shows an error answer (status and body) and exits non-zero', async () => {
    const files = tempFiles({
      'config.json': configWith({ endpoint_type: 'update_listing', id_field: 'id' }),
      'record.json': { type: 'RECORD', record: { stream: 'deals', data: { id: 'missing', title: 'x' }, emitted_at: 1 } },
    });
    const result = await runCli(['write', '--test-record', files['record.json']!, '--manifest', MANIFEST, '--config', files['config.json']!]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('# operation update_listing, stream "deals", record "missing" — sent');
    expect(result.stdout).toContain('# response\nHTTP 404\n{\n  "detail": "Not found."\n}');
    expect(result.stderr).toMatch(/the test write failed: PUT .*\/listings\/missing returned HTTP 404/);
  });

  it('--test-record of a destructive template (delete, publish) needs --yes; without it nothing is sent', async () => {
    const files = tempFiles({ 'config.json': configWith({ endpoint_type: 'delete_private_offer', private_offer_id: 'po_77' }), 'record.json': {} });
    const args = ['write', '--test-record', files['record.json']!, '--manifest', MANIFEST, '--config', files['config.json']!];
    const refused = await runCli(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/delete_private_offer .*needs explicit confirmation \(--yes/);
    expect(server.requests).toEqual([]);

    const confirmed = await runCli([...args, '--yes']);
    expect(confirmed.code).toBe(0);
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/authenticate/', expect.any(String)],
      ['DELETE', '/private_offers/po_77', ''],
    ]);
    expect(confirmed.stdout).toContain('# response\nHTTP 204\n');
  });
});
