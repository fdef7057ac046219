/**
 * DeclarativeStream reads, in the style of Airbyte's acceptance tests: sequential reads, re-reads
 * from every checkpoint, future state, limits, concurrency ordering, full refresh.
 */
import { describe, it, expect } from '@jest/globals';
import '../../engine/http/request-option.js';
import '../../engine/incremental/datetime-based-cursor.js';
import '../../engine/incremental/incrementing-count-cursor.js';
import '../../engine/stream/inline-schema-loader.js';
import '../../engine/stream/json-file-schema-loader.js';
import { buildDeclarativeStream, type DeclarativeStream, normalizePrimaryKey } from '../../engine/stream/declarative-stream.js';
import type { StreamEvent } from '../../engine/contracts.js';
import type { DataRecord, Obj } from '../../engine/types.js';
import { fakeContext, testServices } from './fake-build-context.js';
import { FakeRetriever, fakeRetrievers, windowed } from './fake-retriever.js';

const FORMAT = '%Y-%m-%dT%H:%M:%SZ';
/** Two records a day, 2024-01-01 .. 2024-01-10. */
const DATASET: DataRecord[] = Array.from({ length: 10 }, (_, d) => [
  { id: `${d + 1}a`, updated_at: `2024-01-${String(d + 1).padStart(2, '0')}T05:00:00Z` },
  { id: `${d + 1}b`, updated_at: `2024-01-${String(d + 1).padStart(2, '0')}T17:00:00Z` },
]).flat();

const CURSOR = {
  type: 'DatetimeBasedCursor',
  cursor_field: 'updated_at',
  datetime_format: FORMAT,
  start_datetime: '{{ config["start_date"] }}',
  end_datetime: '2024-01-10T23:59:59Z',
  step: 'P1D',
  cursor_granularity: 'PT1S',
  start_time_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'since' },
  end_time_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'until' },
};
const CONFIG = { start_date: '2024-01-01T00:00:00Z' };

function makeStream(retriever: FakeRetriever, cursor: Obj | null = CURSOR, extra: Obj = {}): DeclarativeStream {
  const key = `r${fakeRetrievers.size}`;
  fakeRetrievers.set(key, retriever);
  const node = {
    type: 'DeclarativeStream',
    name: 'items',
    primary_key: 'id',
    retriever: { type: 'FakeRetriever', key },
    schema_loader: { type: 'InlineSchemaLoader', schema: { type: 'object' } },
    ...(cursor ? { incremental_sync: cursor } : {}),
    ...extra,
  };
  return buildDeclarativeStream(node, fakeContext(CONFIG));
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
const recordsOf = (events: StreamEvent[]): DataRecord[] => events.flatMap((e) => (e.kind === 'record' ? [e.data] : []));
const statesOf = (events: StreamEvent[]): Obj[] => events.flatMap((e) => (e.kind === 'state' ? [e.state] : []));

describe('DeclarativeStream incremental reads', () => {
  it('reads day windows with the window bounds in the request and checkpoints after each', async () => {
    const retriever = new FakeRetriever(windowed(DATASET, 'updated_at'));
    const events = await collect(makeStream(retriever).read({ syncMode: 'incremental' }));
    expect(recordsOf(events).map((r) => r.id)).toEqual(DATASET.map((r) => r.id));
    expect(retriever.requests).toHaveLength(10);
    expect(retriever.requests[0]!.params).toEqual({ since: '2024-01-01T00:00:00Z', until: '2024-01-01T23:59:59Z' });
    expect(retriever.requests[9]!.params).toEqual({ since: '2024-01-10T00:00:00Z', until: '2024-01-10T23:59:59Z' });
    const states = statesOf(events);
    expect(states).toHaveLength(10);
    expect(states[0]).toEqual({ updated_at: '2024-01-01T17:00:00Z' });
    expect(states.at(-1)).toEqual({ updated_at: '2024-01-10T17:00:00Z' });
    // Every state follows the records it covers.
    expect(events.map((e) => e.kind).slice(0, 6)).toEqual(['record', 'record', 'state', 'record', 'record', 'state']);
    expect(events[5]).toEqual({ kind: 'state', state: { updated_at: '2024-01-02T17:00:00Z' } });
  });

  it('second read from the last state yields only records at or after the cursor', async () => {
    const first = await collect(makeStream(new FakeRetriever(windowed(DATASET, 'updated_at'))).read({ syncMode: 'incremental' }));
    const last = statesOf(first).at(-1)!;
    const retriever = new FakeRetriever(windowed(DATASET, 'updated_at'));
    const second = await collect(makeStream(retriever).read({ syncMode: 'incremental', state: last }));
    const cursor = String(last.updated_at);
    expect(recordsOf(second).every((r) => String(r.updated_at) >= cursor)).toBe(true);
    expect(recordsOf(second).map((r) => r.id)).toEqual(['10b']);
    expect(statesOf(second).at(-1)).toEqual(last);
  });

  it('re-reading from every intermediate checkpoint leaves no gap', async () => {
    const first = await collect(makeStream(new FakeRetriever(windowed(DATASET, 'updated_at'))).read({ syncMode: 'incremental' }));
    for (let i = 0; i < first.length; i++) {
      const event = first[i]!;
      if (event.kind !== 'state') continue;
      const before = recordsOf(first.slice(0, i)).map((r) => r.id);
      const resumed = await collect(makeStream(new FakeRetriever(windowed(DATASET, 'updated_at'))).read({ syncMode: 'incremental', state: event.state }));
      const union = new Set([...before, ...recordsOf(resumed).map((r) => r.id)]);
      expect([...union].sort()).toEqual(DATASET.map((r) => String(r.id)).sort());
    }
  });

  it('a future state yields no records and keeps the state', async () => {
    const future = { updated_at: '2099-01-01T00:00:00Z' };
    const retriever = new FakeRetriever(windowed(DATASET, 'updated_at'));
    const events = await collect(makeStream(retriever).read({ syncMode: 'incremental', state: future }));
    expect(recordsOf(events)).toEqual([]);
    expect(retriever.requests).toHaveLength(0);
    expect(statesOf(events)).toEqual([future]);
  });

  it('lookback_window re-reads the days before the state', async () => {
    const retriever = new FakeRetriever(windowed(DATASET, 'updated_at'));
    const stream = makeStream(retriever, { ...CURSOR, lookback_window: 'P2D' });
    await collect(stream.read({ syncMode: 'incremental', state: { updated_at: '2024-01-09T17:00:00Z' } }));
    expect(retriever.requests[0]!.params.since).toBe('2024-01-07T17:00:00Z');
  });

  it('honours record, page and slice limits', async () => {
    const r1 = await collect(makeStream(new FakeRetriever(windowed(DATASET, 'updated_at'))).read({ syncMode: 'incremental', limits: { records: 3 } }));
    expect(recordsOf(r1).map((r) => r.id)).toEqual(['1a', '1b', '2a']);
    const sliceLimited = new FakeRetriever(windowed(DATASET, 'updated_at'));
    const r2 = await collect(makeStream(sliceLimited).read({ syncMode: 'incremental', limits: { slices: 2 } }));
    expect(sliceLimited.requests).toHaveLength(2);
    expect(recordsOf(r2)).toHaveLength(4);
    const paged = new FakeRetriever(() => DATASET, 2);
    const r3 = await collect(makeStream(paged, null).read({ syncMode: 'full_refresh', limits: { pages: 2 } }));
    expect(recordsOf(r3).map((r) => r.id)).toEqual(['1a', '1b', '2a', '2b']);
  });

  it('client-side incremental drops records outside [state, end]', async () => {
    // The API ignores the window: the cursor filters.
    const retriever = new FakeRetriever(() => DATASET, 100);
    const cursor = { ...CURSOR, is_client_side_incremental: true, step: undefined, cursor_granularity: undefined };
    delete (cursor as Obj).step;
    delete (cursor as Obj).cursor_granularity;
    const events = await collect(makeStream(retriever, cursor).read({ syncMode: 'incremental', state: { updated_at: '2024-01-09T00:00:00Z' } }));
    expect(recordsOf(events).map((r) => r.id)).toEqual(['9a', '9b', '10a', '10b']);
    expect(statesOf(events)).toEqual([{ updated_at: '2024-01-10T17:00:00Z' }]);
  });

  it('data feeds stop paginating after the page that reached the state, and drop its already-synced records', async () => {
    const newestFirst = [...DATASET].reverse();
    const retriever = new FakeRetriever(() => newestFirst, 3);
    const feed = { ...CURSOR, is_data_feed: true };
    delete (feed as Obj).step;
    delete (feed as Obj).cursor_granularity;
    const events = await collect(makeStream(retriever, feed).read({ syncMode: 'incremental', state: { updated_at: '2024-01-09T17:00:00Z' } }));
    // Page 1: 10b 10a 9b; page 2: 9a 8b 8a, all older than the state (Airbyte filters them) — then no page 3.
    expect(recordsOf(events).map((r) => r.id)).toEqual(['10b', '10a', '9b']);
  });
});

describe('DeclarativeStream concurrency', () => {
  it("keeps each slice's records before the states that cover them, states never go back", async () => {
    const delays = [7, 1, 5, 0, 3, 2, 6, 1, 4, 0];
    const retriever = new FakeRetriever(windowed(DATASET, 'updated_at'), 1, (slice) => delays[Number(String(slice.cursor_slice.start_time).slice(8, 10)) - 1]!);
    const events = await collect(makeStream(retriever).read({ syncMode: 'incremental', concurrency: 4 }));
    expect(
      recordsOf(events)
        .map((r) => r.id)
        .sort(),
    ).toEqual(DATASET.map((r) => String(r.id)).sort());
    let previous = '';
    events.forEach((event, position) => {
      if (event.kind !== 'state') return;
      const value = String(event.state.updated_at ?? '');
      expect(value >= previous).toBe(true);
      previous = value;
      const covered = DATASET.filter((r) => String(r.updated_at) <= value).map((r) => r.id);
      const emittedBefore = new Set(recordsOf(events.slice(0, position)).map((r) => r.id));
      for (const id of covered) expect(emittedBefore.has(id)).toBe(true);
    });
    expect(statesOf(events).at(-1)).toEqual({ updated_at: '2024-01-10T17:00:00Z' });
  });
});

describe('DeclarativeStream full refresh and building', () => {
  it('full refresh ignores the input state and ends with the no-cursor state when there is no cursor', async () => {
    const events = await collect(makeStream(new FakeRetriever(() => DATASET.slice(0, 3)), null).read({ syncMode: 'full_refresh' }));
    expect(recordsOf(events)).toHaveLength(3);
    expect(statesOf(events)).toEqual([{ __ab_no_cursor_state_message: true }]);
    const withCursor = new FakeRetriever(windowed(DATASET, 'updated_at'));
    const full = await collect(makeStream(withCursor).read({ syncMode: 'full_refresh', state: { updated_at: '2024-01-09T00:00:00Z' } }));
    expect(recordsOf(full)).toHaveLength(20);
    expect(statesOf(full)).toEqual([]);
  });

  it('normalizes primary keys, exposes the cursor field and hands transformations to the retriever', async () => {
    expect(normalizePrimaryKey('id')).toEqual([['id']]);
    expect(normalizePrimaryKey(['a', 'b'])).toEqual([['a'], ['b']]);
    expect(normalizePrimaryKey([['a', 'b']])).toEqual([['a', 'b']]);
    expect(normalizePrimaryKey(undefined)).toEqual([]);
    const retriever = new FakeRetriever(() => []);
    const stream = makeStream(retriever, CURSOR, { transformations: [{ type: 'InlineSchemaLoader', schema: {} }] });
    expect(stream.cursorField).toEqual(['updated_at']);
    expect(stream.supportsIncremental).toBe(true);
    expect(stream.primaryKey).toEqual([['id']]);
    expect(retriever.transformations).toHaveLength(1);
    expect(await stream.jsonSchema()).toEqual({ type: 'object' });
  });

  it('a missing schema file gives a permissive schema and a warning', async () => {
    const services = testServices();
    fakeRetrievers.set('schema', new FakeRetriever(() => []));
    const stream = buildDeclarativeStream(
      {
        type: 'DeclarativeStream',
        name: 'ghost',
        retriever: { type: 'FakeRetriever', key: 'schema' },
        schema_loader: { type: 'JsonFileSchemaLoader', file_path: './nope/ghost.json' },
      },
      fakeContext({}, services),
    );
    const schema = await stream.jsonSchema();
    expect(schema.additionalProperties).toBe(true);
    expect(services.logged.some((l) => l.level === 'WARN' && l.message.includes('ghost.json'))).toBe(true);
  });

  it('IncrementingCountCursor sends the last id and keeps the highest seen', async () => {
    const rows = [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }];
    const retriever = new FakeRetriever((params) => rows.filter((r) => r.id > Number(params.after)), 10);
    const cursor = {
      type: 'IncrementingCountCursor',
      cursor_field: 'id',
      start_value: 0,
      start_value_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'after' },
    };
    const first = await collect(makeStream(retriever, cursor).read({ syncMode: 'incremental' }));
    expect(recordsOf(first)).toHaveLength(4);
    expect(statesOf(first)).toEqual([{ id: 4 }]);
    const second = await collect(makeStream(retriever, cursor).read({ syncMode: 'incremental', state: { id: 2 } }));
    expect(retriever.requests.at(-1)!.params).toEqual({ after: 2 });
    expect(recordsOf(second).map((r) => r.id)).toEqual([3, 4]);
  });
});
