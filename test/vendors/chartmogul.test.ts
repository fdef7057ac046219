import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { setupServer } from 'msw/node';
import type { Source } from '../../engine/index.js';
import { buckets, createChartmogulApi } from './chartmogul.mock.js';
import { basicAuth, loadFixture, params } from './mock-kit.js';
import { loadVendor, readStreams } from './run.js';

const config = loadFixture<Record<string, unknown>>('chartmogul', 'config.json');
const api = createChartmogulApi();
const server = setupServer(...api.handlers);
let source: Source;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  source = await loadVendor('chartmogul.yaml');
});
afterEach(() => api.log.clear());
afterAll(() => server.close());

describe('ChartMogul manifest', () => {
  it('spec: api_key secret, start_date pattern, interval enum; discover lists the 3 streams', async () => {
    const spec = source.spec().connectionSpecification as { required: string[]; properties: Record<string, Record<string, unknown>> };
    expect(spec.required).toEqual(['api_key', 'start_date']);
    expect(spec.properties.api_key!.airbyte_secret).toBe(true);
    expect(spec.properties.interval!.enum).toEqual(['day', 'week', 'month', 'quarter']);
    const catalog = await source.discover(config);
    expect(catalog.streams.map((s) => s.name)).toEqual(['customers', 'activities', 'customer_count']);
    expect(catalog.streams.find((s) => s.name === 'activities')!.source_defined_primary_key).toEqual([['uuid']]);
  });

  it('check() uses Basic auth with the API key as username', async () => {
    expect((await source.check(config)).status).toBe('SUCCEEDED');
    const [call] = api.log.to('/v1/customers');
    expect(basicAuth(call!.headers)?.user).toBe(config.api_key);
  });

  it('check() fails clearly on a bad key and never prints it', async () => {
    const result = await source.check({ ...config, api_key: 'not-the-right-key-123' });
    expect(result.status).toBe('FAILED');
    expect(result.message).toMatch(/401|No valid API key|unauthor/i);
    expect(result.message).not.toContain('not-the-right-key-123');
  });

  it('config not matching the spec (bad start_date, bad interval) is rejected before any request', async () => {
    const a = await source.check({ ...config, start_date: '2023-01-01' });
    const b = await source.check({ ...config, interval: 'year' });
    expect(a.status).toBe('FAILED');
    expect(b.status).toBe('FAILED');
    expect(api.log.entries).toHaveLength(0);
  });

  it('customers: first page without page=, then page=2,3 with per_page=200; all 450 in order', async () => {
    const { records, errors } = await readStreams(source, config, ['customers']);
    expect(errors).toEqual([]);
    expect(records.get('customers')!.map((c) => c.id)).toEqual(api.customers.map((c) => c['id']));
    const calls = api.log.to('/v1/customers').map(params);
    expect(calls).toEqual([{ per_page: '200' }, { per_page: '200', page: '2' }, { per_page: '200', page: '3' }]);
    const withUnicode = records.get('customers')!.find((c) => c.name === '東京クラウド株式会社');
    expect(withUnicode).toBeDefined();
  });

  it('activities: start-date from config, start-after = last uuid of the previous page, stops on has_more=false', async () => {
    const since2022 = { ...config, start_date: '2022-01-01T00:00:00Z' };
    const { records, errors } = await readStreams(source, since2022, ['activities']);
    expect(errors).toEqual([]);
    const expected = api.activities.filter((a) => Date.parse(String(a['date'])) >= Date.parse(since2022.start_date));
    expect(expected.length).toBe(401);
    expect(records.get('activities')!.map((a) => a.uuid)).toEqual(expected.map((a) => a['uuid']));
    const calls = api.log.to('/v1/activities').map(params);
    expect(calls.length).toBe(Math.ceil(expected.length / 200) + (expected.length % 200 === 0 ? 1 : 0));
    expect(calls[0]).toEqual({ 'start-date': since2022.start_date, per_page: '200' });
    expect(calls[1]!['start-after']).toBe(expected[199]!['uuid']);
    expect(calls[2]!['start-after']).toBe(expected[399]!['uuid']);
  });

  it('activities: start_date filters on the server; a single short page ends the stream', async () => {
    const { records } = await readStreams(source, config, ['activities']);
    const expected = api.activities.filter((a) => Date.parse(String(a['date'])) >= Date.parse(String(config.start_date)));
    expect(expected.length).toBeLessThan(200);
    expect(records.get('activities')!.map((a) => a.uuid)).toEqual(expected.map((a) => a['uuid']));
    expect(api.log.to('/v1/activities')).toHaveLength(1);
  });

  it('customer_count: start-date as YYYY-MM-DD, end-date today, interval from config', async () => {
    const { end_date: _noEnd, ...untilToday } = config;
    const weekly = { ...untilToday, interval: 'week' };
    const { records, errors } = await readStreams(source, weekly, ['customer_count']);
    expect(errors).toEqual([]);
    const [call] = api.log.to('/v1/metrics/customer-count');
    const p = params(call!);
    const today = new Date().toISOString().slice(0, 10);
    expect(p).toEqual({ 'start-date': '2023-01-01', 'end-date': today, interval: 'week' });
    const rows = records.get('customer_count')!;
    expect(rows.map((r) => r.date)).toEqual(buckets('2023-01-01', today, 'week'));
    expect(rows.every((r) => typeof r.customers === 'number')).toBe(true);
  });

  it('customer_count stops at end_date when one is configured', async () => {
    const { records } = await readStreams(source, { ...config, interval: 'quarter', end_date: '2023-12-31' }, ['customer_count']);
    expect(params(api.log.to('/v1/metrics/customer-count')[0]!)['end-date']).toBe('2023-12-31');
    expect(records.get('customer_count')!.map((r) => r.date)).toEqual(['2023-03-31', '2023-06-30', '2023-09-30', '2023-12-31']);
  });

  it('customer_count defaults to monthly buckets when interval is not set', async () => {
    const { interval: _omit, ...noInterval } = config;
    await readStreams(source, noInterval, ['customer_count']);
    expect(params(api.log.to('/v1/metrics/customer-count')[0]!).interval).toBe('month');
  });
});
