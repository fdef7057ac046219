import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { setupServer } from 'msw/node';
import type { Source } from '../../engine/index.js';
import { createClevertapApi } from './clevertap.mock.js';
import { loadFixture, params } from './mock-kit.js';
import { loadVendor, readStreams } from './run.js';

const config = loadFixture<Record<string, unknown>>('clevertap', 'config.json');
const api = createClevertapApi();
const server = setupServer(...api.handlers);
let source: Source;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  source = await loadVendor('clevertap.yaml');
});
afterEach(() => api.log.clear());
afterAll(() => server.close());

const inRange = (from: number, to: number) => api.profiles.filter((p) => (p['_event_day'] as number) >= from && (p['_event_day'] as number) <= to);

describe('CleverTap Profiles manifest', () => {
  it('spec: region enum includes empty (default cluster), passcode secret, dates are bounded integers', () => {
    const spec = source.spec().connectionSpecification as { properties: Record<string, Record<string, unknown>> };
    expect(spec.properties.region!.enum).toEqual(['in1', 'us1', 'sg1', 'sk1', 'eu1', '']);
    expect(spec.properties.passcode!.airbyte_secret).toBe(true);
    expect(spec.properties.start_date!.type).toBe('integer');
    expect(spec.properties.start_date!.minimum).toBe(20100101);
  });

  it('reads profiles with the two-step cursor: POST for a cursor, then GET ?cursor= until no next_cursor', async () => {
    const { records, errors } = await readStreams(source, config, ['profiles']);
    expect(errors).toEqual([]);
    const expected = inRange(20240101, 20240131);
    // CleverTap sends no top-level id; the stream's key is the first platformInfo entry's objectId (the CleverTap ID).
    const objectIds = expected.map((p) => (p['platformInfo'] as Array<Record<string, unknown>>)[0]!['objectId']);
    expect(records.get('profiles')!.map((p) => p.cleverTapId)).toEqual(objectIds);
    expect(new Set(objectIds).size).toBe(expected.length);
    // custom profile fields survive (open schema)
    expect(records.get('profiles')![0]!.profileData).toHaveProperty('Customer Type');

    const [start] = api.log.to('/1/profiles.json', 'POST');
    expect(start!.url.host).toBe('eu1.api.clevertap.com');
    expect(JSON.parse(start!.body)).toEqual({ event_name: 'App Launched', from: 20240101, to: 20240131 });
    expect(params(start!).batch_size).toBe('10');
    expect(start!.headers['x-clevertap-account-id']).toBe(config.account_id);
    expect(start!.headers['x-clevertap-passcode']).toBe(config.passcode);

    const gets = api.log.to('/1/profiles.json', 'GET');
    expect(gets).toHaveLength(Math.ceil(expected.length / 10));
    expect(gets.every((g) => !!params(g).cursor)).toBe(true);
  });

  it('an empty date range gives no records and stops after one GET', async () => {
    const { records, errors } = await readStreams(source, { ...config, start_date: 20230101, end_date: 20230131 }, ['profiles']);
    expect(errors).toEqual([]);
    expect(records.get('profiles')).toEqual([]);
    expect(api.log.to('/1/profiles.json', 'GET').length).toBeLessThanOrEqual(1);
  });

  it('an empty region uses https://api.clevertap.com', async () => {
    const localApi = createClevertapApi({ accountRegion: '' });
    server.use(...localApi.handlers);
    try {
      const { records, errors } = await readStreams(source, { ...config, region: '' }, ['profiles']);
      expect(errors).toEqual([]);
      expect(records.get('profiles')!.length).toBe(inRange(20240101, 20240131).length);
      expect(localApi.log.entries[0]!.url.host).toBe('api.clevertap.com');
    } finally {
      server.resetHandlers();
    }
  });

  it('an unknown region is a config error before any request', async () => {
    const result = await source.check({ ...config, region: 'mars1' });
    expect(result.status).toBe('FAILED');
    expect(result.message).toMatch(/region/);
    expect(api.log.entries).toHaveLength(0);
  });

  it('check() fails clearly on a wrong passcode and does not print it', async () => {
    const result = await source.check({ ...config, passcode: 'WRONG-PASSCODE-XYZ' });
    expect(result.status).toBe('FAILED');
    expect(result.message).toMatch(/passcode|401|rejected/i);
    expect(result.message).not.toContain('WRONG-PASSCODE-XYZ');
  });

  it('start_date after end_date: the API refusal is reported as an error (the spec cannot compare two fields)', async () => {
    const { records, errors } = await readStreams(source, { ...config, start_date: 20240201, end_date: 20240101 }, ['profiles']);
    expect(records.get('profiles')).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
    expect(api.log.to('/1/profiles.json', 'GET')).toHaveLength(0);
  });
});
