/**
 * RESET_PAGINATION / PaginationReset, through the real Source and HTTP stack (msw): Freshdesk's
 * "no pages beyond N" answer restarts the slice, from the latest cursor value with
 * SPLIT_USING_CURSOR, from the first page with RESET; record limits restart too; no endless loops.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Source } from '../../engine/source/source.js';
import { setNowForTesting } from '../../engine/interpolation/datetime.js';
import type { Obj } from '../../engine/types.js';

/** 12 tickets, one a day from 2024-01-01; the API serves 2 per page and refuses page 3 and later. */
const TICKETS = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, updated_at: `2024-01-${String(i + 1).padStart(2, '0')}T00:00:00Z` }));
const requests: string[] = [];
const server = setupServer(
  http.get('http://api.test/tickets', ({ request }) => {
    const url = new URL(request.url);
    requests.push(url.search);
    const page = Number(url.searchParams.get('page') ?? '1');
    if (page > 2) return HttpResponse.json({ error: 'You cannot access tickets beyond the 2nd page' }, { status: 400 });
    const since = url.searchParams.get('updated_since') ?? '';
    const rows = TICKETS.filter((t) => t.updated_at >= since);
    return HttpResponse.json(rows.slice((page - 1) * 2, page * 2));
  }),
);
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  setNowForTesting(new Date('2024-02-01T00:00:00Z'));
});
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
});
afterAll(() => {
  server.close();
  setNowForTesting(undefined);
});

function manifest(resetNode: string, filterAction = 'RESET_PAGINATION', incremental = true): string {
  return `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [tickets] }
streams:
  - type: DeclarativeStream
    name: tickets
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: http://api.test
        path: /tickets
        error_handler:
          type: DefaultErrorHandler
          response_filters:
            - type: HttpResponseFilter
              action: ${filterAction}
              http_codes: [400]
              error_message_contains: "beyond the 2nd page"
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: PageIncrement, page_size: 2, start_from_page: 1 }
${resetNode}
${
  incremental
    ? `    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "2024-01-01T00:00:00Z"
      start_time_option: { type: RequestOption, field_name: updated_since, inject_into: request_parameter }`
    : ''
}
`;
}

async function read(text: string, incremental = true): Promise<{ records: Obj[]; states: Obj[]; errors: string[] }> {
  const source = await Source.fromText(text, 'reset.yaml', { logLevel: 'ERROR', backoffScale: 0 });
  const catalog = { streams: [{ stream: { name: 'tickets' }, sync_mode: incremental ? ('incremental' as const) : ('full_refresh' as const) }] };
  const out = { records: [] as Obj[], states: [] as Obj[], errors: [] as string[] };
  for await (const m of source.read({}, catalog as never)) {
    const msg = m as unknown as Obj & { record?: { data: Obj }; state?: { stream: { stream_state: Obj } }; trace?: { error?: { message: string } } };
    if (msg.type === 'RECORD') out.records.push(msg.record!.data);
    if (msg.type === 'STATE') out.states.push(msg.state!.stream.stream_state);
    if (msg.type === 'TRACE' && msg.trace?.error) out.errors.push(msg.trace.error.message);
  }
  return out;
}

describe('RESET_PAGINATION with PaginationReset SPLIT_USING_CURSOR', () => {
  it('restarts from the latest cursor value seen and reads every record', async () => {
    const out = await read(manifest('      pagination_reset: { type: PaginationReset, action: SPLIT_USING_CURSOR }'));
    expect(out.errors).toEqual([]);
    const ids = out.records.map((r) => r.id);
    // Records at the restart boundary are read again (the boundary value is inclusive), as in Airbyte.
    expect(new Set(ids)).toEqual(new Set(TICKETS.map((t) => t.id)));
    expect(requests).toEqual([
      '?updated_since=2024-01-01T00%3A00%3A00Z',
      '?page=2&updated_since=2024-01-01T00%3A00%3A00Z',
      '?page=3&updated_since=2024-01-01T00%3A00%3A00Z',
      '?updated_since=2024-01-04T00%3A00%3A00Z',
      '?page=2&updated_since=2024-01-04T00%3A00%3A00Z',
      '?page=3&updated_since=2024-01-04T00%3A00%3A00Z',
      '?updated_since=2024-01-07T00%3A00%3A00Z',
      '?page=2&updated_since=2024-01-07T00%3A00%3A00Z',
      '?page=3&updated_since=2024-01-07T00%3A00%3A00Z',
      '?updated_since=2024-01-10T00%3A00%3A00Z',
      '?page=2&updated_since=2024-01-10T00%3A00%3A00Z',
    ]);
    expect(out.states.at(-1)).toEqual({ updated_at: '2024-01-12T00:00:00Z' });
  });

  it('fails instead of looping when a restart makes no progress', async () => {
    server.use(
      http.get('http://api.test/tickets', ({ request }) => {
        requests.push(new URL(request.url).search);
        return HttpResponse.json({ error: 'You cannot access tickets beyond the 2nd page' }, { status: 400 });
      }),
    );
    const out = await read(manifest('      pagination_reset: { type: PaginationReset, action: SPLIT_USING_CURSOR }'));
    expect(out.records).toEqual([]);
    expect(out.errors.some((e) => /pagination had to restart 1 time/.test(e))).toBe(true);
    expect(requests).toHaveLength(1);
  });
});

describe('RESET_PAGINATION without a cursor split', () => {
  it('RESET reads the slice from the first page once more, then gives up', async () => {
    const out = await read(manifest('      pagination_reset: { type: PaginationReset, action: RESET }', 'RESET_PAGINATION', false), false);
    expect(out.records.map((r) => r.id)).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    expect(requests).toEqual(['', '?page=2', '?page=3', '', '?page=2', '?page=3']);
    expect(out.errors.some((e) => /restart 2 time/.test(e))).toBe(true);
  });

  it('without pagination_reset a RESET_PAGINATION answer also restarts once', async () => {
    const out = await read(manifest('', 'RESET_PAGINATION', false), false);
    expect(requests.filter((r) => r === '')).toHaveLength(2);
    expect(out.errors.length).toBeGreaterThan(0);
  });

  it('an unknown action in the filter is still a located manifest error', async () => {
    await expect(read(manifest('', 'RESTART'), false)).rejects.toThrow(/reset.yaml:\d+:\d+ .*action.*RESET_PAGINATION/);
  });
});

describe('PaginationReset limits', () => {
  it('restarts after number_of_records records, from the cursor', async () => {
    server.use(
      http.get('http://api.test/tickets', ({ request }) => {
        const url = new URL(request.url);
        requests.push(url.search);
        const page = Number(url.searchParams.get('page') ?? '1');
        const rows = TICKETS.filter((t) => t.updated_at >= (url.searchParams.get('updated_since') ?? ''));
        return HttpResponse.json(rows.slice((page - 1) * 2, page * 2));
      }),
    );
    const out = await read(
      manifest('      pagination_reset: { type: PaginationReset, action: SPLIT_USING_CURSOR, limits: { type: PaginationResetLimits, number_of_records: 4 } }'),
    );
    expect(out.errors).toEqual([]);
    expect(new Set(out.records.map((r) => r.id))).toEqual(new Set(TICKETS.map((t) => t.id)));
    // 4 records read → restart at the 4th record's cursor value, without asking for page 3.
    expect(requests.slice(0, 3)).toEqual([
      '?updated_since=2024-01-01T00%3A00%3A00Z',
      '?page=2&updated_since=2024-01-01T00%3A00%3A00Z',
      '?updated_since=2024-01-04T00%3A00%3A00Z',
    ]);
  });
});
