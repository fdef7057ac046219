/** Issue 13, item 4 through the built CLI: a bad --state cursor value and a malformed --catalog entry. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { records, runCli } from '../helpers/cli.js';
import { files, startApi, type Api } from './fixture.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.server.close());

const errors = (messages: Array<Record<string, any>>) =>
  messages
    .filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR')
    .map((m) => ({
      message: m.trace.error.message,
      failure_type: m.trace.error.failure_type,
      stream: m.trace.error.stream_descriptor?.name,
      stack: m.trace.error.stack_trace,
    }));

describe('manifold read with a state or catalog it cannot use', () => {
  it('an unparsable cursor value fails that stream with a config_error (exit 1); the other streams are read; a state for an unknown stream is a WARN', async () => {
    const f = files(api, ['items', 'events'], 'incremental');
    const state = join(f.dir, 'state.json');
    writeFileSync(
      state,
      JSON.stringify([
        { type: 'STREAM', stream: { stream_descriptor: { name: 'events' }, stream_state: { updated: '2024-01-25' } } },
        { type: 'STREAM', stream: { stream_descriptor: { name: 'retired' }, stream_state: { updated: '2024-01-25T00:00:00Z' } } },
      ]),
    );
    const before = api.requestsTo('/api/events').length;
    const result = await runCli(['read', ...f.args, '--state', state]);
    expect(result.code).toBe(1);
    expect(api.requestsTo('/api/events').length).toBe(before);
    expect(records(result, 'items')).toHaveLength(7);
    expect(records(result, 'events')).toEqual([]);
    expect(errors(result.messages)).toEqual([
      {
        message: expect.stringMatching(/updated="2024-01-25" is not a datetime in the format "%Y-%m-%dT%H:%M:%SZ"/),
        failure_type: 'config_error',
        stream: 'events',
        stack: undefined,
      },
      {
        message: 'During the sync, the following streams did not sync successfully: events',
        failure_type: 'config_error',
        stream: undefined,
        stack: undefined,
      },
    ]);
    const warnings = result.messages.filter((m) => m.type === 'LOG' && m.log.level === 'WARN').map((m) => m.log.message);
    expect(warnings).toContainEqual(expect.stringMatching(/entry for stream "retired", which the manifest does not define/));
    expect(warnings).toContainEqual(expect.stringMatching(/Stream "items" supports only full_refresh/));
  });

  it('a catalog entry without "stream" is a config_error naming it: no TypeError, no stack trace, no request', async () => {
    const f = files(api, ['items']);
    writeFileSync(f.catalog, JSON.stringify({ streams: [{ sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] }));
    const requests = api.server.requests.length;
    const result = await runCli(['read', ...f.args]);
    expect(result.code).toBe(1);
    expect(api.server.requests.length).toBe(requests);
    expect(errors(result.messages)).toEqual([
      { message: expect.stringMatching(/^catalog\.streams\[0\] has no "stream" object/), failure_type: 'config_error', stream: undefined, stack: undefined },
    ]);
    expect(result.stdout + result.stderr).not.toMatch(/TypeError|\n\s+at /);
  });
});
