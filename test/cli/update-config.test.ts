/**
 * Config changes a connector announces (CONTROL with a migrated config here; a rotated OAuth token
 * takes the same path) reach stdout from check, discover and read, and with --update-config replace
 * the --config file — atomically, keeping its permissions. Without the flag the file is untouched
 * and stderr says so.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { json, startServer, type TestServer } from '../helpers/http-server.js';
import { runCli, tempFiles } from '../helpers/cli.js';
import { MIGRATING_MANIFEST as MANIFEST } from '../helpers/migrating-manifest.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ '/items': (_req, res) => json(res, 200, { items: [{ id: 1 }] }) });
});
afterAll(async () => server.close());

const oldConfig = () => ({ base_url: server.url, api_key: 'tok-123456' });
const migrated = () => ({ base_url: server.url, api_key: 'tok-123456', credentials: { api_key: 'tok-123456', auth_method: 'api_key' } });

describe('config changes announced by the connector', () => {
  for (const command of ['check', 'discover', 'read'] as const) {
    it(`${command} prints the CONTROL message ahead of its answer and, with --update-config, rewrites the config file`, async () => {
      const f = tempFiles({ 'm.yaml': MANIFEST, 'c.json': oldConfig() });
      chmodSync(f['c.json']!, 0o640);
      const result = await runCli([command, '--manifest', f['m.yaml']!, '--config', f['c.json']!, '--update-config']);
      expect(result.code).toBe(0);
      const types = result.messages.map((m) => m.type).filter((t) => t !== 'LOG' && t !== 'TRACE' && t !== 'STATE');
      const answer = { check: 'CONNECTION_STATUS', discover: 'CATALOG', read: 'RECORD' }[command];
      expect(types).toEqual(['CONTROL', answer]);
      const control = result.messages.find((m) => m.type === 'CONTROL')!;
      expect(control.control.connectorConfig.config).toEqual(migrated());
      // The file now holds the migrated config, with its permissions, and no temporary file is left.
      expect(JSON.parse(readFileSync(f['c.json']!, 'utf8'))).toEqual(migrated());
      expect(statSync(f['c.json']!).mode & 0o777).toBe(0o640);
      expect(readdirSync(dirname(f['c.json']!)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      expect(result.stderr).toContain(`wrote the connector's new config to ${f['c.json']}`);

      // Next run: the config is already migrated, so nothing is announced or written.
      const again = await runCli([command, '--manifest', f['m.yaml']!, '--config', f['c.json']!, '--update-config']);
      expect(again.messages.filter((m) => m.type === 'CONTROL')).toEqual([]);
    });
  }

  it('without --update-config the file is left as it was and stderr says how to keep the change', async () => {
    const f = tempFiles({ 'm.yaml': MANIFEST, 'c.json': oldConfig() });
    const before = readFileSync(f['c.json']!, 'utf8');
    const result = await runCli(['read', '--manifest', f['m.yaml']!, '--config', f['c.json']!]);
    expect(result.messages.filter((m) => m.type === 'CONTROL')).toHaveLength(1);
    expect(readFileSync(f['c.json']!, 'utf8')).toBe(before);
    expect(result.stderr).toContain(`pass --update-config to write it to ${f['c.json']}`);
  });
});
