#!/usr/bin/env node
/**
 * Writes the fake vendor data under fixtures/<vendor>/ that the API mocks (test/vendors/*.mock.ts)
 * and the replay recordings serve. Deterministic (seeded), so regenerating gives identical files.
 * Sizes are chosen to exercise pagination edges: several full pages, a last partial page, a list
 * that is an exact multiple of the page size (empty last page) and empty lists.
 *
 *   node scripts/generate-vendor-fixtures.mjs
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let seed = 20240229;
function rand() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
const closeId = (prefix) =>
  `${prefix}_${Array.from({ length: 43 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[int(0, 61)]).join('')}`;

// Timestamps walk forward from a base so lists are naturally ordered by creation.
function clock(startIso, maxStepMinutes) {
  let t = Date.parse(startIso);
  return () => {
    t += int(1, maxStepMinutes) * 60_000 + int(0, 999_999) / 1000;
    return new Date(Math.floor(t));
  };
}
const iso6 = (d, suffix = '+00:00') =>
  d
    .toISOString()
    .replace('Z', '')
    .replace(/\.(\d{3})$/, (_, ms) => `.${ms}${String(int(0, 999)).padStart(3, '0')}`) + suffix;

const companies = [
  'Acme Analytics',
  'Zürich Datenwerke AG',
  'Société Générale des Nuages',
  '東京クラウド株式会社',
  'Nørdic Fjord Labs',
  'São Paulo Sistemas',
  'Ümit Yazılım',
  'Brightside Health',
  "O'Reilly & Sons",
  'Δέλτα Cloud',
  'Kraków Kompute',
  'Ñandú Retail',
  'Widget "Quoted" Co',
  'Emoji Works 🚀',
];
const people = [
  'Ada Lovelace',
  'José Núñez',
  'Zoë Kravitz-Smith',
  'Łukasz Żółć',
  '李小龍',
  'Mārtiņš Bērziņš',
  'Aoife Ní Bhriain',
  'Jean-Luc Picard',
  'Olúwaseun Adé',
  'Grace Hopper',
  null,
];
const clouds = ['aws', 'azure', 'gcp'];

function write(vendor, name, data) {
  const dir = join('fixtures', vendor);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), JSON.stringify(data, null, 2) + '\n');
}

// ── Clazar ───────────────────────────────────────────────────────────────────────────────────
{
  const next = clock('2023-02-01T08:00:00Z', 60 * 24);
  const entity = (extra) => {
    const created = next();
    const modified = new Date(created.getTime() + int(0, 90) * 86_400_000);
    return {
      id: uuid(),
      cloud: pick(clouds),
      ...extra,
      metadata: { source: 'marketplace-sync', etag: hex(16), internal_notes: pick([null, 'migrated', 'ünïcödé']) },
      created_at: created.toISOString().replace('Z', '000Z'),
      last_modified_at: modified.toISOString().replace('Z', '000Z'),
    };
  };
  const byModified = (xs) => xs.sort((a, b) => a.last_modified_at.localeCompare(b.last_modified_at));
  write(
    'clazar',
    'listings.json',
    byModified(
      Array.from({ length: 230 }, (_, i) =>
        entity({
          title: `${pick(companies)} ${pick(['Platform', 'Insights', 'Connect', 'Shield'])} ${i + 1}`,
          status: pick(['LIVE', 'DRAFT', 'LIMITED', 'RESTRICTED']),
          product_code: hex(25),
          short_description: pick([null, 'Analytics for everyone', 'Données en temps réel', '高速なデータ連携']),
          pricing_model: pick(['CONTRACT', 'USAGE', 'CONTRACT_WITH_CONSUMPTION', 'FREE_TRIAL']),
          dimensions: int(0, 1) ? [{ key: 'users', name: 'Users', unit: 'Units', rate: int(10, 900) }] : [],
        }),
      ),
    ),
  );
  // Exactly one page: the second request returns an empty page.
  write(
    'clazar',
    'private_offers.json',
    byModified(
      Array.from({ length: 100 }, () =>
        entity({
          name: `Offer for ${pick(companies)}`,
          status: pick(['PUBLISHED', 'ACCEPTED', 'EXPIRED', 'DRAFT']),
          listing_id: uuid(),
          buyer_id: uuid(),
          total_contract_value: pick([null, int(1000, 500000), int(1000, 500000) + 0.5]),
          currency: 'USD',
          expiry_date: pick([null, '2024-12-31']),
        }),
      ),
    ),
  );
  write(
    'clazar',
    'buyers.json',
    byModified(
      Array.from({ length: 12 }, (_, i) =>
        entity({
          name: companies[i],
          cloud_account_id: String(int(100000000000, 999999999999)),
          domain: pick([null, 'example.com', 'example.org']),
          country: pick(['US', 'DE', 'JP', 'BR', null]),
          registration_details: { contact_email: `buyer${i}@example.com`, custom_fields: { 'Company Size': pick(['1-10', '11-50', '500+']) } },
        }),
      ),
    ),
  );
  write(
    'clazar',
    'contracts.json',
    byModified(
      Array.from({ length: 5 }, () =>
        entity({
          status: pick(['ACTIVE', 'EXPIRED', 'CANCELLED']),
          listing_id: uuid(),
          buyer_id: uuid(),
          private_offer_id: pick([null, uuid()]),
          start_date: '2023-06-01',
          end_date: pick([null, '2026-05-31']),
          entitlements: [{ dimension: 'users', value: int(1, 500) }],
        }),
      ),
    ),
  );
  write('clazar', 'opportunities.json', []);
  const datasets = [
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
  const analytics = {};
  datasets.forEach((name, d) => {
    // azure_marketplace_metered_usage stays empty: a dataset with no rows yet.
    const n = name === 'azure_marketplace_metered_usage' ? 0 : 2 + (d % 4);
    analytics[name] = Array.from({ length: n }, (_, i) => ({
      report_date: `2024-0${1 + (i % 9)}-01`,
      customer_name: pick(companies),
      product_title: `${pick(['Platform', 'Insights'])} (${name.split('_')[0].toUpperCase()})`,
      amount: pick([null, int(100, 99999) / 100]),
      currency: pick(['USD', 'EUR']),
      [`${name.split('_')[0]}_account_id`]: String(int(100000, 999999)),
    }));
  });
  write('clazar', 'analytics.json', analytics);
  write('clazar', 'config.json', { client_id: 'fake-clazar-client-id', client_secret: 'fake-clazar-client-secret' });
}

// ── ChartMogul ───────────────────────────────────────────────────────────────────────────────
{
  const next = clock('2022-01-03T10:00:00Z', 60 * 10);
  write(
    'chartmogul',
    'customers.json',
    Array.from({ length: 450 }, (_, i) => {
      const since = next();
      const mrr = pick([0, 4900, 9900, 29900, null]);
      return {
        id: 10_000 + i,
        uuid: `cus_${uuid()}`,
        external_id: `ext_${hex(10)}`,
        name: pick(companies),
        email: pick([`billing${i}@example.com`, null]),
        status: pick(['Active', 'Cancelled', 'Lead', 'Past Due']),
        'customer-since': since.toISOString().replace('.000Z', '+00:00'),
        attributes: {
          tags: pick([[], ['vip'], ['enterprise', 'eu']]),
          stripe: {},
          clearbit: {},
          custom: { Channel: pick(['Partner', 'Direct', 'Référencement']), 'Seats Purchased': int(1, 200) },
        },
        address: { address_zip: pick(['10115', null]), city: pick(['Berlin', 'Zürich', '大阪']), state: null, country: pick(['DE', 'CH', 'JP']) },
        data_source_uuid: 'ds_fake-0001',
        data_source_uuids: ['ds_fake-0001'],
        external_ids: [`ext_${hex(10)}`],
        company: null,
        country: pick(['DE', 'CH', 'JP']),
        state: null,
        city: pick(['Berlin', 'Zürich', '大阪']),
        zip: null,
        lead_created_at: null,
        free_trial_started_at: pick([null, since.toISOString()]),
        mrr,
        arr: mrr === null ? null : mrr * 12,
        'billing-system-url': 'https://dashboard.example.com/customers/x',
        'chartmogul-url': 'https://app.chartmogul.com/#customers/x',
        'billing-system-type': 'Stripe',
        currency: 'USD',
        'currency-sign': '$',
      };
    }),
  );
  const nextA = clock('2022-06-01T00:00:00Z', 60 * 24 * 2);
  write(
    'chartmogul',
    'activities.json',
    Array.from({ length: 401 }, () => {
      const type = pick(['new_biz', 'expansion', 'contraction', 'churn', 'reactivation']);
      const mrr = int(1000, 50000);
      return {
        uuid: uuid(),
        date: nextA()
          .toISOString()
          .replace('.000Z', 'Z')
          .replace(/\.\d{3}Z$/, 'Z'),
        type,
        description: pick(['purchased the Gold plan', 'upgraded to Platinum', 'cancelled – too expensive', 'réactivé']),
        'activity-mrr': type === 'churn' ? 0 : mrr,
        'activity-mrr-movement': type === 'churn' || type === 'contraction' ? -mrr : mrr,
        'activity-arr': type === 'churn' ? 0 : mrr * 12,
        currency: 'USD',
        'subscription-external-id': `sub_${hex(8)}`,
        'plan-external-id': pick(['gold_monthly', 'platinum_yearly', null]),
        'customer-name': pick(companies),
        'customer-uuid': `cus_${uuid()}`,
        'customer-external-id': `ext_${hex(10)}`,
        'billing-connector-uuid': 'ds_fake-0001',
      };
    }),
  );
  write('chartmogul', 'config.json', { api_key: 'fake-chartmogul-api-key', start_date: '2023-01-01T00:00:00Z', interval: 'month', end_date: '2025-12-31' });
}

// ── CleverTap ────────────────────────────────────────────────────────────────────────────────
{
  write(
    'clevertap',
    'profiles.json',
    Array.from({ length: 23 }, (_, i) => {
      const day = 20240101 + (i % 28);
      // As CleverTap documents profile records: no top-level id, the CleverTap ID is platformInfo[].objectId.
      // (The id these records once had is still drawn, so the seeded data after it stays the same.)
      hex(32);
      return {
        identity: pick([`user-${1000 + i}`, null]),
        name: pick(people),
        email: pick([`user${i}@example.com`, null]),
        phone: pick(['+4915112345678', null]),
        gender: pick(['M', 'F', 'O', null]),
        all_identities: [`user-${1000 + i}`],
        platformInfo: [
          {
            platform: pick(['Android', 'iOS', 'Web']),
            os_version: pick(['14', '17.2', null]),
            app_version: '3.2.1',
            make: pick(['Google', 'Apple']),
            model: 'x',
            objectId: `__i${hex(30)}`,
            push_token: pick([null, `fcm:${hex(40)}`]),
          },
        ],
        profileData: {
          'Customer Type': pick(['Silver', 'Gold', 'Platinum']),
          'Preferred Language': pick(['de', 'ja', 'pt-BR']),
          Lieblingsfarbe: pick(['grün', 'blau', null]),
          points: int(0, 10000),
        },
        events: { 'App Launched': { count: int(1, 90), first_seen: 1704067200 + i * 3600, last_seen: 1706659200 + i * 3600 } },
        // Event day of the profile, used by the mock to apply from/to.
        _event_day: day,
      };
    }),
  );
  write('clevertap', 'config.json', {
    account_id: 'TEST-ABC-1234',
    passcode: 'FAKE-PASSCODE-QWERTY',
    region: 'eu1',
    event_name: 'App Launched',
    start_date: 20240101,
    end_date: 20240131,
    batch_size: 10,
  });
}

// ── Close.com ────────────────────────────────────────────────────────────────────────────────
{
  const next = clock('2022-01-05T09:00:00Z', 60 * 24);
  const orgId = closeId('orga');
  const users = Array.from({ length: 4 }, (_, i) => ({
    id: closeId('user'),
    first_name: ['Ada', 'José', 'Zoë', 'Łukasz'][i],
    last_name: ['Lovelace', 'Núñez', 'Kravitz', 'Żółć'][i],
  }));
  const base = (prefix) => {
    const created = next();
    const updated = new Date(created.getTime() + int(0, 400) * 86_400_000);
    const user = pick(users);
    return {
      id: closeId(prefix),
      organization_id: orgId,
      date_created: iso6(created),
      // Capped so every record predates the example config's end_date (replays stay valid).
      date_updated: iso6(updated > Date.parse('2025-06-30T00:00:00Z') ? created : updated),
      created_by: user.id,
      updated_by: pick([user.id, null]),
    };
  };
  const close = {};
  close.leads = Array.from({ length: 450 }, (_, _i) => {
    const b = base('lead');
    return {
      ...b,
      display_name: pick(companies),
      name: pick(companies),
      description: pick([null, '', 'Met at Web Summit – très intéressé']),
      url: pick([null, 'https://example.com']),
      status_id: closeId('stat'),
      status_label: pick(['Potential', 'Bad Fit', 'Qualified', 'Customer']),
      contacts: [],
      opportunities: [],
      tasks: [],
      addresses: [],
      custom: { 'Lead Source': pick(['Webinar', 'Referral', null]), 'ARR Band': pick(['<10k', '10k-100k']) },
      [`custom.cf_${hex(20)}`]: pick(['custom value', null, 42]),
      html_url: `https://app.close.com/lead/${b.id}/`,
    };
  });
  close.contacts = Array.from({ length: 120 }, () => ({
    ...base('cont'),
    lead_id: pick(close.leads).id,
    name: pick(people),
    title: pick(['CEO', 'Directrice financière', null]),
    emails: [{ email: 'person@example.com', type: 'office' }],
    phones: pick([[], [{ phone: '+4930123456', type: 'office' }]]),
    urls: [],
  }));
  close.opportunities = Array.from({ length: 260 }, () => ({
    ...base('oppo'),
    lead_id: pick(close.leads).id,
    lead_name: pick(companies),
    status_id: closeId('stat'),
    status_label: pick(['Active', 'Won', 'Lost']),
    status_type: pick(['active', 'won', 'lost']),
    pipeline_id: closeId('pipe'),
    value: pick([null, int(1000, 100000) * 100]),
    value_currency: 'USD',
    value_period: pick(['one_time', 'monthly', 'annual']),
    confidence: int(0, 100),
    note: pick(['', 'Renewal 🚀', null]),
    user_id: pick(users).id,
    date_won: pick([null, '2024-03-31']),
  }));
  const activityTypes = {
    created: 3,
    note: 7,
    emailthread: 2,
    email: 105,
    sms: 0,
    call: 4,
    meeting: 2,
    'status_change/lead': 3,
    'status_change/opportunity': 2,
    task_completed: 1,
  };
  close.activities = {};
  for (const [type, n] of Object.entries(activityTypes)) {
    close.activities[type] = Array.from({ length: n }, () => ({
      ...base('acti'),
      _type: type.replace('status_change/', 'StatusChange').replace(/^./, (c) => c.toUpperCase()),
      lead_id: pick(close.leads).id,
      contact_id: pick([null, pick(close.contacts).id]),
      user_id: pick(users).id,
      user_name: pick(people),
      note: pick([null, 'Called – left voicemail', 'Notiz: Rückruf am Montag']),
      subject: pick([null, 'Re: Angebot', 'Quote ✔']),
      direction: pick(['outbound', 'inbound', null]),
      duration: pick([0, 35, null]),
      status: pick(['completed', 'sent', null]),
    }));
  }
  const taskTypes = {
    lead: 6,
    incoming_email: 3,
    email_followup: 2,
    missed_call: 0,
    answered_detached_call: 1,
    voicemail: 2,
    opportunity_due: 2,
    incoming_sms: 1,
  };
  close.tasks = Object.entries(taskTypes).flatMap(([type, n]) =>
    Array.from({ length: n }, () => ({
      ...base('task'),
      _type: type,
      lead_id: pick(close.leads).id,
      lead_name: pick(companies),
      assigned_to: pick(users).id,
      assigned_to_name: pick(people),
      text: pick(['Follow up', 'Rappeler le client', '電話する']),
      is_complete: rand() < 0.5,
      is_dateless: false,
      date: '2024-05-02',
      due_date: pick([null, '2024-05-02']),
    })),
  );
  close.events = Array.from({ length: 120 }, () => {
    const b = base('ev');
    return {
      id: b.id,
      organization_id: orgId,
      object_type: pick(['lead', 'contact', 'opportunity', 'activity.note']),
      object_id: pick(close.leads).id,
      action: pick(['created', 'updated', 'deleted']),
      lead_id: pick(close.leads).id,
      user_id: pick(users).id,
      request_id: `req_${hex(20)}`,
      changed_fields: pick([[], ['status_id'], ['name', 'custom.cf_x']]),
      data: { name: pick(companies) },
      previous_data: {},
      date_created: b.date_created,
      date_updated: b.date_updated,
      meta: {},
    };
  });
  const simple = (prefix, n, extra = () => ({})) =>
    Array.from({ length: n }, (_, i) => ({ ...base(prefix), name: `${pick(['Standard', 'Spécial', 'カスタム'])} ${prefix} ${i + 1}`, ...extra(i) }));
  const customField = () => ({
    description: pick([null, 'Where the lead came from']),
    type: pick(['text', 'choices', 'number', 'date', 'user']),
    choices: pick([[], ['A', 'B', 'Ç']]),
    accepts_multiple_values: rand() < 0.3,
    editable_with_roles: [],
  });
  close.custom_fields = { lead: simple('cf', 5, customField), contact: simple('cf', 2, customField), opportunity: simple('cf', 3, customField), activity: [] };
  close.users = users.map((u, i) => ({
    ...base('user'),
    ...u,
    email: `${u.first_name.toLowerCase()}@example.com`,
    image: null,
    organizations: [orgId],
    name: undefined,
    date_created: iso6(new Date(Date.parse('2022-01-01T00:00:00Z') + i * 86_400_000)),
  }));
  close.roles = simple('role', 3, () => ({ permissions: ['read'] }));
  close.statuses = {
    lead: ['Potential', 'Bad Fit', 'Qualified', 'Customer'].map((label) => ({ id: closeId('stat'), label, organization_id: orgId })),
    opportunity: ['Active', 'Won', 'Lost'].map((label) => ({
      id: closeId('stat'),
      label,
      type: label.toLowerCase(),
      pipeline_id: closeId('pipe'),
      organization_id: orgId,
    })),
  };
  close.pipelines = simple('pipe', 2, () => ({ statuses: [] }));
  close.email_templates = simple('tmpl', 4, () => ({ subject: 'Hallo {{ contact.first_name }}', body: '<p>Grüße</p>', is_shared: true, is_archived: false }));
  close.connected_accounts = [
    ...simple('emailacct', 2, () => ({ _type: 'google', email: 'sales@example.com' })),
    ...simple('emailacct', 1, () => ({ _type: 'custom_email', email: 'imap@example.com' })),
  ];
  close.send_as = simple('sndas', 1, () => ({ allowing_user_id: users[0].id, allowed_user_id: users[1].id }));
  close.sequences = simple('seq', 3, () => ({ status: 'active', steps: [] }));
  close.dialer = simple('dialer', 0);
  close.saved_searches = simple('save', 5, () => ({ type: 'lead', is_shared: true }));
  close.bulk_actions = { email: simple('bulkemail', 2), sequence_subscription: simple('bulksub', 1), delete: [], edit: simple('bulkedit', 1) };
  close.integration_links = simple('integ', 1, () => ({ url: 'https://example.com/{{ lead.id }}', type: 'lead' }));
  close.custom_activities = simple('actitype', 2, () => ({ fields: [] }));
  for (const [name, data] of Object.entries(close)) write('close-com', `${name}.json`, data);
  write('close-com', 'config.json', { api_key: 'api_FAKEfakeFAKEfake1234567890', start_date: '2021-01-01', end_date: '2025-12-31' });
}
console.log('fixtures written');
