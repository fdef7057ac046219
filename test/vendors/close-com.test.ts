import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { setupServer } from 'msw/node';
import type { Source } from '../../engine/index.js';
import { createCloseApi } from './close-com.mock.js';
import { basicAuth, loadFixture, params } from './mock-kit.js';
import { loadVendor, readStreams, streamState } from './run.js';

type Row = Record<string, unknown>;
const config = loadFixture<Record<string, unknown>>('close-com', 'config.json');
const api = createCloseApi();
const server = setupServer(...api.handlers);
let source: Source;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  source = await loadVendor('close-com.yaml');
});
afterEach(() => api.log.clear());
afterAll(() => server.close());

const ids = (rows: Row[]) => rows.map((r) => String(r['id'])).sort();

const ACTIVITIES: Record<string, string> = {
  created_activities: 'created',
  note_activities: 'note',
  email_thread_activities: 'emailthread',
  email_activities: 'email',
  sms_activities: 'sms',
  call_activities: 'call',
  meeting_activities: 'meeting',
  lead_status_change_activities: 'status_change/lead',
  opportunity_status_change_activities: 'status_change/opportunity',
  task_completed_activities: 'task_completed',
};
const TASKS = ['lead', 'incoming_email', 'email_followup', 'missed_call', 'answered_detached_call', 'voicemail', 'opportunity_due', 'incoming_sms'];
const INCREMENTAL = ['leads', ...Object.keys(ACTIVITIES), ...TASKS.map((t) => `${t}_tasks`), 'events', 'opportunities'];

describe('Close.com manifest', () => {
  it('discovers 45 streams; incremental exactly on leads, activities, tasks, events, opportunities', async () => {
    const catalog = await source.discover(config);
    expect(catalog.streams).toHaveLength(45);
    const incremental = catalog.streams.filter((s) => s.supported_sync_modes.includes('incremental')).map((s) => s.name);
    expect(incremental.sort()).toEqual([...INCREMENTAL].sort());
    const spec = source.spec().connectionSpecification as { properties: Record<string, Record<string, unknown>> };
    expect(spec.properties.api_key!.airbyte_secret).toBe(true);
    expect(spec.properties.start_date!.default).toBe('2021-01-01');
  });

  it('check() reads users with the API key as Basic username and an empty password', async () => {
    expect((await source.check(config)).status).toBe('SUCCEEDED');
    const [call] = api.log.to('/api/v1/user/');
    expect(basicAuth(call!.headers)).toEqual({ user: config.api_key, password: '' });
  });

  it('check() fails clearly on a bad key without printing it', async () => {
    const result = await source.check({ ...config, api_key: 'api_wrongWRONGwrong42' });
    expect(result.status).toBe('FAILED');
    expect(result.message).toMatch(/API key|401/i);
    expect(result.message).not.toContain('api_wrongWRONGwrong42');
  });

  it('leads: _limit=200, _skip advancing by records received, stops on the short page; custom fields kept', async () => {
    const { records, errors } = await readStreams(source, config, ['leads']);
    expect(errors).toEqual([]);
    expect(ids(records.get('leads')!)).toEqual(ids(api.data.leads));
    const calls = api.log.to('/api/v1/lead/').map(params);
    expect(calls.map((p) => [p._skip, p._limit])).toEqual([
      [undefined, '200'],
      ['200', '200'],
      ['400', '200'],
    ]);
    const withCustom = records.get('leads')!.find((l) => Object.keys(l).some((k) => k.startsWith('custom.cf_')));
    expect(withCustom).toBeDefined();
  });

  it('activities: every request filters date_created within a yearly slice; all records arrive', async () => {
    const streams = Object.keys(ACTIVITIES);
    const { records, errors } = await readStreams(source, config, streams);
    expect(errors).toEqual([]);
    for (const [stream, type] of Object.entries(ACTIVITIES)) {
      expect(ids(records.get(stream)!)).toEqual(ids(api.data.activities[type]!));
      for (const call of api.log.to(`/api/v1/activity/${type}/`)) {
        const p = params(call);
        expect(p.date_created__gt).toBeDefined();
        expect(p.date_created__lte).toBeDefined();
        expect(p._limit).toBe('100');
      }
    }
    // 105 emails: the busy slice needs a second page
    expect(api.log.to('/api/v1/activity/email/').some((c) => params(c)._skip === '100')).toBe(true);
    const first = params(api.log.to('/api/v1/activity/note/')[0]!);
    expect(first.date_created__gt).toMatch(/^2021-01-01T00:00:00/);
  });

  it('tasks: one stream per _type on /task/, ordered by date_created', async () => {
    const streams = TASKS.map((t) => `${t}_tasks`);
    const { records, errors } = await readStreams(source, config, streams);
    expect(errors).toEqual([]);
    for (const t of TASKS) {
      expect(ids(records.get(`${t}_tasks`)!)).toEqual(ids(api.data.tasks.filter((r) => r['_type'] === t)));
    }
    const p = api.log.to('/api/v1/task/').map(params);
    expect(new Set(p.map((x) => x._type))).toEqual(new Set(TASKS));
    expect(p.every((x) => x._order_by === 'date_created' && x._limit === '1000')).toBe(true);
    expect(records.get('missed_call_tasks')).toEqual([]);
  });

  it('events: pages with _cursor from cursor_next (50 per page) until cursor_next is null', async () => {
    const { records, errors } = await readStreams(source, config, ['events']);
    expect(errors).toEqual([]);
    expect(ids(records.get('events')!)).toEqual(ids(api.data.events));
    const calls = api.log.to('/api/v1/event/').map(params);
    expect(calls.every((p) => p._limit === '50' && p.date_updated__gt && p.date_updated__lte)).toBe(true);
    expect(calls.some((p) => p._cursor)).toBe(true);
  });

  it('full-refresh streams: custom fields, users, contacts, statuses, pipelines, accounts, bulk actions...', async () => {
    const expected: Record<string, Row[]> = {
      lead_custom_fields: api.data.customFields.lead!,
      contact_custom_fields: api.data.customFields.contact!,
      opportunity_custom_fields: api.data.customFields.opportunity!,
      activity_custom_fields: [],
      users: api.data.users,
      contacts: api.data.contacts,
      roles: api.data.roles,
      lead_statuses: api.data.statuses.lead!,
      opportunity_statuses: api.data.statuses.opportunity!,
      pipelines: api.unpaged.get('pipeline/')!,
      email_templates: api.offsetLists.get('email_template/')!,
      google_connected_accounts: api.data.connected_accounts.filter((a) => a['_type'] === 'google'),
      custom_email_connected_accounts: api.data.connected_accounts.filter((a) => a['_type'] === 'custom_email'),
      zoom_connected_accounts: [],
      send_as: api.unpaged.get('send_as/')!,
      email_sequences: api.offsetLists.get('sequence/')!,
      dialer: [],
      smart_views: api.data.saved_searches,
      email_bulk_actions: api.data.bulk.email!,
      sequence_subscription_bulk_actions: api.data.bulk.sequence_subscription!,
      delete_bulk_actions: [],
      edit_bulk_actions: api.data.bulk.edit!,
      integration_links: api.offsetLists.get('integration_link/')!,
      custom_activities: api.unpaged.get('custom_activity/')!,
    };
    const { records, errors } = await readStreams(source, config, Object.keys(expected));
    expect(errors).toEqual([]);
    for (const [stream, rows] of Object.entries(expected)) expect([stream, ids(records.get(stream)!)]).toEqual([stream, ids(rows)]);
    // 120 contacts with _limit=100: exactly two pages
    expect(api.log.to('/api/v1/contact/').map((c) => params(c)._skip)).toEqual([undefined, '100']);
  });

  it('incremental: opportunities resume from state with date_updated__gt and _order_by=date_updated', async () => {
    const sorted = [...api.data.opportunities].sort((a, b) => String(a['date_updated']).localeCompare(String(b['date_updated'])));
    const cutRecord = sorted[200]!;
    const cut = new Date(Date.parse(String(cutRecord['date_updated']))).toISOString().replace('Z', '000Z');
    const run = await readStreams(source, config, ['opportunities'], 'incremental', streamState({ opportunities: { date_updated: cut } }));
    expect(run.errors).toEqual([]);
    const expected = api.data.opportunities.filter((o) => Date.parse(String(o['date_updated'])) > Date.parse(cut));
    expect(ids(run.records.get('opportunities')!)).toEqual(ids(expected));
    const calls = api.log.to('/api/v1/opportunity/').map(params);
    expect(calls[0]!._order_by).toBe('date_updated');
    expect(Date.parse(calls[0]!.date_updated__gt!)).toBeGreaterThan(Date.parse(cut) - 1);
    const state = run.states.get('opportunities') as { date_updated: string };
    expect(Date.parse(state.date_updated)).toBe(Date.parse(String(sorted.at(-1)!['date_updated']).replace(/(\.\d{3})\d+/, '$1')));
  });

  it('incremental: leads filter on the client side from the state', async () => {
    const byUpdate = [...api.data.leads].sort((a, b) => String(a['date_updated']).localeCompare(String(b['date_updated'])));
    const cut = new Date(Date.parse(String(byUpdate[300]!['date_updated']))).toISOString().replace('Z', '000Z');
    const run = await readStreams(source, config, ['leads'], 'incremental', streamState({ leads: { date_updated: cut } }));
    expect(run.errors).toEqual([]);
    // microsecond precision: compare the zero-padded UTC strings
    const expected = api.data.leads.filter((l) => String(l['date_updated']).replace('+00:00', '') > cut.replace('Z', ''));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(run.records.get('leads')!)).toEqual(ids(expected));
  });

  it('429: waits for the retry-after hint and retries the same page', async () => {
    api.throttleNext.set('user/', 1);
    const { records, errors } = await readStreams(source, config, ['users']);
    expect(errors).toEqual([]);
    expect(ids(records.get('users')!)).toEqual(ids(api.data.users));
    const calls = api.log.to('/api/v1/user/');
    expect(calls).toHaveLength(2);
    expect(params(calls[0]!)).toEqual(params(calls[1]!));
  });
});
