/**
 * SubstreamPartitionRouter with a per-partition datetime cursor: partitions follow parent records,
 * the state has Airbyte's per-partition shape, parent_state drives incremental parents, and the
 * state round-trips.
 */
import { describe, it, expect } from '@jest/globals';
import '../../engine/http/request-option.js';
import '../../engine/incremental/datetime-based-cursor.js';
import '../../engine/partition/substream-partition-router.js';
import '../../engine/partition/parent-stream-config.js';
import '../../engine/stream/inline-schema-loader.js';
import { buildDeclarativeStream } from '../../engine/stream/declarative-stream.js';
import type { StreamEvent } from '../../engine/contracts.js';
import type { DataRecord, Obj } from '../../engine/types.js';
import { fakeContext } from '../stream/fake-build-context.js';
import { FakeRetriever, fakeRetrievers, windowed } from '../stream/fake-retriever.js';

const FORMAT = '%Y-%m-%dT%H:%M:%SZ';
const cursor = (field: string, step?: string): Obj => ({
  type: 'DatetimeBasedCursor',
  cursor_field: field,
  datetime_format: FORMAT,
  start_datetime: '2024-01-01T00:00:00Z',
  end_datetime: '2024-01-31T23:59:59Z',
  ...(step ? { step, cursor_granularity: 'PT1S' } : {}),
  start_time_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'since' },
  end_time_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'until' },
});

const PROJECTS: DataRecord[] = [
  { id: 'p1', meta: { owner: 'ann' }, updated_at: '2024-01-03T00:00:00Z' },
  { id: 'p2', meta: { owner: 'bob' }, updated_at: '2024-01-05T00:00:00Z' },
];
const TASKS: DataRecord[] = [
  { id: 't1', project: 'p1', updated_at: '2024-01-02T10:00:00Z' },
  { id: 't2', project: 'p1', updated_at: '2024-01-20T10:00:00Z' },
  { id: 't3', project: 'p2', updated_at: '2024-01-04T10:00:00Z' },
];

function childStream(projects: DataRecord[], tasks: DataRecord[]) {
  const parentRetriever = new FakeRetriever(windowed(projects, 'updated_at'));
  const childRetriever = new FakeRetriever((params) => windowed(tasks, 'updated_at')(params).filter((t) => t.project === params.project));
  fakeRetrievers.set('projects', parentRetriever);
  fakeRetrievers.set('tasks', childRetriever);
  const node = {
    type: 'DeclarativeStream',
    name: 'tasks',
    schema_loader: { type: 'InlineSchemaLoader', schema: {} },
    incremental_sync: cursor('updated_at', 'P10D'),
    retriever: {
      type: 'FakeRetriever',
      key: 'tasks',
      partition_router: {
        type: 'SubstreamPartitionRouter',
        parent_stream_configs: [
          {
            type: 'ParentStreamConfig',
            parent_key: 'id',
            partition_field: 'project_id',
            incremental_dependency: true,
            extra_fields: [['meta', 'owner']],
            request_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'project' },
            stream: {
              type: 'DeclarativeStream',
              name: 'projects',
              schema_loader: { type: 'InlineSchemaLoader', schema: {} },
              incremental_sync: cursor('updated_at'),
              retriever: { type: 'FakeRetriever', key: 'projects' },
            },
          },
        ],
      },
    },
  };
  return { stream: buildDeclarativeStream(node, fakeContext({})), parentRetriever, childRetriever };
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
const recordIds = (events: StreamEvent[]): unknown[] => events.flatMap((e) => (e.kind === 'record' ? [e.data.id] : []));
const states = (events: StreamEvent[]): Obj[] => events.flatMap((e) => (e.kind === 'state' ? [e.state] : []));

describe('SubstreamPartitionRouter + per-partition cursor', () => {
  it('reads one partition per parent record with the parent key injected and extra fields attached', async () => {
    const { stream, childRetriever } = childStream(PROJECTS, TASKS);
    const events = await collect(stream.read({ syncMode: 'incremental' }));
    expect(recordIds(events)).toEqual(['t1', 't2', 't3']);
    expect(childRetriever.requests.map((r) => r.params.project)).toEqual(['p1', 'p1', 'p1', 'p1', 'p2', 'p2', 'p2', 'p2']);
    const first = events.find((e) => e.kind === 'record');
    expect(first?.kind === 'record' && first.slice?.partition).toEqual({ project_id: 'p1', parent_slice: {} });
    expect(first?.kind === 'record' && first.slice?.extra_fields).toEqual({ 'meta.owner': 'ann' });
  });

  it('emits the CDK per-partition state with parent_state once the read completes', async () => {
    const { stream } = childStream(PROJECTS, TASKS);
    const events = await collect(stream.read({ syncMode: 'incremental' }));
    const final = states(events).at(-1)!;
    expect(final).toEqual({
      use_global_cursor: false,
      states: [
        { partition: { project_id: 'p1', parent_slice: {} }, cursor: { updated_at: '2024-01-20T10:00:00Z' } },
        { partition: { project_id: 'p2', parent_slice: {} }, cursor: { updated_at: '2024-01-04T10:00:00Z' } },
      ],
      state: { updated_at: '2024-01-20T10:00:00Z' },
      lookback_window: expect.any(Number),
      parent_state: { projects: { updated_at: '2024-01-05T00:00:00Z' } },
    });
    // Intermediate checkpoints neither advance the global cursor nor the parent state.
    for (const s of states(events).slice(0, -1)) {
      expect(s.state).toBeUndefined();
      expect(s.parent_state).toBeUndefined();
    }
  });

  it('round-trips: resuming from the final state reads only newer data and returns the same state', async () => {
    const first = childStream(PROJECTS, TASKS);
    const final = states(await collect(first.stream.read({ syncMode: 'incremental' }))).at(-1)!;
    const again = childStream(PROJECTS, TASKS);
    const events = await collect(again.stream.read({ syncMode: 'incremental', state: final }));
    // The parent is read from parent_state: only p2 (updated at the cursor) comes back.
    expect(again.parentRetriever.requests[0]!.params.since).toBe('2024-01-05T00:00:00Z');
    expect(again.childRetriever.requests.every((r) => r.params.project === 'p2')).toBe(true);
    expect(again.childRetriever.requests[0]!.params.since).toBe('2024-01-04T10:00:00Z');
    expect(recordIds(events)).toEqual(['t3']);
    expect(states(events).at(-1)).toEqual({ ...final, lookback_window: expect.any(Number) });
  });

  it('a plain (pre-partition) state applies to every partition, and the parent starts from it too', async () => {
    const projects = [...PROJECTS, { id: 'p3', meta: { owner: 'cy' }, updated_at: '2024-01-12T00:00:00Z' }];
    const tasks = [...TASKS, { id: 't4', project: 'p3', updated_at: '2024-01-15T10:00:00Z' }];
    const { stream, parentRetriever, childRetriever } = childStream(projects, tasks);
    const events = await collect(stream.read({ syncMode: 'incremental', state: { updated_at: '2024-01-10T00:00:00Z' } }));
    // As the CDK migrates such a state: the parent reads from the child's cursor, not from start_datetime.
    expect(parentRetriever.requests[0]!.params.since).toBe('2024-01-10T00:00:00Z');
    expect(recordIds(events)).toEqual(['t4']);
    expect(childRetriever.requests[0]!.params.since).toBe('2024-01-10T00:00:00Z');
  });
});
