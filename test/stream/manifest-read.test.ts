/**
 * End to end through the real loader, SimpleRetriever and HTTP stack (msw in-process): a
 * substream with a per-partition datetime cursor, read twice; the second read resumes from the
 * first read's state.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { loadComponents } from '../../engine/components.js';
import { buildComponent, loadManifestText } from '../../engine/manifest/index.js';
import { createServices } from '../../engine/services.js';
import type { Stream, StreamEvent } from '../../engine/contracts.js';
import { setNowForTesting } from '../../engine/interpolation/datetime.js';
import type { Obj } from '../../engine/types.js';

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [boards] }
definitions:
  requester:
    type: HttpRequester
    url_base: http://api.test
    http_method: GET
streams:
  - type: DeclarativeStream
    name: boards
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /boards }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
  - type: DeclarativeStream
    name: cards
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    transformations:
      - type: AddFields
        fields: [{ type: AddedFieldDefinition, path: [board], value: "{{ stream_partition.board_id }}" }]
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated
      datetime_format: "%Y-%m-%d"
      start_datetime: "{{ config['start_date'] }}"
      step: P15D
      cursor_granularity: P1D
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
      end_time_option: { type: RequestOption, inject_into: request_parameter, field_name: until }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: "/boards/{{ stream_partition.board_id }}/cards" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs:
          - type: ParentStreamConfig
            parent_key: id
            partition_field: board_id
            stream: { $ref: "#/streams/0" }
`;

const CARDS: Record<string, Obj[]> = {
  b1: [
    { id: 'c1', updated: '2024-01-03' },
    { id: 'c2', updated: '2024-01-20' },
  ],
  b2: [{ id: 'c3', updated: '2024-01-10' }],
};
const requests: string[] = [];
const server = setupServer(
  http.get('http://api.test/boards', ({ request }) => {
    requests.push(new URL(request.url).pathname);
    return HttpResponse.json({ data: [{ id: 'b1' }, { id: 'b2' }] });
  }),
  http.get('http://api.test/boards/:board/cards', ({ request, params }) => {
    const url = new URL(request.url);
    requests.push(`${url.pathname}?${url.searchParams}`);
    const since = url.searchParams.get('since') ?? '';
    const until = url.searchParams.get('until') ?? '9999';
    const data = (CARDS[String(params.board)] ?? []).filter((c) => String(c.updated) >= since && String(c.updated) <= until);
    return HttpResponse.json({ data });
  }),
);

beforeAll(async () => {
  setNowForTesting(new Date('2024-01-31T12:00:00Z'));
  server.listen({ onUnhandledRequest: 'error' });
  await loadComponents();
});
afterEach(() => {
  requests.length = 0;
});
afterAll(() => {
  server.close();
  setNowForTesting(undefined);
});

function cardsStream(): Stream {
  const { root } = loadManifestText(MANIFEST, 'manifest.yaml');
  const streams = root.streams as Obj[];
  return buildComponent<Stream>(
    streams[1],
    'streams[1]',
    { start_date: '2024-01-01' },
    createServices({ logSink: () => undefined, backoffScale: 0.001 }),
    'DeclarativeStream',
  );
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe('manifest-built substream read (real retriever)', () => {
  it('reads each parent partition in windows, transforms records and resumes from per-partition state', async () => {
    const first = await collect(cardsStream().read({ syncMode: 'incremental' }));
    const records = first.flatMap((e) => (e.kind === 'record' ? [e.data] : []));
    expect(records).toEqual([
      { id: 'c1', updated: '2024-01-03', board: 'b1' },
      { id: 'c2', updated: '2024-01-20', board: 'b1' },
      { id: 'c3', updated: '2024-01-10', board: 'b2' },
    ]);
    expect(requests).toEqual([
      '/boards',
      '/boards/b1/cards?since=2024-01-01&until=2024-01-15',
      '/boards/b1/cards?since=2024-01-16&until=2024-01-30',
      '/boards/b1/cards?since=2024-01-31&until=2024-01-31',
      '/boards/b2/cards?since=2024-01-01&until=2024-01-15',
      '/boards/b2/cards?since=2024-01-16&until=2024-01-30',
      '/boards/b2/cards?since=2024-01-31&until=2024-01-31',
    ]);
    const final = first.filter((e) => e.kind === 'state').at(-1)!;
    expect(final.kind === 'state' && final.state).toEqual({
      use_global_cursor: false,
      states: [
        { partition: { board_id: 'b1', parent_slice: {} }, cursor: { updated: '2024-01-20' } },
        { partition: { board_id: 'b2', parent_slice: {} }, cursor: { updated: '2024-01-10' } },
      ],
      state: { updated: '2024-01-20' },
      lookback_window: expect.any(Number),
    });

    requests.length = 0;
    const second = await collect(cardsStream().read({ syncMode: 'incremental', state: final.kind === 'state' ? final.state : {} }));
    expect(second.flatMap((e) => (e.kind === 'record' ? [e.data.id] : []))).toEqual(['c2', 'c3']);
    expect(requests).toContain('/boards/b1/cards?since=2024-01-20&until=2024-01-31');
    expect(requests).toContain('/boards/b2/cards?since=2024-01-10&until=2024-01-24');
  });
});
