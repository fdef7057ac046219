/**
 * Reads spread over worker threads (ReadOptions.threads, `manifold read --threads N`) against a
 * real loopback server (worker threads send real requests; msw only intercepts on the thread that
 * installs it). Every property is checked in single-thread mode and in worker mode: the same
 * messages per stream (a stream's slices run concurrently, so their records interleave
 * differently from run to run), STATE after the records it covers, each record exactly once,
 * limits, errors, backpressure and cancellation.
 *
 * The workers run the built engine (dist/engine/workers/read-worker.js): `npm run build` first.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { runCli, tempFiles } from '../helpers/cli.js';

jest.setTimeout(120_000);

const STREAMS = ['alpha', 'beta', 'gamma'];

/** Three incremental streams over the same API (told apart by a query parameter), daily windows. */
const MANIFEST = `
version: 6.7.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [alpha] }
definitions:
  stream:
    type: DeclarativeStream
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "{{ config['start_date'] }}"
      end_datetime: "{{ config['end_date'] }}"
      step: P1D
      cursor_granularity: PT1S
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: start }
      end_time_option: { type: RequestOption, inject_into: request_parameter, field_name: end }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['base_url'] }}"
        path: /items
        http_method: GET
        request_parameters: { s: "{{ parameters['name'] }}", limit: "{{ config['page_size'] }}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next_cursor }}", stop_condition: "{{ not response.next_cursor }}" }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: cursor }
streams:
${STREAMS.map((name) => `  - $ref: "#/definitions/stream"\n    $parameters: { name: ${name} }\n    name: ${name}`).join('\n')}
spec:
  type: Spec
  connection_specification: { type: object, properties: { base_url: { type: string } } }
`;

const catalog = (sync: 'incremental' | 'full_refresh' = 'incremental') => ({
  streams: STREAMS.map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
    sync_mode: sync,
    destination_sync_mode: 'append' as const,
  })),
});

let server: FaultServer;
// 72 records an hour apart over three daily windows, 5 a page: 15 pages and 3 STATEs per stream.
beforeAll(async () => {
  server = await startFaultServer({ count: 72, pageSize: 5, spacingMinutes: 60 });
});
afterAll(async () => server.close());
afterEach(() => server.reset());

const config = (api = server, pageSize = 5) => ({
  base_url: api.url,
  start_date: '2024-01-01T00:00:00Z',
  end_date: '2024-01-03T23:59:59Z',
  page_size: String(pageSize),
});

type Msg = Record<string, any>;

async function read(threads: number, options: { limits?: { records?: number; pages?: number }; state?: unknown; concurrency?: number } = {}): Promise<Msg[]> {
  const source = await Source.fromText(MANIFEST, 'workers.yaml', { backoffScale: 0.0001 });
  const out: Msg[] = [];
  for await (const m of source.read(config(), catalog(), options.state, {
    threads,
    concurrency: options.concurrency ?? 3,
    ...(options.limits ? { limits: options.limits } : {}),
  })) {
    // What a consumer that writes the message sees (a worker's RECORDs are parsed on first access).
    out.push(JSON.parse(JSON.stringify(m)) as Msg);
  }
  return out;
}

/** One stream's messages, as comparable values (no timestamps). */
function perStream(messages: Msg[], stream: string): unknown[] {
  return messages
    .filter(
      (m) =>
        (m.record?.stream ??
          m.state?.stream?.stream_descriptor?.name ??
          m.trace?.stream_status?.stream_descriptor?.name ??
          m.trace?.error?.stream_descriptor?.name) === stream,
    )
    .map((m) =>
      m.type === 'RECORD'
        ? ['RECORD', m.record.data.id]
        : m.type === 'STATE'
          ? ['STATE', m.state.stream.stream_state, m.state.sourceStats?.recordCount]
          : m.trace.type === 'ERROR'
            ? ['ERROR', m.trace.error.message]
            : ['STATUS', m.trace.stream_status.status],
    );
}

/**
 * The server's data request count once it has stopped changing for a second (requests already
 * sent when a read pauses or stops may take a while to arrive on a loaded machine).
 */
async function settledRequests(api: FaultServer): Promise<number> {
  let last = -1;
  for (let i = 0; i < 40 && api.dataRequests().length !== last; i++) {
    last = api.dataRequests().length;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return api.dataRequests().length;
}

/** One thread; two workers for three streams (one worker reads two); one worker per stream. */
const MODES = [1, 2, 3];
const sorted = (xs: unknown[]): string[] => xs.map((x) => JSON.stringify(x)).sort();

describe('reading in worker threads', () => {
  it.each(MODES)(
    'threads %i: every stream has the messages of a single-thread read, each record once; a STATE comes after the records it covers',
    async (threads) => {
      const reference = await read(1);
      const messages = await read(threads);
      for (const stream of STREAMS) {
        const mine = perStream(messages, stream);
        // STATE positions depend on which of the stream's concurrent slices ends first: their records
        // are checked below, their number of records here.
        const notState = (xs: unknown[]) => xs.filter((x) => (x as string[])[0] !== 'STATE');
        expect(sorted(notState(mine))).toEqual(sorted(notState(perStream(reference, stream))));
        expect(mine.slice(0, 2)).toEqual([
          ['STATUS', 'STARTED'],
          ['STATUS', 'RUNNING'],
        ]);
        expect(mine.at(-1)).toEqual(['STATUS', 'COMPLETE']);
        const ids = messages.filter((m) => m.type === 'RECORD' && m.record.stream === stream).map((m) => m.record.data.id);
        expect(ids.sort((a, b) => a - b)).toEqual(server.records.map((r) => r.id));
      }
      expect(messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR')).toEqual([]);
      for (const stream of STREAMS) {
        let since = 0;
        const written = new Set<string>();
        let states = 0;
        for (const m of messages) {
          if (m.type === 'RECORD' && m.record.stream === stream) {
            since++;
            written.add(m.record.data.updated_at);
          } else if (m.type === 'STATE' && m.state.stream.stream_descriptor.name === stream) {
            states++;
            expect(m.state.sourceStats.recordCount).toBe(since);
            since = 0;
            const cursor = m.state.stream.stream_state.updated_at as string;
            for (const r of server.records) if (r.updated_at <= cursor) expect(written.has(r.updated_at)).toBe(true);
          }
        }
        expect(states).toBeGreaterThanOrEqual(3);
        expect(since).toBe(0);
      }
    },
  );

  it.each(MODES)('threads %i: a read resumed from the final state reads only the record at the cursor again', async (threads) => {
    const first = await read(threads);
    const state = STREAMS.map((s) => first.filter((m) => m.type === 'STATE' && m.state.stream.stream_descriptor.name === s).at(-1)!.state);
    const again = await read(threads, { state });
    expect(
      again
        .filter((m) => m.type === 'RECORD')
        .map((m) => `${m.record.stream} ${m.record.data.id}`)
        .sort(),
    ).toEqual(['alpha 72', 'beta 72', 'gamma 72']);
  });

  it.each(MODES)('threads %i: record and page limits apply per stream', async (threads) => {
    const limited = await read(threads, { limits: { records: 7 } });
    for (const s of STREAMS) expect(limited.filter((m) => m.type === 'RECORD' && m.record.stream === s)).toHaveLength(7);
    // A request that read had in flight when it stopped may still reach the server.
    await new Promise((r) => setTimeout(r, 300));
    server.reset();
    const paged = await read(threads, { limits: { pages: 1 } });
    // One page per slice: 5 records from each of the three daily windows.
    for (const s of STREAMS) expect(paged.filter((m) => m.type === 'RECORD' && m.record.stream === s)).toHaveLength(15);
    expect(server.dataRequests()).toHaveLength(9);
  });

  it.each(MODES)('threads %i: a failing stream ends INCOMPLETE with its error; the others complete; one closing TRACE names it', async (threads) => {
    server.addFault({
      fault: { kind: 'status', status: 400, body: '{"error":"bad request for beta"}' },
      times: Infinity,
      when: (req) => req.query.s === 'beta',
    });
    const messages = await read(threads);
    expect(perStream(messages, 'beta')).toEqual([
      ['STATUS', 'STARTED'],
      ['ERROR', expect.stringContaining('400')],
      ['STATUS', 'INCOMPLETE'],
    ]);
    for (const s of ['alpha', 'gamma']) expect(perStream(messages, s).at(-1)).toEqual(['STATUS', 'COMPLETE']);
    const closing = messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR' && !m.trace.error.stream_descriptor);
    expect(closing.map((m) => m.trace.error.message)).toEqual(['During the sync, the following streams did not sync successfully: beta']);
    expect(messages.at(-1)).toBe(closing[0]);
  });

  it.each(MODES)('threads %i: a consumer that stops taking messages stops the requests (backpressure)', async (threads) => {
    // 17,280 records 15 s apart (3 days), pages of 100: 173 pages per stream, 519 in all.
    const big = await startFaultServer({ count: 17_280, pageSize: 100, spacingMinutes: 0.25 });
    try {
      const source = await Source.fromText(MANIFEST, 'workers.yaml');
      const iterator = source.readBatches(config(big, 100), catalog('full_refresh'), undefined, { threads, concurrency: 3 })[Symbol.asyncIterator]();
      let records = 0;
      while (records === 0) {
        const next = await iterator.next();
        records += (next.value as AirbyteMessage[]).filter((m) => m.type === 'RECORD').length;
      }
      const requested = await settledRequests(big);
      // The engine's buffers hold about a thousand records per stream and as many more for the
      // merge (per worker: each buffers like a single-thread read of its streams); a worker adds
      // two pages. A paused consumer holds the read there, far short of the 519 pages.
      expect(requested).toBeLessThanOrEqual(100);
      await new Promise((r) => setTimeout(r, 1000));
      expect(big.dataRequests().length).toBe(requested);
      await iterator.return?.(undefined);
    } finally {
      await big.close();
    }
  });

  it.each(MODES)('threads %i: leaving the loop early or aborting stops the read: no request afterwards', async (threads) => {
    server.setFaultPicker(() => ({ kind: 'slow', delayMs: 20 }));
    const source = await Source.fromText(MANIFEST, 'workers.yaml');
    let seen = 0;
    for await (const m of source.read(config(), catalog('full_refresh'), undefined, { threads, concurrency: 3 })) {
      if (m.type === 'RECORD' && ++seen === 3) break;
    }
    const afterBreak = await settledRequests(server);
    await new Promise((r) => setTimeout(r, 1000));
    expect(server.dataRequests().length).toBe(afterBreak);
    expect(afterBreak).toBeLessThan(45);

    server.reset();
    server.setFaultPicker(() => ({ kind: 'slow', delayMs: 20 }));
    const controller = new AbortController();
    const messages: Msg[] = [];
    for await (const m of source.read(config(), catalog('full_refresh'), undefined, { threads, concurrency: 3, signal: controller.signal })) {
      messages.push(m as Msg);
      if (m.type === 'RECORD' && messages.filter((x) => x.type === 'RECORD').length === 3) controller.abort(new Error('stop'));
    }
    const atEnd = await settledRequests(server);
    await new Promise((r) => setTimeout(r, 1000));
    expect(server.dataRequests().length).toBe(atEnd);
    expect(atEnd).toBeLessThan(45);
    expect(messages.filter((m) => m.type === 'RECORD').length).toBeLessThan(3 * server.records.length);
  });
});

describe('manifold read --threads', () => {
  const files = () => tempFiles({ 'manifest.yaml': MANIFEST, 'config.json': config(), 'catalog.json': catalog() });
  const comparable = (stdout: Msg[]) => stdout.map((m) => JSON.stringify(m).replace(/"emitted_at":\d+/g, ''));

  it('writes the same lines with --threads 1 and --threads 2', async () => {
    const f = files();
    const args = ['read', '-m', f['manifest.yaml']!, '-c', f['config.json']!, '--catalog', f['catalog.json']!];
    const one = await runCli([...args, '--threads', '1']);
    const two = await runCli([...args, '--threads', '2']);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(two.stderr).toBe(one.stderr);
    // Where the STATEs fall depends on which slice ends first (slices run concurrently): the
    // other lines are compared, and each stream's final state.
    const lines = (ms: Msg[]) => comparable(ms.filter((m) => m.type !== 'STATE')).sort();
    expect(lines(two.messages)).toEqual(lines(one.messages));
    const finalStates = (ms: Msg[]) =>
      STREAMS.map((st) => ms.filter((m) => m.type === 'STATE' && m.state.stream.stream_descriptor.name === st).at(-1)?.state.stream.stream_state);
    expect(finalStates(two.messages)).toEqual(finalStates(one.messages));
    expect(one.messages.filter((m) => m.type === 'RECORD')).toHaveLength(3 * server.records.length);
  });

  it('rejects a thread count that is not a whole number ≥ 1', async () => {
    const f = files();
    const r = await runCli(['read', '-m', f['manifest.yaml']!, '-c', f['config.json']!, '--threads', '0']);
    expect(r.code).not.toBe(0);
    expect(JSON.stringify(r.messages) + r.stderr).toMatch(/--threads takes a whole number ≥ 1 \(got "0"\)/);
    expect(server.dataRequests()).toEqual([]);
  });
});
