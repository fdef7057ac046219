/**
 * Issue 13, item 4: problems in the input state and the configured catalog are each a WARN (the
 * read that follows is still complete) or a config_error (going on would silently re-sync
 * everything, or read a guess) — never a TypeError, a stack trace or silence. The README's
 * "State and catalog problems" table lists the same cases.
 */
import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { Source } from '../../engine/source/source.js';
import type { Obj } from '../../engine/types.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
definitions:
  requester: { type: HttpRequester, url_base: http://api.test }
  selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
streams:
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /items }
      record_selector: { $ref: "#/definitions/selector" }
  - type: DeclarativeStream
    name: events
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /events }
      record_selector: { $ref: "#/definitions/selector" }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "2024-01-01T00:00:00Z"
      end_datetime: "2024-01-31T00:00:00Z"
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
  - type: DeclarativeStream
    name: changes
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /changes }
      record_selector: { $ref: "#/definitions/selector" }
    incremental_sync:
      type: IncrementingCountCursor
      cursor_field: seq
      start_value: 0
      start_value_option: { type: RequestOption, inject_into: request_parameter, field_name: after }
  - type: DeclarativeStream
    name: account_events
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /events }
      record_selector: { $ref: "#/definitions/selector" }
      partition_router: { type: ListPartitionRouter, cursor_field: account, values: [a, b] }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "2024-01-01T00:00:00Z"
      end_datetime: "2024-01-31T00:00:00Z"
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
`;

interface Result {
  records: Record<string, Obj[]>;
  warnings: string[];
  errors: Array<{ message: string; failure_type: string; stream?: string; stack_trace?: string }>;
  /** Request URLs in order. */
  requests: string[];
}

async function read(catalog: unknown, state?: unknown): Promise<Result> {
  const requests: string[] = [];
  server.use(
    http.get('http://api.test/items', ({ request }) => (requests.push(request.url), HttpResponse.json([{ id: 1 }, { id: 2 }]))),
    http.get('http://api.test/events', ({ request }) => (requests.push(request.url), HttpResponse.json([{ id: 10, updated: '2024-01-20T00:00:00Z' }]))),
    http.get('http://api.test/changes', ({ request }) => (requests.push(request.url), HttpResponse.json([{ id: 20, seq: 15 }]))),
  );
  const source = await Source.fromText(MANIFEST, 'm.yaml', { logLevel: 'WARN' });
  const out: Result = { records: {}, warnings: [], errors: [], requests };
  for await (const m of source.read({}, catalog as never, state)) {
    const msg = m as unknown as Record<string, any>;
    if (msg.type === 'RECORD') (out.records[msg.record.stream] ??= []).push(msg.record.data);
    if (msg.type === 'LOG' && msg.log.level === 'WARN') out.warnings.push(msg.log.message);
    if (msg.type === 'TRACE' && msg.trace.type === 'ERROR') {
      const e = msg.trace.error;
      out.errors.push({
        message: e.message,
        failure_type: e.failure_type,
        stream: e.stream_descriptor?.name,
        ...(e.stack_trace ? { stack_trace: e.stack_trace } : {}),
      });
    }
  }
  return out;
}

const entry = (name: string, sync_mode = 'incremental'): Obj => ({ stream: { name, json_schema: {} }, sync_mode, destination_sync_mode: 'append' });
const streamState = (name: string, stream_state: unknown): Obj => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state } });
const FINAL = 'During the sync, the following streams did not sync successfully: ';

describe('cursor values in the input state (config_error for that stream: going on would re-sync it from the start)', () => {
  it.each([
    ['of the wrong type', { $gt: 1 }, /updated=\{"\$gt":1\} is not a datetime in the format "%Y-%m-%dT%H:%M:%SZ"/],
    ['that does not parse with the cursor format', '2024-01-25', /updated="2024-01-25" is not a datetime in the format "%Y-%m-%dT%H:%M:%SZ"/],
  ])('DatetimeBasedCursor: a value %s fails the stream, names field, value and format, and sends no request for it', async (_what, value, expected) => {
    const out = await read({ streams: [entry('items', 'full_refresh'), entry('events')] }, [streamState('events', { updated: value })]);
    expect(out.requests.filter((u) => u.includes('/events'))).toEqual([]);
    expect(out.records.events).toBeUndefined();
    expect(out.records.items).toEqual([{ id: 1 }, { id: 2 }]);
    expect(out.errors).toEqual([
      { message: expect.stringMatching(expected), failure_type: 'config_error', stream: 'events' },
      { message: `${FINAL}events`, failure_type: 'config_error', stream: undefined },
    ]);
    expect(out.errors[0]!.message).toMatch(/set this stream's stream_state to null to read it from the start/);
  });

  it('per-partition state: an unreadable cursor of one partition fails the stream with the same config_error', async () => {
    const state = {
      states: [
        { partition: { account: 'a' }, cursor: { updated: '2024-01-25T00:00:00Z' } },
        { partition: { account: 'b' }, cursor: { updated: 'yesterday' } },
      ],
    };
    const out = await read({ streams: [entry('account_events')] }, [streamState('account_events', state)]);
    expect(out.errors[0]).toEqual({
      message: expect.stringMatching(/updated="yesterday" is not a datetime in the format "%Y-%m-%dT%H:%M:%SZ"/),
      failure_type: 'config_error',
      stream: 'account_events',
    });
    expect(out.errors).toHaveLength(2);
  });

  it('IncrementingCountCursor: an object is a config_error; a number written as a string is accepted', async () => {
    const bad = await read({ streams: [entry('changes')] }, [streamState('changes', { seq: { $gt: 1 } })]);
    expect(bad.requests).toEqual([]);
    expect(bad.errors[0]).toEqual({ message: expect.stringMatching(/seq=\{"\$gt":1\} is not a number/), failure_type: 'config_error', stream: 'changes' });

    const ok = await read({ streams: [entry('changes')] }, [streamState('changes', { seq: '12' })]);
    expect(ok.errors).toEqual([]);
    expect(ok.requests).toEqual(['http://api.test/changes?after=12']);
  });

  it('a valid value is used, and a null stream_state starts the stream over on purpose, silently', async () => {
    const resumed = await read({ streams: [entry('events')] }, [streamState('events', { updated: '2024-01-25T00:00:00Z' })]);
    expect(resumed.errors).toEqual([]);
    expect(resumed.requests[0]).toContain('since=2024-01-25T00%3A00%3A00Z');
    const reset = await read({ streams: [entry('events')] }, [streamState('events', null)]);
    expect(reset.errors).toEqual([]);
    expect(reset.warnings).toEqual([]);
    expect(reset.requests[0]).toContain('since=2024-01-01T00%3A00%3A00Z');
  });

  it('a stream_state that is not an object (nor null) is a config_error for the whole read', async () => {
    const out = await read({ streams: [entry('events')] }, [streamState('events', '2024-01-25T00:00:00Z')]);
    expect(out.requests).toEqual([]);
    expect(out.errors).toEqual([
      {
        message: expect.stringMatching(
          /^state\[0\] \(stream "events"\): stream_state must be an object, or null to start the stream over \(got "2024-01-25T00:00:00Z"\)/,
        ),
        failure_type: 'config_error',
        stream: undefined,
      },
    ]);
  });
});

describe('state for a stream the manifest does not define (WARN: nothing is read differently)', () => {
  it('is named in a warning and ignored; the read completes', async () => {
    const out = await read({ streams: [entry('events')] }, [streamState('evnets', { updated: '2024-01-25T00:00:00Z' })]);
    expect(out.errors).toEqual([]);
    expect(out.records.events).toHaveLength(1);
    expect(out.warnings).toEqual([
      expect.stringMatching(
        /^The input state has an entry for stream "evnets", which the manifest does not define \(streams: items, events, changes, account_events\); it is ignored/,
      ),
    ]);
  });
});

describe('malformed catalog entries (config_error for the whole read, before any request)', () => {
  it.each([
    ['no "stream"', { streams: [entry('items'), { sync_mode: 'full_refresh' }] }, /^catalog\.streams\[1\] has no "stream" object/],
    ['a stream without a name', { streams: [{ stream: { json_schema: {} }, sync_mode: 'full_refresh' }] }, /^catalog\.streams\[0\]\.stream has no "name"/],
    ['an entry that is not an object', { streams: ['items'] }, /^catalog\.streams\[0\] is not an object/],
    [
      'no sync_mode',
      { streams: [{ stream: { name: 'events' } }] },
      /^catalog\.streams\[0\] \(stream "events"\): sync_mode must be "full_refresh" or "incremental" \(got undefined\)/,
    ],
    [
      'a stream listed twice',
      { streams: [entry('items', 'full_refresh'), entry('items', 'full_refresh')] },
      /^catalog\.streams\[1\]: stream "items" is already in the catalog/,
    ],
    ['no streams array', { stream: [] }, /^The configured catalog must be an object with a "streams" array/],
  ])('%s', async (_what, catalog, expected) => {
    const out = await read(catalog);
    expect(out.requests).toEqual([]);
    expect(out.errors).toEqual([{ message: expect.stringMatching(expected), failure_type: 'config_error', stream: undefined }]);
  });
});

describe('incremental requested for a full-refresh-only stream (WARN: a full read is complete)', () => {
  it('is read in full with a warning', async () => {
    const out = await read({ streams: [entry('items', 'incremental')] });
    expect(out.errors).toEqual([]);
    expect(out.records.items).toEqual([{ id: 1 }, { id: 2 }]);
    expect(out.warnings).toEqual([
      'Stream "items" supports only full_refresh (it has no incremental_sync); the catalog asks for incremental, so it is read in full',
    ]);
  });
});
