/** The built CLI applies spec.config_normalization_rules: CONTROL on migration, validation errors before requests. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { json, startServer, type TestServer } from '../helpers/http-server.js';
import { runCli, tempFiles } from '../helpers/cli.js';
import { MIGRATING_MANIFEST as MANIFEST } from '../helpers/migrating-manifest.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ '/items': (_req, res) => json(res, 200, { items: [{ id: 1 }] }) });
});
afterAll(async () => server.close());

describe('manifold CLI with config_normalization_rules', () => {
  it('read migrates an old config and prints one CONTROL with it before the records', async () => {
    const before = server.requests.length;
    const f = tempFiles({ 'm.yaml': MANIFEST, 'c.json': { base_url: server.url, api_key: 'tok-123456' } });
    const result = await runCli(['read', '--manifest', f['m.yaml']!, '--config', f['c.json']!]);
    const types = result.messages.map((m) => m.type).filter((t) => t === 'CONTROL' || t === 'RECORD');
    expect(types).toEqual(['CONTROL', 'RECORD']);
    const control = result.messages.find((m) => m.type === 'CONTROL')!;
    expect(control.control.connectorConfig.config.credentials).toEqual({ api_key: 'tok-123456', auth_method: 'api_key' });
    expect(server.requests.slice(before).map((r) => r.headers.authorization)).toEqual(['Bearer tok-123456']);
  });

  it('check reports a failing validation as a config error without a request', async () => {
    const before = server.requests.length;
    const f = tempFiles({ 'm.yaml': MANIFEST, 'c.json': { base_url: server.url, credentials: { api_key: 'short' } } });
    const result = await runCli(['check', '--manifest', f['m.yaml']!, '--config', f['c.json']!]);
    const status = result.messages.find((m) => m.type === 'CONNECTION_STATUS')!;
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(status.connectionStatus.message).toContain('config.credentials.api_key: must NOT have fewer than 8 characters');
    expect(server.requests.length).toBe(before);
  });
});
