/** TwoStepCursorPaginator end to end (msw + the real HttpRequester): CleverTap-style POST-then-GET paging. */
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { Retriever } from '../../engine/contracts.js';
import { makeSlice, type DataRecord } from '../../engine/types.js';
import { build } from '../extract/support.js';
import { loadComponents } from '../../engine/components.js';

const seen: Array<{ method: string; url: URL; body: unknown }> = [];
const server = setupServer();
beforeAll(async () => {
  await loadComponents();
  server.listen({ onUnhandledRequest: 'error' });
});
afterEach(() => {
  server.resetHandlers();
  seen.length = 0;
});
afterAll(() => server.close());

const BASE = 'https://eu1.api.clevertap.test';
const requester = {
  type: 'HttpRequester',
  url_base: BASE,
  path: '/1/profiles.json',
  http_method: 'GET',
  request_headers: { 'X-CleverTap-Account-Id': '{{ config.account_id }}' },
};

function profilesRetriever(): Retriever {
  return build<Retriever>(
    {
      type: 'SimpleRetriever',
      requester,
      record_selector: { type: 'RecordSelector', extractor: { type: 'DpathExtractor', field_path: ['records'] } },
      paginator: {
        type: 'TwoStepCursorPaginator',
        start_request: {
          ...requester,
          http_method: 'POST',
          request_body_json: { event_name: '{{ config.event_name }}', from: '{{ config.start_date }}', to: '{{ config.end_date }}' },
        },
        cursor_value: '{{ response.cursor }}',
        next_cursor_value: '{{ response.next_cursor }}',
        cursor_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'cursor' },
      },
    },
    { account_id: 'acc-1', event_name: 'App Launched', start_date: 20240101, end_date: 20240131 },
  );
}

async function readAll(r: Retriever): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const rec of r.readSlice({ stream: 'profiles', slice: makeSlice(), extra: [] })) out.push(rec);
  return out;
}

function record(method: string, request: Request, body: unknown) {
  seen.push({ method, url: new URL(request.url), body });
}

describe('TwoStepCursorPaginator', () => {
  it('opens the export with step 1, then pages with the cursor until none is left', async () => {
    server.use(
      http.post(`${BASE}/1/profiles.json`, async ({ request }) => {
        record('POST', request, await request.json());
        return HttpResponse.json({ status: 'success', cursor: 'c1' });
      }),
      http.get(`${BASE}/1/profiles.json`, ({ request }) => {
        record('GET', request, undefined);
        const cursor = new URL(request.url).searchParams.get('cursor');
        if (cursor === 'c1') return HttpResponse.json({ status: 'success', records: [{ id: 'a' }, { id: 'b' }], next_cursor: 'c2' });
        if (cursor === 'c2') return HttpResponse.json({ status: 'success', records: [{ id: 'c' }] });
        return HttpResponse.json({ error: 'bad cursor' }, { status: 400 });
      }),
    );
    const records = await readAll(profilesRetriever());
    expect(records.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(seen.map((s) => `${s.method} ${s.url.searchParams.get('cursor') ?? '-'}`)).toEqual(['POST -', 'GET c1', 'GET c2']);
    expect(seen[0]!.body).toEqual({ event_name: 'App Launched', from: 20240101, to: 20240131 });
    expect(seen[1]!.url.pathname).toBe('/1/profiles.json');
  });

  it('reads nothing when step 1 gives no cursor', async () => {
    server.use(
      http.post(`${BASE}/1/profiles.json`, async ({ request }) => {
        record('POST', request, await request.json());
        return HttpResponse.json({ status: 'success' });
      }),
    );
    expect(await readAll(profilesRetriever())).toEqual([]);
    expect(seen.map((s) => s.method)).toEqual(['POST']);
  });
});
