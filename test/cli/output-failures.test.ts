/**
 * `read --output DIR` when a file cannot be written (issue 13): the read ends with an error naming
 * the file, a non-zero exit and no state saved past the lost records — never Node's
 * "Unhandled 'error' event" crash.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { files, startApi, type Api } from './fixture.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.server.close());

describe('read --output DIR with a file that cannot be written', () => {
  // A full-refresh stream's file is replaced (renamed over) when the stream ends, an incremental
  // one's appended to as records come: a full disk is only met by appending.
  it.each([
    [
      'is a directory',
      'items',
      'full_refresh' as const,
      (path: string) => mkdirSync(path),
      /--output file \S+items\.jsonl cannot be written \(EISDIR/,
      'config_error',
    ],
    [
      'is on a full disk (/dev/full)',
      'events',
      'incremental' as const,
      (path: string) => symlinkSync('/dev/full', path),
      /--output file \S+events\.jsonl cannot be written \(ENOSPC/,
      'system_error',
    ],
  ])('stops with an error naming the file when it %s', async (_what, stream, mode, prepare, expected, failureType) => {
    const f = files(api, [stream], mode);
    const out = join(f.dir, 'out');
    mkdirSync(out);
    prepare(join(out, `${stream}.jsonl`));
    const result = await runCli(['read', ...f.args, '--output', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/Unhandled|at .*\.js:\d+/);
    expect(result.stderr).toMatch(expected);
    const errors = result.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error);
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringMatching(expected), failure_type: failureType })]);
    // The records never reached the file, so no state may claim them.
    expect(existsSync(join(out, 'state.json'))).toBe(false);
  });

  it('stops with an error naming the state file when it cannot be replaced', async () => {
    const f = files(api, ['items']);
    const out = join(f.dir, 'out');
    mkdirSync(join(out, 'state.json'), { recursive: true });
    const result = await runCli(['read', ...f.args, '--output', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--output state file \S+state\.json cannot be written \(EISDIR/);
    expect(result.stderr).not.toMatch(/Unhandled/);
  });

  it('names the folder when it cannot be created', async () => {
    const f = files(api, ['items']);
    const result = await runCli(['read', ...f.args, '--output', join(f.manifest, 'out')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--output folder \S+ cannot be created \(ENOTDIR/);
    expect(result.stderr).not.toMatch(/Unhandled/);
  });
});
