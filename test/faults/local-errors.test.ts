/**
 * Failures no retry can fix fail at once with the cause named: a header value with CR/LF, a replay
 * folder with a file of the wrong shape or no answer for a request, and (for check, where someone
 * is waiting) a host that refuses the connection. Before, each was retried as a network error with
 * the default backoff for about five minutes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli, tempFiles } from '../helpers/cli.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { CATALOG, faultConfig, faultManifest, readWithLibrary, STACK_FRAME } from './support.js';

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(async () => server.close());
afterEach(() => server.reset());

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

const errorTraces = (messages: Array<Record<string, any>>) => messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error);

describe('non-retryable local errors', () => {
  it('a header value with CR/LF fails the stream at once as a config error naming the header, not the value', async () => {
    const manifest = faultManifest({ incremental: false }).replace(
      '        http_method: GET\n',
      `        http_method: GET\n        request_headers:\n          X-Api-Key: "{{ config['api_key'] }}"\n`,
    );
    const outcome = await readWithLibrary(server, {
      incremental: false,
      manifest: manifest.replace('base_url: { type: string }', 'base_url: { type: string }\n      api_key: { type: string, airbyte_secret: true }'),
      config: { api_key: 'k3y-v4lue\r\nInjected: yes' },
    });
    expect(server.dataRequests()).toEqual([]);
    const [error] = outcome.errors;
    expect(error!.failure_type).toBe('config_error');
    expect(error!.message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/items cannot be sent: a header value contains a character HTTP forbids.*x-api-key/i);
    expect(error!.message).not.toMatch(/gave up after/);
    expect(JSON.stringify(outcome)).not.toContain('k3y-v4lue');
  });

  it('a replay file of the wrong shape: read exits 1 with a config error naming the file and the field', async () => {
    const f = tempFiles({ 'manifest.yaml': faultManifest(), 'config.json': faultConfig(server), 'catalog.json': CATALOG });
    const replay = join(f.dir, 'replay');
    mkdirSync(replay);
    writeFileSync(join(replay, '00001-GET-items.json'), JSON.stringify({ request: { method: 'GET', url: `${server.url}/items`, headers: {} } }));
    const result = await runCli(['read', '-m', f['manifest.yaml']!, '-c', f['config.json']!, '--catalog', f['catalog.json']!, '--replay', replay]);
    expect(result.code).toBe(1);
    const [error] = errorTraces(result.messages);
    expect(error.failure_type).toBe('config_error');
    expect(error.message).toContain(`Replay file ${join(replay, '00001-GET-items.json')} is not a recorded exchange: "response" is missing`);
    expect(result.stderr).not.toContain(STACK_FRAME);
  });

  it('a replay file that is not JSON: read exits 1 naming the file', async () => {
    const f = tempFiles({ 'manifest.yaml': faultManifest(), 'config.json': faultConfig(server), 'catalog.json': CATALOG });
    const replay = join(f.dir, 'replay');
    mkdirSync(replay);
    writeFileSync(join(replay, '00001-GET-items.json'), '{"request": {"method": "GET", "url": ');
    const result = await runCli(['read', '-m', f['manifest.yaml']!, '-c', f['config.json']!, '--catalog', f['catalog.json']!, '--replay', replay]);
    expect(result.code).toBe(1);
    expect(errorTraces(result.messages)[0].message).toMatch(/Replay file .*00001-GET-items\.json is not a recorded exchange: .*JSON/);
  });

  it('a request the replay folder has no answer for fails the stream at once, naming the request', async () => {
    const f = tempFiles({ 'manifest.yaml': faultManifest(), 'config.json': faultConfig(server), 'catalog.json': CATALOG });
    const replay = join(f.dir, 'replay');
    mkdirSync(replay);
    writeFileSync(
      join(replay, '00001-GET-other.json'),
      JSON.stringify({ request: { method: 'GET', url: `${server.url}/other`, headers: {} }, response: { status: 200, headers: {}, body: '{}' } }),
    );
    const result = await runCli(['read', '-m', f['manifest.yaml']!, '-c', f['config.json']!, '--catalog', f['catalog.json']!, '--replay', replay]);
    expect(result.code).toBe(1);
    const [error] = errorTraces(result.messages);
    expect(error.failure_type).toBe('config_error');
    expect(error.message).toMatch(/No recorded response in .* for:\n\s+GET http:\/\/127\.0\.0\.1:\d+\/items\?/);
    expect(error.message).not.toMatch(/gave up after/);
    expect(server.requests).toEqual([]);
  });

  it('check against a host that refuses connections says so after a few quick attempts', async () => {
    const port = await closedPort();
    const f = tempFiles({ 'manifest.yaml': faultManifest(), 'config.json': { ...faultConfig(server), base_url: `http://127.0.0.1:${port}` } });
    const result = await runCli(['check', '-m', f['manifest.yaml']!, '-c', f['config.json']!]);
    const status = result.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus;
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(
      new RegExp(`GET http://127\\.0\\.0\\.1:${port}/items\\S* failed: .*ECONNREFUSED.*the host cannot be reached: gave up after 3 attempts`),
    );
  });
});
