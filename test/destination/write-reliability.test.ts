/**
 * Issue 13, write side: every record is acknowledged, dead-lettered (the line on disk before a
 * STATE covering it is echoed) or the run stops; a dead-letter file that cannot be written stops
 * the run; malformed input is reported by position and stops the run unless skipped; IGNOREd
 * responses are counted as ignored. The real HttpRequester against a loopback server.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Destination, type WriteOptions } from '../../engine/destination/destination.js';
import { InputLine } from '../../engine/destination/input.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import type { Obj } from '../../engine/types.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';
import { preloadComponents } from './preload-components.js';

await preloadComponents();

let server: TestServer;
beforeAll(async () => {
  // /items/ok-* answer 200, /items/bad-* 422 (a failure), anything else 404 (IGNOREd by the manifest).
  const routes: Record<string, (req: unknown, res: import('node:http').ServerResponse) => void> = {};
  for (const id of ['ok-1', 'ok-2', 'ok-3', 'ok-4']) routes[`PUT /items/${id}`] = (_req, res) => json(res, 200, { id });
  for (const id of ['bad-1', 'bad-2']) routes[`PUT /items/${id}`] = (_req, res) => json(res, 422, { error: 'rejected' });
  server = await startServer(routes);
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const MANIFEST = {
  version: '0.1.0',
  type: 'DeclarativeDestination',
  spec: { type: 'Spec', connection_specification: { type: 'object', properties: {} } },
  requester: {
    type: 'HttpRequester',
    url_base: '{{ config.base }}',
    error_handler: {
      type: 'DefaultErrorHandler',
      response_filters: [
        { type: 'HttpResponseFilter', http_codes: [404], action: 'IGNORE' },
        { type: 'HttpResponseFilter', http_codes: [422], action: 'FAIL' },
      ],
    },
  },
  operations: [{ type: 'DestinationOperation', name: 'upsert', streams: ['items'], http_method: 'PUT', path: '/items/{{ record.id }}' }],
  on_failure: "{{ config.on_failure or 'stop' }}",
  dead_letter_path: "{{ config.dead_letter_path or '' }}",
};

const catalog: ConfiguredAirbyteCatalog = {
  streams: [{ stream: { name: 'items' }, sync_mode: 'full_refresh', destination_sync_mode: 'append', primary_key: [['id']] }],
};
const record = (id: string): Obj => ({ type: 'RECORD', record: { stream: 'items', data: { id }, emitted_at: 1 } });
const state = (n: number): Obj => ({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'items' }, stream_state: { n } } } });

async function* from(items: unknown[]): AsyncGenerator<unknown> {
  yield* items;
}

interface Outcome {
  messages: AirbyteMessage[];
  /** PUT paths the server received. */
  sent: string[];
  states: number[];
  errors: string[];
  logs: Array<{ level: string; message: string }>;
}

async function write(input: unknown[], config: Obj = {}, options: WriteOptions = {}, onState?: () => void): Promise<Outcome> {
  // The dead-letter files live in the temp folder, and /dev/full is allowed by name (docs/security.md).
  const destination = await Destination.fromObject(MANIFEST, 'dest.yaml', { backoffScale: 0.001, allowPaths: [tmpdir(), '/dev/full'] });
  const messages: AirbyteMessage[] = [];
  for await (const m of destination.write({ base: server.url, ...config }, catalog, from(input), options)) {
    if (m.type === 'STATE') onState?.();
    messages.push(m);
  }
  const raw = messages as unknown as Array<Record<string, any>>;
  return {
    messages,
    sent: server.requests.map((r) => r.path),
    states: raw.filter((m) => m.type === 'STATE').map((m) => m.state.stream.stream_state.n),
    errors: raw.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error.message),
    logs: raw.filter((m) => m.type === 'LOG').map((m) => m.log),
  };
}

const deadLetterConfig = (path: string): Obj => ({ on_failure: 'dead_letter', dead_letter_path: path });
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'manifold-rel-write-'));

describe('dead letters', () => {
  it('a dead letter is on disk before the STATE that covers it is echoed', async () => {
    const path = join(tempDir(), 'dead.jsonl');
    const onDiskAtState: number[] = [];
    const out = await write([record('ok-1'), record('bad-1'), state(1), record('ok-2'), state(2)], deadLetterConfig(path), {}, () => {
      onDiskAtState.push(existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').length : 0);
    });
    expect(out.errors).toEqual([]);
    expect(out.sent).toEqual(['/items/ok-1', '/items/bad-1', '/items/ok-2']);
    expect(out.states).toEqual([1, 2]);
    expect(onDiskAtState).toEqual([1, 1]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(
      expect.objectContaining({ operation: 'upsert', stream: 'items', key: 'bad-1', record: { id: 'bad-1' } }),
    );
    expect(out.logs.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/Operation upsert: 2 record\(s\) written in 3 request\(s\), 1 dead-lettered, 0 failed/),
    );
  });

  // A full disk, a folder that does not exist: the record is neither written nor parked, so the
  // run must stop before the STATE after it.
  it.each([
    ['a full disk (/dev/full)', () => '/dev/full', /dead-letter file \/dev\/full cannot be written \(ENOSPC/],
    ['an unopenable path', () => join(tempDir(), 'missing', 'dead.jsonl'), /dead-letter file \S+ cannot be opened \(ENOENT/],
  ])('a dead-letter file that cannot be written (%s) stops the run with no STATE past the lost record', async (_what, pathOf, expected) => {
    const path = pathOf();
    const out = await write([record('ok-1'), state(1), record('bad-1'), record('ok-2'), state(2), record('ok-3'), state(3)], deadLetterConfig(path));
    expect(out.sent).toEqual(['/items/ok-1', '/items/bad-1']);
    expect(out.states).toEqual([1]);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatch(/^Operation upsert failed for stream "items", record "bad-1": .*HTTP 422/);
    expect(out.errors[0]).toMatch(expected);
    expect(out.errors[0]).toMatch(/no later STATE is echoed/);
    expect(out.logs.map((l) => l.message)).toContainEqual(expect.stringMatching(/1 record\(s\) written in 2 request\(s\), 1 failed/));
  });

  it('a dead-letter path that is a directory is refused by the file policy before anything is sent', async () => {
    const out = await write([record('ok-1'), state(1), record('bad-1'), state(2)], deadLetterConfig(tempDir()));
    expect(out.sent).toEqual([]);
    expect(out.states).toEqual([]);
    expect(out.errors).toEqual([expect.stringMatching(/dead_letter_path: .* is a folder, not a regular file/)]);
  });
});

describe('IGNOREd responses', () => {
  it('are counted as ignored, not written, and still let the STATE through', async () => {
    const out = await write([record('ok-1'), record('gone-1'), record('gone-2'), state(1)]);
    expect(out.sent).toEqual(['/items/ok-1', '/items/gone-1', '/items/gone-2']);
    expect(out.errors).toEqual([]);
    expect(out.states).toEqual([1]);
    const summary = out.logs.filter((l) => l.message.startsWith('Operation upsert:')).map((l) => l.message);
    expect(summary).toEqual(['Operation upsert: 1 record(s) written in 3 request(s), 2 ignored by the error handler, 0 failed']);
  });
});

describe('malformed input', () => {
  const badCases: Array<[string, unknown, RegExp]> = [
    ['a cut RECORD line', new InputLine(3, '{"type":"RECORD","record":{"stream":"items","da'), /^Bad input at line 3: not valid JSON/],
    [
      'data that is a string',
      { type: 'RECORD', record: { stream: 'items', data: 'oops', emitted_at: 1 } },
      /^Bad input at input message 3: RECORD of stream "items": "data" is a string, not an object/,
    ],
    ['a RECORD without stream', { type: 'RECORD', record: { data: { id: 'ok-2' }, emitted_at: 1 } }, /^Bad input at input message 3: RECORD has no "stream"/],
    ['an unknown type', { type: 'RECORDS', record: { stream: 'items', data: {} } }, /^Bad input at input message 3: unknown message type "RECORDS"/],
  ];

  it.each(badCases)('%s is reported by position and stops the run before any later STATE (default)', async (_what, bad, expected) => {
    const out = await write([record('ok-1'), state(1), bad, record('ok-2'), state(2)]);
    expect(out.sent).toEqual(['/items/ok-1']);
    expect(out.states).toEqual([1]);
    expect(out.logs.filter((l) => l.level === 'ERROR').map((l) => l.message)).toEqual([expect.stringMatching(expected)]);
    expect(out.errors).toEqual([expect.stringMatching(/Stopping before any later STATE is echoed/)]);
  });

  it.each(badCases)('%s is a WARN and skipped with onBadInput: skip', async (_what, bad, expected) => {
    const out = await write([record('ok-1'), state(1), bad, record('ok-2'), state(2)], {}, { onBadInput: 'skip' });
    expect(out.sent).toEqual(['/items/ok-1', '/items/ok-2']);
    expect(out.states).toEqual([1, 2]);
    expect(out.errors).toEqual([]);
    const warnings = out.logs.filter((l) => l.level === 'WARN').map((l) => l.message);
    expect(warnings).toEqual([expect.stringMatching(expected), '1 bad input message(s) skipped']);
  });

  it('passes over text lines that are not JSON and messages of types it has no use for', async () => {
    const out = await write([
      new InputLine(1, 'starting up'),
      new InputLine(2, ''),
      { type: 'LOG', log: { level: 'INFO', message: 'hi' } },
      record('ok-1'),
      state(1),
    ]);
    expect(out.sent).toEqual(['/items/ok-1']);
    expect(out.states).toEqual([1]);
    expect(out.logs.filter((l) => l.level !== 'INFO')).toEqual([]);
  });
});

describe('a malformed catalog', () => {
  it('is a config_error naming the entry, before anything is sent', async () => {
    const destination = await Destination.fromObject(MANIFEST, 'dest.yaml');
    const out: Array<Record<string, any>> = [];
    const bad = { streams: [{ stream: { name: 'items' } }, { sync_mode: 'full_refresh' }] } as unknown as ConfiguredAirbyteCatalog;
    for await (const m of destination.write({ base: server.url }, bad, from([record('ok-1'), state(1)]))) out.push(m);
    expect(server.requests).toEqual([]);
    expect(out.filter((m) => m.type === 'STATE')).toEqual([]);
    expect(out.filter((m) => m.type === 'TRACE').map((m) => [m.trace.error.message, m.trace.error.failure_type])).toEqual([
      ['catalog.streams[1] has no "stream" object (expected {"stream": {"name": "..."}, "sync_mode": "..."})', 'config_error'],
    ]);
  });
});
