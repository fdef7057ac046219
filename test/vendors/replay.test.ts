/**
 * The recorded replays under fixtures/<vendor>/replay (scripts/record-fixtures.ts) must keep
 * working offline with the unmodified manifests and example configs: no mock, no network.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { Source } from '../../engine/index.js';
import { createTransport } from '../../engine/http/transport.js';
import { loadFixture, repoRoot } from './mock-kit.js';
import { loadVendor } from './run.js';

// No handlers: any request that escapes the replay transport fails the test.
const server = setupServer();
beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  await loadVendor('chartmogul.yaml'); // preloads the engine modules for jest
});
afterAll(() => server.close());

async function replay(vendor: string): Promise<{ counts: Record<string, number>; errors: string[] }> {
  const dir = join(repoRoot, 'fixtures', vendor, 'replay');
  const source = await Source.fromFile(join(repoRoot, 'manifests', `${vendor}.yaml`), {
    backoffScale: 0.001,
    transport: createTransport({ replay: dir }),
  });
  const config = loadFixture<Record<string, unknown>>(vendor, 'config.json');
  const counts: Record<string, number> = {};
  const errors: string[] = [];
  for await (const raw of source.read(config, undefined, undefined, { concurrency: 1 })) {
    const msg = raw as { type: string; record?: { stream: string }; trace?: { type: string; error?: { message: string } } };
    if (msg.type === 'RECORD') counts[msg.record!.stream] = (counts[msg.record!.stream] ?? 0) + 1;
    if (msg.type === 'TRACE' && msg.trace?.type === 'ERROR') errors.push(msg.trace.error!.message);
  }
  return { counts, errors };
}

const hasReplay = (vendor: string) => existsSync(join(repoRoot, 'fixtures', vendor, 'replay'));

describe('recorded vendor replays', () => {
  it('ChartMogul replays offline: every customer and activity', async () => {
    const { counts, errors } = await replay('chartmogul');
    expect(errors).toEqual([]);
    const customers = loadFixture<unknown[]>('chartmogul', 'customers.json');
    expect(counts.customers).toBe(customers.length);
    expect(counts.activities).toBeGreaterThan(0);
    expect(counts.customer_count).toBeGreaterThan(0);
  });

  it('CleverTap replays offline: the two-step cursor pages', async () => {
    const { counts, errors } = await replay('clevertap');
    expect(errors).toEqual([]);
    expect(counts.profiles).toBe(23);
  });

  it('Close.com replays offline: all 45 streams without errors', async () => {
    const { counts, errors } = await replay('close-com');
    expect(errors).toEqual([]);
    expect(counts.leads).toBe(loadFixture<unknown[]>('close-com', 'leads.json').length);
    expect(counts.events).toBe(loadFixture<unknown[]>('close-com', 'events.json').length);
  });

  it('Clazar replays offline', async () => {
    const { counts, errors } = await replay('clazar');
    expect(errors).toEqual([]);
    expect(counts.listings).toBe(230);
  });

  it('recordings contain no secret from the example configs', () => {
    for (const vendor of ['chartmogul', 'clevertap', 'close-com', 'clazar']) {
      expect(hasReplay(vendor)).toBe(true);
      const config = loadFixture<Record<string, unknown>>(vendor, 'config.json');
      const secrets = ['api_key', 'passcode', 'client_secret'].map((k) => config[k]).filter((v): v is string => typeof v === 'string');
      const dir = join(repoRoot, 'fixtures', vendor, 'replay');
      const recorded = readdirSync(dir)
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('\n');
      expect(secrets.length).toBeGreaterThan(0);
      for (const secret of secrets) expect(recorded).not.toContain(secret);
    }
  });
});
