/**
 * StateDelegatingStream through the real Source (msw), after Airbyte's own cases: no state → the
 * full refresh stream; state → the incremental stream; a state older than api_retention_period →
 * full refresh again, with the stale state cleared first.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Source } from '../../engine/source/source.js';
import { setNowForTesting } from '../../engine/interpolation/datetime.js';
import type { Obj } from '../../engine/types.js';

function manifest(retention?: string): string {
  return `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
definitions:
  cursor:
    type: DatetimeBasedCursor
    cursor_field: updated_at
    start_datetime: "2024-07-01"
    end_datetime: "2024-07-15"
    datetime_format: "%Y-%m-%d"
    cursor_granularity: P1D
    step: P30D
  base:
    type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object, properties: { id: { type: integer } } } }
streams:
  - type: StateDelegatingStream
    name: items
    ${retention ? `api_retention_period: ${retention}` : ''}
    full_refresh_stream:
      $ref: "#/definitions/base"
      retriever:
        type: SimpleRetriever
        requester: { type: HttpRequester, url_base: http://api.test, path: /items }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
      incremental_sync: { $ref: "#/definitions/cursor" }
    incremental_stream:
      $ref: "#/definitions/base"
      retriever:
        type: SimpleRetriever
        requester: { type: HttpRequester, url_base: http://api.test, path: /events }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
      incremental_sync:
        $ref: "#/definitions/cursor"
        start_time_option: { type: RequestOption, field_name: start, inject_into: request_parameter }
        end_time_option: { type: RequestOption, field_name: end, inject_into: request_parameter }
`;
}

const requests: string[] = [];
const server = setupServer(
  http.get('http://api.test/items', ({ request }) => {
    requests.push(new URL(request.url).pathname + new URL(request.url).search);
    return HttpResponse.json([
      { id: 1, updated_at: '2024-07-13' },
      { id: 2, updated_at: '2024-07-14' },
    ]);
  }),
  http.get('http://api.test/events', ({ request }) => {
    requests.push(new URL(request.url).pathname + new URL(request.url).search);
    return HttpResponse.json([{ id: 3, updated_at: '2024-07-14' }]);
  }),
);
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  setNowForTesting(new Date('2024-07-15T00:00:00Z'));
});
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
});
afterAll(() => {
  server.close();
  setNowForTesting(undefined);
});

const CATALOG = { streams: [{ stream: { name: 'items' }, sync_mode: 'incremental' as const }] };

async function read(text: string, state?: Obj): Promise<{ records: Obj[]; states: Obj[] }> {
  const source = await Source.fromText(text, 'sds.yaml', { logLevel: 'ERROR' });
  const input = state ? [{ type: 'STREAM', stream: { stream_descriptor: { name: 'items' }, stream_state: state } }] : undefined;
  const out = { records: [] as Obj[], states: [] as Obj[] };
  for await (const m of source.read({}, CATALOG as never, input)) {
    const msg = m as unknown as { type: string; record?: { data: Obj }; state?: { stream: { stream_state: Obj } }; trace?: { error?: { message: string } } };
    if (msg.type === 'RECORD') out.records.push(msg.record!.data);
    if (msg.type === 'STATE') out.states.push(msg.state!.stream.stream_state);
    if (msg.type === 'TRACE' && msg.trace?.error) throw new Error(msg.trace.error.message);
  }
  return out;
}

describe('StateDelegatingStream', () => {
  it('is discovered once, as an incremental stream', async () => {
    const source = await Source.fromText(manifest(), 'sds.yaml', { logLevel: 'ERROR' });
    const catalog = await source.discover({});
    expect(catalog.streams).toHaveLength(1);
    expect(catalog.streams[0]).toMatchObject({ name: 'items', supported_sync_modes: ['full_refresh', 'incremental'], default_cursor_field: ['updated_at'] });
  });

  it('reads the full refresh stream when there is no state, and checkpoints its cursor', async () => {
    const out = await read(manifest());
    expect(requests).toEqual(['/items']);
    expect(out.records.map((r) => r.id)).toEqual([1, 2]);
    expect(out.states.at(-1)).toEqual({ updated_at: '2024-07-14' });
  });

  it('reads the incremental stream from the state', async () => {
    const out = await read(manifest(), { updated_at: '2024-07-13' });
    expect(requests).toEqual(['/events?start=2024-07-13&end=2024-07-15']);
    expect(out.records.map((r) => r.id)).toEqual([3]);
  });

  it('stays incremental while the state is within api_retention_period', async () => {
    await read(manifest('P30D'), { updated_at: '2024-07-13' });
    expect(requests).toEqual(['/events?start=2024-07-13&end=2024-07-15']);
  });

  it('falls back to full refresh and clears the state when it is older than api_retention_period', async () => {
    const out = await read(manifest('P7D'), { updated_at: '2024-07-01' });
    expect(requests).toEqual(['/items']);
    expect(out.records.map((r) => r.id)).toEqual([1, 2]);
    expect(out.states[0]).toEqual({});
    expect(out.states.at(-1)).toEqual({ updated_at: '2024-07-14' });
  });

  it('rejects halves named differently from the stream', async () => {
    const text = manifest().replace(
      '      $ref: "#/definitions/base"\n      retriever',
      '      $ref: "#/definitions/base"\n      name: other\n      retriever',
    );
    const source = await Source.fromText(text, 'sds.yaml', { logLevel: 'ERROR' });
    await expect(source.discover({})).rejects.toThrow(/must be named "items"/);
  });
});
