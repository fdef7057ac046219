/**
 * End to end: Airbyte messages piped through the real `manifold write` (built CLI) with the
 * shipped Clazar destination manifest, against a real local HTTP server standing in for Clazar.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REPO, runCli, tempFiles } from '../helpers/cli.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';
import { preloadComponents } from './preload-components.js';

await preloadComponents();
// Needs the built CLI and the HTTP layer (HttpRequester + OAuthAuthenticator, written in parallel).

const catalog = {
  streams: ['create_listing', 'update_listing'].map((name) => ({ stream: { name, json_schema: {} }, sync_mode: 'full_refresh', destination_sync_mode: 'append' })),
};
const line = (m: object): string => JSON.stringify(m) + '\n';
const rec = (stream: string, data: object) => line({ type: 'RECORD', record: { stream, data, emitted_at: 1 } });
const state = (n: number) => line({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'update_listing' }, stream_state: { n } } } });

describe('manifold write (CLI) with the Clazar destination', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      'POST /authenticate/': (_req, res) => json(res, 200, { access_token: 'e2e-token', expires_in: 3600 }),
      'POST /listings': (req, res) => json(res, 201, { id: 'new-1', ...JSON.parse(req.body) }),
      'PUT /listings/L1': (_req, res) => json(res, 200, { id: 'L1' }),
      'PUT /listings/L%2F2': (_req, res) => json(res, 200, { id: 'L/2' }),
    });
  });
  afterAll(() => server.close());

  it('writes piped records, echoes states after them and ignores streams outside the catalog', async () => {
    const files = tempFiles({
      'config.json': { client_id: 'cid', client_secret: 'e2e-secret', api_base_url: server.url },
      'catalog.json': catalog,
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
    const manifest = join(REPO, 'manifests/clazar-destination.yaml');
    const result = await runCli(['write', '--manifest', manifest, '--config', files['config.json']!, '--catalog', files['catalog.json']!], { stdin });
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
    const dry = await runCli(['write', '--dry-run', '--manifest', manifest, '--config', files['config.json']!, '--catalog', files['catalog.json']!], { stdin });
    expect(dry.code).toBe(0);
    expect(server.requests.filter((r) => r.path !== '/authenticate/')).toEqual([]);
    expect(dry.messages.filter((m) => m.type === 'LOG' && String(m.log.message).startsWith('DRY RUN'))).toHaveLength(3);
  });
});
