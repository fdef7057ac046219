/**
 * The state of incremental reads whose windows produce no (or few) records, as the CDK's
 * ConcurrentCursor writes it in the sequential format: the latest record cursor value, or the
 * sync start (the later of start_datetime and the input state); never a window end.
 */
import { describe, it, expect, afterAll, beforeAll } from '@jest/globals';
import '../../engine/http/request-option.js';
import '../../engine/incremental/datetime-based-cursor.js';
import '../../engine/incremental/incrementing-count-cursor.js';
import '../../engine/partition/list-partition-router.js';
import '../../engine/stream/inline-schema-loader.js';
import { buildDeclarativeStream } from '../../engine/stream/declarative-stream.js';
import { setNowForTesting } from '../../engine/interpolation/datetime.js';
import type { StreamEvent } from '../../engine/contracts.js';
import type { DataRecord, Obj } from '../../engine/types.js';
import { fakeContext } from '../stream/fake-build-context.js';
import { FakeRetriever, fakeRetrievers, windowed } from '../stream/fake-retriever.js';

beforeAll(() => setNowForTesting(new Date('2024-01-10T12:00:00Z')));
afterAll(() => setNowForTesting(undefined));

const CURSOR = {
  type: 'DatetimeBasedCursor',
  cursor_field: 'updated_at',
  datetime_format: '%Y-%m-%d',
  start_datetime: '2024-01-01',
  step: 'P1D',
  cursor_granularity: 'P1D',
  start_time_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'since' },
  end_time_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'until' },
};

async function read(
  dataset: DataRecord[],
  options: { cursor?: Obj; state?: Obj; router?: Obj } = {},
): Promise<{ records: DataRecord[]; states: Obj[]; requests: number }> {
  const retriever = new FakeRetriever(windowed(dataset, 'updated_at'));
  const key = `sync-start-${fakeRetrievers.size}`;
  fakeRetrievers.set(key, retriever);
  const stream = buildDeclarativeStream(
    {
      type: 'DeclarativeStream',
      name: 'items',
      retriever: { type: 'FakeRetriever', key, ...(options.router ? { partition_router: options.router } : {}) },
      schema_loader: { type: 'InlineSchemaLoader', schema: { type: 'object' } },
      incremental_sync: options.cursor ?? CURSOR,
    },
    fakeContext({}),
  );
  const events: StreamEvent[] = [];
  for await (const e of stream.read({ syncMode: 'incremental', state: options.state })) events.push(e);
  return {
    records: events.flatMap((e) => (e.kind === 'record' ? [e.data] : [])),
    states: events.flatMap((e) => (e.kind === 'state' ? [e.state] : [])),
    requests: retriever.requests.length,
  };
}

describe('DatetimeBasedCursor state without records', () => {
  it('no input state: every checkpoint is start_datetime, not {} and not the end of the range', async () => {
    const out = await read([]);
    expect(out.requests).toBe(10);
    expect(out.states).toHaveLength(10);
    for (const state of out.states) expect(state).toEqual({ updated_at: '2024-01-01' });
  });

  it('input state after start_datetime: the state stays where it was', async () => {
    const out = await read([], { state: { updated_at: '2024-01-05' } });
    expect(out.requests).toBe(6);
    expect(out.states.at(-1)).toEqual({ updated_at: '2024-01-05' });
  });

  it('input state before start_datetime: the state becomes start_datetime (the sync start)', async () => {
    const out = await read([], { state: { updated_at: '2023-06-01' } });
    expect(out.states.at(-1)).toEqual({ updated_at: '2024-01-01' });
  });

  it('records in the first windows only: the state is the latest record, later empty windows do not move it', async () => {
    const out = await read([{ id: 1, updated_at: '2024-01-02' }]);
    expect(out.records).toHaveLength(1);
    expect(out.states.slice(0, 2)).toEqual([{ updated_at: '2024-01-01' }, { updated_at: '2024-01-02' }]);
    expect(out.states.at(-1)).toEqual({ updated_at: '2024-01-02' });
  });

  it('lookback_window: records re-read from before the state do not move it back', async () => {
    const out = await read([{ id: 1, updated_at: '2024-01-04' }], { state: { updated_at: '2024-01-05' }, cursor: { ...CURSOR, lookback_window: 'P2D' } });
    expect(out.records.map((r) => r.id)).toEqual([1]);
    expect(out.states.at(-1)).toEqual({ updated_at: '2024-01-05' });
  });

  it('end_datetime: an empty range ending in the past leaves the state at the sync start', async () => {
    const out = await read([], { cursor: { ...CURSOR, end_datetime: '2024-01-03' } });
    expect(out.requests).toBe(3);
    expect(out.states.at(-1)).toEqual({ updated_at: '2024-01-01' });
  });

  it('state after end_datetime: nothing to read, the state is checkpointed unchanged', async () => {
    const out = await read([], { cursor: { ...CURSOR, end_datetime: '2024-01-03' }, state: { updated_at: '2024-01-07' } });
    expect(out.requests).toBe(0);
    expect(out.states).toEqual([{ updated_at: '2024-01-07' }]);
  });

  it('is_client_side_incremental: records filtered out do not move the state', async () => {
    const cursor = {
      ...CURSOR,
      is_client_side_incremental: true,
      step: undefined,
      cursor_granularity: undefined,
      start_time_option: undefined,
      end_time_option: undefined,
    };
    const out = await read([{ id: 1, updated_at: '2023-12-01' }], { cursor });
    expect(out.records).toEqual([]);
    expect(out.states.at(-1)).toEqual({ updated_at: '2024-01-01' });
  });

  it('is_client_side_incremental with a lookback: the lookback widens the request, records before the state are still dropped', async () => {
    // The CDK's ConcurrentCursor.should_be_synced keeps records from the sync start (the later of
    // start_datetime and the state); the lookback only moves the first window back.
    const cursor = { ...CURSOR, is_client_side_incremental: true, lookback_window: 'P1D', step: undefined, cursor_granularity: undefined };
    const out = await read(
      [
        { id: 1, updated_at: '2024-01-06' },
        { id: 2, updated_at: '2024-01-07' },
        { id: 3, updated_at: '2024-01-09' },
      ],
      {
        cursor,
        state: { updated_at: '2024-01-07' },
      },
    );
    expect(out.requests).toBe(1);
    expect(out.records.map((r) => r.id)).toEqual([2, 3]);
    expect(out.states.at(-1)).toEqual({ updated_at: '2024-01-09' });
  });
});

describe('per-partition and global substream state without records', () => {
  const router = { type: 'ListPartitionRouter', cursor_field: 'account', values: ['a', 'b'] };

  it('each partition read keeps its sync start; the global cursor only moves with records', async () => {
    const out = await read([], {
      router,
      state: { states: [{ partition: { account: 'a' }, cursor: { updated_at: '2024-01-08' } }], state: { updated_at: '2024-01-03' } },
    });
    expect(out.states.at(-1)).toEqual({
      use_global_cursor: false,
      states: [
        { partition: { account: 'a' }, cursor: { updated_at: '2024-01-08' } },
        { partition: { account: 'b' }, cursor: { updated_at: '2024-01-03' } },
      ],
      state: { updated_at: '2024-01-03' },
      lookback_window: 0,
    });
  });

  it('no input state and no records: partitions at start_datetime, no global cursor', async () => {
    const out = await read([], { router });
    expect(out.states.at(-1)).toEqual({
      use_global_cursor: false,
      states: [
        { partition: { account: 'a' }, cursor: { updated_at: '2024-01-01' } },
        { partition: { account: 'b' }, cursor: { updated_at: '2024-01-01' } },
      ],
      lookback_window: 0,
    });
  });

  it('with records the global cursor moves to the latest one', async () => {
    const out = await read([{ id: 1, updated_at: '2024-01-04' }], { router });
    expect(out.states.at(-1)).toMatchObject({ state: { updated_at: '2024-01-04' } });
  });

  it('global_substream_cursor: use_global_cursor is written, and the global cursor is untouched without records', async () => {
    const cursor = { ...CURSOR, global_substream_cursor: true };
    expect((await read([], { router, cursor })).states.at(-1)).toEqual({ use_global_cursor: true, lookback_window: 0 });
    expect((await read([], { router, cursor, state: { use_global_cursor: true, state: { updated_at: '2024-01-06' } } })).states.at(-1)).toEqual({
      use_global_cursor: true,
      state: { updated_at: '2024-01-06' },
      lookback_window: 0,
    });
    // A read with records writes its duration (whole seconds, at least 1) as the next lookback_window.
    expect((await read([{ id: 1, updated_at: '2024-01-09' }], { router, cursor })).states.at(-1)).toEqual({
      use_global_cursor: true,
      state: { updated_at: '2024-01-09' },
      lookback_window: expect.any(Number),
    });
  });
});

describe('IncrementingCountCursor state without records', () => {
  it('is start_value (or a later input state)', async () => {
    const cursor = { type: 'IncrementingCountCursor', cursor_field: 'id', start_value: 10 };
    expect((await read([], { cursor })).states.at(-1)).toEqual({ id: 10 });
    expect((await read([], { cursor, state: { id: 3 } })).states.at(-1)).toEqual({ id: 10 });
    expect((await read([], { cursor, state: { id: 42 } })).states.at(-1)).toEqual({ id: 42 });
  });
});
