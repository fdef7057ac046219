/**
 * Issue 13 through the built CLI: `manifold write` with malformed input lines and with a
 * dead-letter file on a full disk, against a loopback server. Asserts what was sent, which STATEs
 * were echoed, the exit code and the messages.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { dirname } from 'node:path';
import { runCli, tempFiles, type CliResult } from '../helpers/cli.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

const MANIFEST = `
version: 0.1.0
type: DeclarativeDestination
spec:
  type: Spec
  connection_specification: { type: object, properties: {} }
requester:
  type: HttpRequester
  url_base: "{{ config.base }}"
  error_handler:
    type: DefaultErrorHandler
    response_filters:
      - { type: HttpResponseFilter, http_codes: [422], action: FAIL }
      - { type: HttpResponseFilter, http_codes: [404], action: IGNORE }
operations:
  - type: DestinationOperation
    name: upsert
    streams: [items]
    http_method: PUT
    path: "/items/{{ record.id }}"
on_failure: "{{ config.on_failure or 'stop' }}"
dead_letter_path: "{{ config.dead_letter_path or '' }}"
`;

const catalog = {
  streams: [{ stream: { name: 'items', json_schema: {} }, sync_mode: 'full_refresh', destination_sync_mode: 'append', primary_key: [['id']] }],
};
const line = (m: object): string => JSON.stringify(m) + '\n';
const rec = (id: string): string => line({ type: 'RECORD', record: { stream: 'items', data: { id }, emitted_at: 1 } });
const state = (n: number): string => line({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'items' }, stream_state: { n } } } });

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    'PUT /items/ok-1': (_req, res) => json(res, 200, {}),
    'PUT /items/ok-2': (_req, res) => json(res, 200, {}),
    'PUT /items/bad-1': (_req, res) => json(res, 422, { error: 'rejected' }),
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

async function write(stdin: string, config: object = {}, extra: string[] = []): Promise<CliResult> {
  const f = tempFiles({ 'dest.yaml': MANIFEST, 'config.json': { base: server.url, ...config }, 'catalog.json': catalog });
  return runCli(['write', '--manifest', f['dest.yaml']!, '--config', f['config.json']!, '--catalog', f['catalog.json']!, ...extra], { stdin });
}

const states = (r: CliResult): number[] => r.messages.filter((m) => m.type === 'STATE').map((m) => m.state.stream.stream_state.n);
const logs = (r: CliResult, level: string): string[] => r.messages.filter((m) => m.type === 'LOG' && m.log.level === level).map((m) => m.log.message);
const errors = (r: CliResult): string[] => r.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error.message);

describe('manifold write: malformed input lines', () => {
  const stdin = [rec('ok-1'), state(1), '{"type":"RECORD","record":{"stream":"items","data":{"id":"o\n', rec('ok-2'), state(2)].join('');

  it('reports the line number and stops before the next STATE, exit 1 (default)', async () => {
    const result = await write(stdin);
    expect(result.code).toBe(1);
    expect(server.requests.map((r) => r.path)).toEqual(['/items/ok-1']);
    expect(states(result)).toEqual([1]);
    expect(logs(result, 'ERROR')).toEqual([expect.stringMatching(/^Bad input at line 3: not valid JSON/)]);
    expect(errors(result)).toEqual([expect.stringMatching(/^Bad input at line 3: .*Stopping before any later STATE is echoed/)]);
  });

  it('warns and goes on with --on-bad-input skip, exit 0', async () => {
    const result = await write(stdin, {}, ['--on-bad-input', 'skip']);
    expect(result.code).toBe(0);
    expect(server.requests.map((r) => r.path)).toEqual(['/items/ok-1', '/items/ok-2']);
    expect(states(result)).toEqual([1, 2]);
    expect(logs(result, 'WARN')).toEqual([expect.stringMatching(/^Bad input at line 3: not valid JSON.*skipped/), '1 bad input message(s) skipped']);
    expect(errors(result)).toEqual([]);
  });

  it('rejects an unknown --on-bad-input mode', async () => {
    const result = await write(stdin, {}, ['--on-bad-input', 'ignore']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--on-bad-input must be stop or skip/);
    expect(server.requests).toEqual([]);
  });
});

describe('manifold write: a dead-letter file that cannot be written', () => {
  it('on a full disk: stops with a clear error and no STATE past the lost record, exit 1, no crash', async () => {
    // /dev/full is a device: the file policy lets a manifest write there only when allowed by name.
    const result = await write(
      [rec('ok-1'), state(1), rec('bad-1'), rec('ok-2'), state(2)].join(''),
      { on_failure: 'dead_letter', dead_letter_path: '/dev/full' },
      ['--allow-path', '/dev/full'],
    );
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/Unhandled/);
    expect(server.requests.map((r) => r.path)).toEqual(['/items/ok-1', '/items/bad-1']);
    expect(states(result)).toEqual([1]);
    expect(errors(result)).toEqual([expect.stringMatching(/record "bad-1": .*HTTP 422.*no later STATE is echoed/)]);
    expect(errors(result)[0]).toMatch(/dead-letter file \/dev\/full cannot be written \(ENOSPC/);
  });

  it('a directory: refused by the file policy before anything is sent, exit 1', async () => {
    const dir = tempFiles({}).dir;
    const result = await write([rec('ok-1'), state(1), rec('bad-1'), state(2)].join(''), { on_failure: 'dead_letter', dead_letter_path: dir }, [
      '--allow-path',
      dirname(dir),
    ]);
    expect(result.code).toBe(1);
    expect(server.requests).toEqual([]);
    expect(states(result)).toEqual([]);
    expect(errors(result)).toEqual([expect.stringMatching(/dead_letter_path: .* is a folder, not a regular file/)]);
  });
});

describe('manifold write: responses the error handler IGNOREs', () => {
  it('are counted as ignored, not written; the run succeeds, exit 0', async () => {
    const result = await write([rec('ok-1'), rec('gone-1'), state(1)].join(''));
    expect(result.code).toBe(0);
    expect(server.requests.map((r) => r.path)).toEqual(['/items/ok-1', '/items/gone-1']);
    expect(states(result)).toEqual([1]);
    expect(logs(result, 'INFO')).toContainEqual('Operation upsert: 1 record(s) written in 2 request(s), 1 ignored by the error handler, 0 failed');
  });
});
