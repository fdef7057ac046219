import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { setupServer } from 'msw/node';
import type { Source } from '../../engine/index.js';
import { createClazarApi } from './clazar.mock.js';
import { loadFixture, params } from './mock-kit.js';
import { loadVendor, readStreams, streamState } from './run.js';

const config = loadFixture<Record<string, unknown>>('clazar', 'config.json');
const api = createClazarApi();
const server = setupServer(...api.handlers);
let source: Source;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  source = await loadVendor('clazar.yaml');
});
afterEach(() => api.log.clear());
afterAll(() => server.close());

const ANALYTICS = [
  'aws_marketplace_disbursements',
  'aws_marketplace_revenue',
  'aws_cosell_opportunities',
  'azure_marketplace_revenue',
  'azure_marketplace_customers',
  'azure_marketplace_orders',
  'azure_marketplace_metered_usage',
  'azure_cosell_opportunities',
  'gcp_marketplace_disbursements',
  'gcp_marketplace_disbursements_summary',
  'gcp_marketplace_charges_and_usage',
  'gcp_marketplace_daily_insights',
  'gcp_marketplace_incremental_daily_insights',
  'gcp_marketplace_monthly_insights',
  'gcp_marketplace_incremental_monthly_insights',
];

describe('Clazar manifest', () => {
  it('declares the 5 entity streams and 15 analytics streams, secrets marked', async () => {
    const spec = source.spec().connectionSpecification as { properties: Record<string, { airbyte_secret?: boolean }> };
    expect(spec.properties.client_id!.airbyte_secret).toBe(true);
    expect(spec.properties.client_secret!.airbyte_secret).toBe(true);
    const catalog = await source.discover(config);
    const names = catalog.streams.map((s) => s.name);
    expect(names.slice(0, 5)).toEqual(['listings', 'private_offers', 'buyers', 'contracts', 'opportunities']);
    expect(names.slice(5)).toEqual(ANALYTICS.map((d) => `analytics_${d}`));
    const listings = catalog.streams.find((s) => s.name === 'listings')!;
    expect(listings.supported_sync_modes).toContain('incremental');
    expect(listings.default_cursor_field).toEqual(['last_modified_at']);
    const analytics = catalog.streams.find((s) => s.name === 'analytics_aws_marketplace_revenue')!;
    expect(analytics.supported_sync_modes).toEqual(['full_refresh']);
  });

  it('check() succeeds with valid client credentials after a client_credentials token exchange', async () => {
    const result = await source.check(config);
    expect(result.status).toBe('SUCCEEDED');
    const [token] = api.log.to('/authenticate/', 'POST');
    expect(token).toBeDefined();
    const form = new URLSearchParams(token!.body);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('client_id')).toBe(config.client_id);
    expect(api.log.to('/listings')[0]!.headers['authorization']).toMatch(/^Bearer clz_token_\d+$/);
  });

  it('check() fails clearly on bad credentials without leaking the secret', async () => {
    const bad = await loadVendor('clazar.yaml');
    const result = await bad.check({ client_id: 'wrong-id', client_secret: 'very-wrong-secret' });
    expect(result.status).toBe('FAILED');
    expect(result.message).toMatch(/401|auth|token|credential/i);
    expect(result.message).not.toContain('very-wrong-secret');
    expect(api.log.to('/listings')).toHaveLength(0);
  });

  it('reads listings page by page (page/page_size from 1, stops on the short page) and removes metadata', async () => {
    const { records, errors } = await readStreams(source, config, ['listings']);
    expect(errors).toEqual([]);
    const fixture = loadFixture<Array<{ id: string }>>('clazar', 'listings.json');
    const rows = records.get('listings')!;
    expect(rows.map((r) => r.id)).toEqual(fixture.map((r) => r.id));
    expect(rows.every((r) => !('metadata' in r))).toBe(true);
    expect(rows[0]).toHaveProperty('last_modified_at');
    const calls = api.log.to('/listings').map(params);
    expect(calls.map((p) => [p.page, p.page_size])).toEqual([
      ['1', '100'],
      ['2', '100'],
      ['3', '100'],
    ]);
    expect(calls.every((p) => p.response_format === 'common')).toBe(true);
  });

  it('asks for one more (empty) page when a page is exactly full', async () => {
    const { records } = await readStreams(source, config, ['private_offers']);
    expect(records.get('private_offers')).toHaveLength(100);
    expect(api.log.to('/private_offers').map((e) => params(e).page)).toEqual(['1', '2']);
  });

  it('reads small and empty entity streams', async () => {
    const { records, errors } = await readStreams(source, config, ['buyers', 'contracts', 'opportunities']);
    expect(errors).toEqual([]);
    expect(records.get('buyers')).toHaveLength(12);
    expect(records.get('buyers')!.map((b) => b.name)).toContain('東京クラウド株式会社');
    expect(records.get('contracts')).toHaveLength(5);
    expect(records.get('opportunities')).toEqual([]);
  });

  it('incremental: sends last_modified_at_after from the state and moves the state to the newest record', async () => {
    const fixture = loadFixture<Array<{ id: string; last_modified_at: string }>>('clazar', 'listings.json');
    const first = await readStreams(source, config, ['listings'], 'incremental');
    expect(first.records.get('listings')).toHaveLength(230);
    const newest = fixture[fixture.length - 1]!.last_modified_at;
    expect(first.states.get('listings')).toEqual({ last_modified_at: newest });
    expect(params(api.log.to('/listings')[0]!).last_modified_at_after).toBe('2021-01-01T00:00:00.000000Z');

    api.log.clear();
    const cut = fixture[199]!.last_modified_at;
    const resumed = await readStreams(source, config, ['listings'], 'incremental', streamState({ listings: { last_modified_at: cut } }));
    expect(params(api.log.to('/listings')[0]!).last_modified_at_after).toBe(cut);
    const expected = fixture.filter((r) => r.last_modified_at >= cut).map((r) => r.id);
    expect(resumed.records.get('listings')!.map((r) => r.id)).toEqual(expected);
    expect(resumed.states.get('listings')).toEqual({ last_modified_at: newest });
  });

  it('reads every analytics dataset with page_size 5000 and reuses one token', async () => {
    const streams = ANALYTICS.map((d) => `analytics_${d}`);
    const { records, errors } = await readStreams(source, config, streams);
    expect(errors).toEqual([]);
    for (const d of ANALYTICS) {
      expect(records.get(`analytics_${d}`)).toEqual(api.analytics[d]);
      const [call] = api.log.to(`/analytics/datasets/${d}`);
      expect(params(call!)).toEqual({ page: '1', page_size: '5000' });
    }
    expect(records.get('analytics_azure_marketplace_metered_usage')).toEqual([]);
    expect(api.log.to('/authenticate/').length).toBeLessThanOrEqual(1);
  });
});
