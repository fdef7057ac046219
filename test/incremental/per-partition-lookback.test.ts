/**
 * The per-partition state's lookback_window and parent state, with the rules of the CDK's
 * ConcurrentPerPartitionCursor and its parent-state migration (model_to_component_factory's
 * `_instantiate_parent_stream_state_manager`), in cases written for Manifold:
 *
 * - a partition without its own state starts from the global cursor minus `lookback_window`
 *   seconds (written in the cursor's datetime_format); partitions with their own state don't;
 * - the state always carries lookback_window: the input's, or after a read with records its
 *   duration rounded up to whole seconds; so does a nested parent's state inside parent_state;
 * - an incremental_dependency parent starts from the child state's parent_state, else from the
 *   child's global `state`, else from a legacy `{cursor: value}` child state.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { PerPartitionCursor } from '../../engine/incremental/per-partition-cursor.js';
import { DatetimeBasedCursor } from '../../engine/incremental/datetime-based-cursor.js';
import { MinMaxDatetime } from '../../engine/incremental/min-max-datetime.js';
import { setNowForTesting } from '../../engine/interpolation/datetime.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { useMswServer } from '../helpers/msw.js';

beforeAll(() => setNowForTesting(new Date('2024-02-01T00:00:00Z')));
afterAll(() => setNowForTesting(undefined));

function datetimeCursor(format: string): DatetimeBasedCursor {
  return new DatetimeBasedCursor({
    cursorField: 'updated_at',
    datetimeFormat: format,
    cursorDatetimeFormats: [format],
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

const SECONDS = '%Y-%m-%dT%H:%M:%SZ';
const firstSliceStart = (cursor: { slices(): Iterable<Obj> }): unknown => [...cursor.slices()][0]?.start_time;

describe('PerPartitionCursor lookback_window', () => {
  it('moves only partitions without their own state back from the global cursor', () => {
    const cursor = new PerPartitionCursor(datetimeCursor(SECONDS), undefined, false);
    cursor.setState({
      use_global_cursor: false,
      states: [{ partition: { account: 'a' }, cursor: { updated_at: '2024-01-08T00:00:00Z' } }],
      state: { updated_at: '2024-01-10T00:00:00Z' },
      lookback_window: 3600,
    });
    expect(firstSliceStart(cursor.cursorFor({ account: 'a' }))).toBe('2024-01-08T00:00:00Z');
    expect(firstSliceStart(cursor.cursorFor({ account: 'b' }))).toBe('2024-01-09T23:00:00Z');
  });

  it('writes the moved start in the datetime_format (a date-only format drops to the previous day)', () => {
    const cursor = new PerPartitionCursor(datetimeCursor('%Y-%m-%d'), undefined, false);
    cursor.setState({ state: { updated_at: '2024-01-10' }, lookback_window: 60 });
    expect(firstSliceStart(cursor.cursorFor({ account: 'new' }))).toBe('2024-01-09');
  });

  it('applies to every partition under use_global_cursor', () => {
    const cursor = new PerPartitionCursor(datetimeCursor(SECONDS), undefined, false);
    cursor.setState({ use_global_cursor: true, state: { updated_at: '2024-01-10T00:00:00Z' }, lookback_window: '120' });
    expect(firstSliceStart(cursor.cursorFor({ account: 'x' }))).toBe('2024-01-09T23:58:00Z');
  });

  it('has nothing to move without a global cursor, and a legacy plain state has no lookback', () => {
    const none = new PerPartitionCursor(datetimeCursor(SECONDS), undefined, false);
    none.setState({ states: [], lookback_window: 3600 });
    expect(firstSliceStart(none.cursorFor({ account: 'x' }))).toBe('2024-01-01T00:00:00Z');
    const legacy = new PerPartitionCursor(datetimeCursor(SECONDS), undefined, false);
    legacy.setState({ updated_at: '2024-01-10T00:00:00Z', lookback_window: 3600 });
    expect(firstSliceStart(legacy.cursorFor({ account: 'x' }))).toBe('2024-01-10T00:00:00Z');
    expect(legacy.state().lookback_window).toBe(0);
  });

  it('keeps the input lookback_window until a read with records replaces it with its duration in whole seconds', () => {
    let now = 1_000;
    const clock = () => now;
    const quiet = new PerPartitionCursor(datetimeCursor(SECONDS), undefined, false, clock);
    quiet.setState({ state: { updated_at: '2024-01-10T00:00:00Z' }, lookback_window: 45 });
    now += 5_000;
    quiet.finish();
    expect(quiet.state().lookback_window).toBe(45);

    const busy = new PerPartitionCursor(datetimeCursor(SECONDS), undefined, false, clock);
    busy.setState({ state: { updated_at: '2024-01-10T00:00:00Z' }, lookback_window: 45 });
    const partitionCursor = busy.cursorFor({ account: 'a' });
    const slice = makeSlice({ account: 'a' }, [...partitionCursor.slices()][0]!);
    busy.observe({ updated_at: '2024-01-20T00:00:00Z' }, slice);
    busy.closeSlice(slice);
    expect(busy.state().lookback_window).toBe(45);
    now += 2_300;
    busy.finish();
    expect(busy.state()).toMatchObject({ state: { updated_at: '2024-01-20T00:00:00Z' }, lookback_window: 3 });
  });
});

// ── whole reads ──────────────────────────────────────────────────────────────────────────────

const server = useMswServer();

const cursorYaml = (field = 'updated_at') => `
      type: DatetimeBasedCursor
      cursor_field: ${field}
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "2024-01-01T00:00:00Z"
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }`;

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [workspaces] }
definitions:
  selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
  workspaces:
    type: DeclarativeStream
    name: workspaces
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: http://api.test, path: /workspaces }
      record_selector: { $ref: "#/definitions/selector" }
  projects:
    type: DeclarativeStream
    name: projects
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    incremental_sync:${cursorYaml()}
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: http://api.test, path: "/workspaces/{{ stream_partition.workspace }}/projects" }
      record_selector: { $ref: "#/definitions/selector" }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs:
          - { type: ParentStreamConfig, parent_key: id, partition_field: workspace, stream: { $ref: "#/definitions/workspaces" } }
  tasks:
    type: DeclarativeStream
    name: tasks
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    incremental_sync:${cursorYaml('modified_at')}
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: http://api.test, path: "/projects/{{ stream_partition.project }}/tasks" }
      record_selector: { $ref: "#/definitions/selector" }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs:
          - type: ParentStreamConfig
            parent_key: id
            partition_field: project
            incremental_dependency: true
            stream: { $ref: "#/definitions/projects" }
streams:
  - $ref: "#/definitions/workspaces"
  - $ref: "#/definitions/projects"
  - $ref: "#/definitions/tasks"
`;

const PROJECTS: Record<string, Obj[]> = {
  w1: [{ id: 'p1', updated_at: '2024-01-05T00:00:00Z' }],
  w2: [{ id: 'p2', updated_at: '2024-01-12T00:00:00Z' }],
};
const TASKS: Record<string, Obj[]> = {
  p1: [{ id: 't1', modified_at: '2024-01-06T00:00:00Z' }],
  p2: [{ id: 't2', modified_at: '2024-01-13T00:00:00Z' }],
};

/** Serves the three levels, filtering by `since` like the API would; records every request. */
function serve(workspaces: string[] = ['w1', 'w2']): string[] {
  const seen: string[] = [];
  const since = (url: URL) => url.searchParams.get('since') ?? '';
  server.use(
    http.get('http://api.test/workspaces', ({ request }) => {
      seen.push(new URL(request.url).pathname);
      return HttpResponse.json({ data: workspaces.map((id) => ({ id })) });
    }),
    http.get('http://api.test/workspaces/:w/projects', ({ request, params }) => {
      const url = new URL(request.url);
      seen.push(`${url.pathname}?since=${since(url)}`);
      return HttpResponse.json({ data: (PROJECTS[String(params.w)] ?? []).filter((p) => String(p.updated_at) >= since(url)) });
    }),
    http.get('http://api.test/projects/:p/tasks', ({ request, params }) => {
      const url = new URL(request.url);
      seen.push(`${url.pathname}?since=${since(url)}`);
      return HttpResponse.json({ data: (TASKS[String(params.p)] ?? []).filter((t) => String(t.modified_at) >= since(url)) });
    }),
  );
  return seen;
}

async function readTasks(state?: Obj): Promise<{ records: unknown[]; state: Obj | undefined }> {
  const source = await Source.fromText(MANIFEST, 'm.yaml');
  const catalog = { streams: [{ stream: { name: 'tasks' }, sync_mode: 'incremental' as const, destination_sync_mode: 'append' as const }] };
  const input = state ? [{ type: 'STREAM', stream: { stream_descriptor: { name: 'tasks' }, stream_state: state } }] : undefined;
  const messages: AirbyteMessage[] = [];
  for await (const m of source.read({}, catalog, input, { concurrency: 1 })) messages.push(m);
  const states = messages.flatMap((m) => (m.type === 'STATE' && m.state.stream ? [m.state.stream.stream_state as Obj] : []));
  return { records: messages.flatMap((m) => (m.type === 'RECORD' ? [m.record.data.id] : [])), state: states.at(-1) };
}

describe('whole reads: lookback_window in nested parent state', () => {
  it('a per-partition parent keeps its lookback_window inside the child parent_state', async () => {
    serve();
    const { records, state } = await readTasks();
    expect(records).toEqual(['t1', 't2']);
    const parent = (state!.parent_state as Obj).projects as Obj;
    expect(parent).toEqual({
      use_global_cursor: false,
      states: [
        { partition: { workspace: 'w1', parent_slice: {} }, cursor: { updated_at: '2024-01-05T00:00:00Z' } },
        { partition: { workspace: 'w2', parent_slice: {} }, cursor: { updated_at: '2024-01-12T00:00:00Z' } },
      ],
      state: { updated_at: '2024-01-12T00:00:00Z' },
      lookback_window: expect.any(Number),
    });
    expect(parent.lookback_window).toBeGreaterThanOrEqual(1);
    expect(state?.lookback_window).toBeGreaterThanOrEqual(1);
  });

  it('the parent read of the next sync uses the nested lookback_window for its new partitions', async () => {
    const seen = serve(['w1', 'w2', 'w3']);
    await readTasks({
      use_global_cursor: false,
      states: [{ partition: { project: 'p1', parent_slice: { workspace: 'w1', parent_slice: {} } }, cursor: { modified_at: '2024-01-06T00:00:00Z' } }],
      state: { modified_at: '2024-01-06T00:00:00Z' },
      lookback_window: 0,
      parent_state: {
        projects: {
          use_global_cursor: false,
          states: [{ partition: { workspace: 'w1', parent_slice: {} }, cursor: { updated_at: '2024-01-05T00:00:00Z' } }],
          state: { updated_at: '2024-01-05T00:00:00Z' },
          lookback_window: 86400,
        },
      },
    });
    expect(seen.filter((u) => u.includes('/projects?'))).toEqual([
      '/workspaces/w1/projects?since=2024-01-05T00:00:00Z',
      '/workspaces/w2/projects?since=2024-01-04T00:00:00Z',
      '/workspaces/w3/projects?since=2024-01-04T00:00:00Z',
    ]);
  });
});

describe('whole reads: lookback_window for new child partitions', () => {
  it('a child partition without its own state starts lookback_window seconds before the global cursor', async () => {
    const seen = serve();
    const { records } = await readTasks({
      use_global_cursor: false,
      states: [{ partition: { project: 'p1', parent_slice: { workspace: 'w1', parent_slice: {} } }, cursor: { modified_at: '2024-01-06T00:00:00Z' } }],
      state: { modified_at: '2024-01-13T12:00:00Z' },
      lookback_window: 43200,
    });
    expect(seen.filter((u) => u.includes('/tasks?'))).toEqual([
      '/projects/p1/tasks?since=2024-01-06T00:00:00Z',
      '/projects/p2/tasks?since=2024-01-13T00:00:00Z',
    ]);
    expect(records).toEqual(['t1', 't2']);
  });
});

describe('whole reads: the parent starts from a migrated child state', () => {
  const projectRequests = (seen: string[]) => seen.filter((u) => u.includes('/projects?'));

  it('a legacy child state {cursor: value}: the parent starts from that value under its own cursor field', async () => {
    const seen = serve();
    const { records } = await readTasks({ modified_at: '2024-01-10T00:00:00Z' });
    expect(projectRequests(seen)).toEqual(['/workspaces/w1/projects?since=2024-01-10T00:00:00Z', '/workspaces/w2/projects?since=2024-01-10T00:00:00Z']);
    expect(records).toEqual(['t2']);
  });

  it('a global child state without parent_state: the parent starts from the child global state as it is', async () => {
    // The CDK hands `state` over unchanged: it moves the parent only when the cursor fields match.
    const seen = serve();
    await readTasks({ use_global_cursor: true, state: { updated_at: '2024-01-10T00:00:00Z' }, lookback_window: 0 });
    expect(projectRequests(seen)).toEqual(['/workspaces/w1/projects?since=2024-01-10T00:00:00Z', '/workspaces/w2/projects?since=2024-01-10T00:00:00Z']);
  });

  it('a global child state in the child cursor field leaves a parent with another cursor field at its start', async () => {
    const seen = serve();
    await readTasks({ state: { modified_at: '2024-01-10T00:00:00Z' } });
    expect(projectRequests(seen)).toEqual(['/workspaces/w1/projects?since=2024-01-01T00:00:00Z', '/workspaces/w2/projects?since=2024-01-01T00:00:00Z']);
  });

  it('parent_state naming the parent wins over the global state', async () => {
    const seen = serve();
    await readTasks({ state: { updated_at: '2024-01-10T00:00:00Z' }, parent_state: { projects: { updated_at: '2024-01-03T00:00:00Z' } } });
    expect(projectRequests(seen)).toEqual(['/workspaces/w1/projects?since=2024-01-03T00:00:00Z', '/workspaces/w2/projects?since=2024-01-03T00:00:00Z']);
  });

  it('a full-refresh checkpoint as child state says nothing about the parent', async () => {
    const seen = serve();
    await readTasks({ __ab_no_cursor_state_message: true });
    expect(projectRequests(seen)).toEqual(['/workspaces/w1/projects?since=2024-01-01T00:00:00Z', '/workspaces/w2/projects?since=2024-01-01T00:00:00Z']);
  });
});
