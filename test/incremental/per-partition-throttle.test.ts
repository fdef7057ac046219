/**
 * Per-partition checkpoints are throttled so the STATE output of a read stays linear in its
 * records, not quadratic in its partitions: a substream over N parents with one child record each
 * used to print N states each carrying every partition so far. What must still hold:
 * - the total STATE bytes stay within a small multiple of the final state, which is complete;
 * - a state only covers records already emitted: resuming from any state of the read loses nothing;
 * - time-based throttling (CDK: at most one per 600 s) runs on an injectable clock.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { CHECKPOINT_INTERVAL_MS, PerPartitionCursor, SWITCH_TO_GLOBAL_LIMIT } from '../../engine/incremental/per-partition-cursor.js';
import { DatetimeBasedCursor } from '../../engine/incremental/datetime-based-cursor.js';
import { MinMaxDatetime } from '../../engine/incremental/min-max-datetime.js';
import { setNowForTesting } from '../../engine/interpolation/datetime.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { useMswServer } from '../helpers/msw.js';

beforeAll(() => setNowForTesting(new Date('2024-02-01T00:00:00Z')));
afterAll(() => setNowForTesting(undefined));

const server = useMswServer();

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [parents] }
definitions:
  selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
  parents:
    type: DeclarativeStream
    name: parents
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: http://api.test, path: /parents }
      record_selector: { $ref: "#/definitions/selector" }
streams:
  - type: DeclarativeStream
    name: children
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "2024-01-01T00:00:00Z"
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: http://api.test, path: "/parents/{{ stream_partition.parent }}/children" }
      record_selector: { $ref: "#/definitions/selector" }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs:
          - { type: ParentStreamConfig, parent_key: id, partition_field: parent, stream: { $ref: "#/definitions/parents" } }
`;

/** N parents; each child list is filtered by `since` like the API would. */
function serve(children: Map<string, Obj[]>): void {
  server.use(
    http.get('http://api.test/parents', () => HttpResponse.json({ data: [...children.keys()].map((id) => ({ id })) })),
    http.get('http://api.test/parents/:p/children', ({ request, params }) => {
      const since = new URL(request.url).searchParams.get('since') ?? '';
      return HttpResponse.json({ data: (children.get(String(params.p)) ?? []).filter((c) => String(c.updated_at) >= since) });
    }),
  );
}

function oneChildEach(n: number, day = '02'): Map<string, Obj[]> {
  const out = new Map<string, Obj[]>();
  for (let i = 0; i < n; i++) out.set(`p${i}`, [{ id: `c${i}-${day}`, updated_at: `2024-01-${day}T00:00:00Z` }]);
  return out;
}

async function read(state?: Obj): Promise<AirbyteMessage[]> {
  const source = await Source.fromText(MANIFEST, 'm.yaml');
  const catalog = { streams: [{ stream: { name: 'children' }, sync_mode: 'incremental' as const, destination_sync_mode: 'append' as const }] };
  const input = state ? [{ type: 'STREAM', stream: { stream_descriptor: { name: 'children' }, stream_state: state } }] : undefined;
  const messages: AirbyteMessage[] = [];
  for await (const m of source.read({}, catalog, input, { concurrency: 1 })) messages.push(m);
  return messages;
}

const stateOf = (m: AirbyteMessage): Obj | undefined => (m.type === 'STATE' ? (m.state.stream?.stream_state as Obj | undefined) : undefined);
const recordIds = (ms: AirbyteMessage[]): string[] => ms.flatMap((m) => (m.type === 'RECORD' ? [String(m.record.data.id)] : []));

describe('throttled per-partition checkpoints', () => {
  const N = 100;

  it('keeps the total STATE bytes within a small multiple of the complete final state', async () => {
    serve(oneChildEach(N));
    const messages = await read();
    expect(recordIds(messages)).toHaveLength(N);
    const states = messages.flatMap((m) => (m.type === 'STATE' ? [JSON.stringify(m)] : []));
    const total = states.reduce((n, s) => n + s.length, 0);
    const final = stateOf(messages.filter((m) => m.type === 'STATE').at(-1)!)!;
    expect(total).toBeGreaterThan(0);
    expect((final.states as unknown[]).length).toBe(N);
    expect(final.state).toEqual({ updated_at: '2024-01-02T00:00:00Z' });
    // Doubling checkpoints: 1, 2, 4 … 256 partitions, then the final one.
    expect(
      states.map(
        (s) => ((JSON.parse(s) as AirbyteMessage & { state: { stream: { stream_state: Obj } } }).state.stream.stream_state.states as unknown[]).length,
      ),
    ).toEqual([1, 2, 4, 8, 16, 32, 64, N]);
    expect(total).toBeLessThanOrEqual(4 * states.at(-1)!.length);
    // The old behaviour (one state per partition) would be ~N/2 times the final state.
  });

  it('the final state resumes without skipping: only newer child records come back, all of them', async () => {
    serve(oneChildEach(N));
    const first = await read();
    const final = stateOf(first.filter((m) => m.type === 'STATE').at(-1)!)!;
    const next = oneChildEach(N);
    for (const [id, list] of next) list.push({ id: `${id}-new`, updated_at: '2024-01-03T00:00:00Z' });
    serve(next);
    const resumed = recordIds(await read(final));
    const expected = [...next.values()]
      .flat()
      .filter((c) => String(c.updated_at) >= '2024-01-02T00:00:00Z')
      .map((c) => String(c.id));
    expect(resumed.sort()).toEqual(expected.sort());
  });

  it('no state covers an unemitted record: a read interrupted right after any state and resumed from it sees every record', async () => {
    const children = oneChildEach(40);
    // Partitions with several records of different days, so a cursor that ran ahead would skip some.
    for (let i = 0; i < 40; i += 3) children.get(`p${i}`)!.push({ id: `c${i}-05`, updated_at: '2024-01-05T00:00:00Z' });
    serve(children);
    const all = [...children.values()].flat().map((c) => String(c.id));
    const messages = await read();
    expect(recordIds(messages).sort()).toEqual([...all].sort());
    const checkpoints = messages.flatMap((m, i) => (m.type === 'STATE' ? [i] : []));
    expect(checkpoints.length).toBeGreaterThan(2);
    for (const at of checkpoints.slice(0, -1)) {
      const before = recordIds(messages.slice(0, at + 1));
      const after = recordIds(await read(stateOf(messages[at]!)));
      expect(new Set([...before, ...after])).toEqual(new Set(all));
    }
  });
});

function datetimeCursor(): DatetimeBasedCursor {
  return new DatetimeBasedCursor({
    cursorField: 'updated_at',
    datetimeFormat: '%Y-%m-%dT%H:%M:%SZ',
    cursorDatetimeFormats: ['%Y-%m-%dT%H:%M:%SZ'],
    start: new MinMaxDatetime('2024-01-01T00:00:00Z', '%Y-%m-%dT%H:%M:%SZ', undefined, undefined, {}, 'start'),
    end: undefined,
    step: undefined,
    granularity: undefined,
    lookback: undefined,
    startOption: undefined,
    endOption: undefined,
    partitionFieldStart: 'start_time',
    partitionFieldEnd: 'end_time',
    isDataFeed: false,
    isClientSideIncremental: false,
    isCompareStrictly: false,
    globalSubstreamCursor: false,
    config: {},
  });
}

/** Reads one partition's single window with `records` records through the cursor. */
function readPartition(cursor: PerPartitionCursor, id: number, records: number): void {
  const partition = { parent: `p${id}` };
  const own = cursor.cursorFor(partition);
  for (const window of own.slices()) {
    const slice = makeSlice(partition, window);
    for (let r = 0; r < records; r++) cursor.observe({ id: `${id}-${r}`, updated_at: '2024-01-02T00:00:00Z' }, slice, own);
    cursor.closeSlice(slice, own);
  }
}

describe('PerPartitionCursor.checkpointDue', () => {
  it('checkpoints the first slice, then when records outnumber the entries, or after CHECKPOINT_INTERVAL_MS', () => {
    let now = 0;
    const cursor = new PerPartitionCursor(datetimeCursor(), undefined, false, () => now);
    cursor.setState(undefined);
    readPartition(cursor, 0, 0);
    expect(cursor.checkpointDue()).toBe(true);
    // Partitions without records: the state grows with nothing emitted to pay for it.
    for (let i = 1; i <= 5; i++) {
      readPartition(cursor, i, 0);
      expect(cursor.checkpointDue()).toBe(false);
    }
    now += CHECKPOINT_INTERVAL_MS;
    expect(cursor.checkpointDue()).toBe(true);
    expect(cursor.checkpointDue()).toBe(false);
    // That checkpoint wrote 6 entries: the next is due once 6 records went out since.
    readPartition(cursor, 6, 5);
    expect(cursor.checkpointDue()).toBe(false);
    readPartition(cursor, 7, 1);
    expect(cursor.checkpointDue()).toBe(true);
    // 8 entries written: 8 more records.
    readPartition(cursor, 8, 7);
    expect(cursor.checkpointDue()).toBe(false);
    readPartition(cursor, 9, 1);
    expect(cursor.checkpointDue()).toBe(true);
  });

  it('past SWITCH_TO_GLOBAL_LIMIT partitions writes the global cursor only, keeps no partition cursors, and checkpoints by time only', () => {
    let now = 0;
    const cursor = new PerPartitionCursor(datetimeCursor(), undefined, false, () => now);
    cursor.setState(undefined);
    for (let i = 0; i <= SWITCH_TO_GLOBAL_LIMIT; i++) readPartition(cursor, i, 1);
    expect(cursor.size).toBe(SWITCH_TO_GLOBAL_LIMIT + 1);
    cursor.checkpointDue();
    readPartition(cursor, SWITCH_TO_GLOBAL_LIMIT + 1, 50);
    expect(cursor.checkpointDue()).toBe(false);
    now += CHECKPOINT_INTERVAL_MS;
    expect(cursor.checkpointDue()).toBe(true);
    const state = cursor.state();
    expect(state.use_global_cursor).toBe(true);
    expect(state.states).toBeUndefined();
    cursor.finish();
    expect(cursor.state().state).toEqual({ updated_at: '2024-01-02T00:00:00Z' });
    expect((cursor as unknown as { entries: Map<string, unknown> }).entries.size).toBe(0);
  });
});
