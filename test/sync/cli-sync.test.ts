/**
 * The `sync`, `catalog` and `query` commands as a user runs them (built CLI, real loopback API,
 * DuckDB files in temp folders): what goes to stdout and stderr, exit codes, a database another
 * process holds, and a stream that fails.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO, runCli, tempFiles } from '../helpers/cli.js';
import { makeItems, manifest, startApi, type Api } from './fixture.js';

let api: Api;
let files: Record<string, string> & { dir: string };
beforeEach(async () => {
  api = await startApi(makeItems(30));
  files = tempFiles({ 'shop.yaml': manifest(), 'config.json': api.config() });
});
afterEach(async () => {
  await api.close();
});

const base = (): string[] => ['--manifest', files['shop.yaml']!, '--config', files['config.json']!];

describe('manifold catalog', () => {
  it('prints the configured catalog sync would use', async () => {
    const result = await runCli(['catalog', ...base()]);
    expect(result.code).toBe(0);
    const catalog = JSON.parse(result.stdout) as { streams: Array<Record<string, unknown> & { stream: { name: string } }> };
    expect(catalog.streams.map(({ stream, ...rest }) => ({ name: stream.name, ...rest }))).toEqual([
      { name: 'items', sync_mode: 'incremental', destination_sync_mode: 'append_dedup', cursor_field: ['updated_at'], primary_key: [['id']] },
      { name: 'tags', sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' },
    ]);
    const only = JSON.parse((await runCli(['catalog', ...base(), '--streams', 'items', '--full-refresh'])).stdout) as typeof catalog;
    expect(only.streams.map((s) => [s.stream.name, s.sync_mode, s.destination_sync_mode])).toEqual([['items', 'full_refresh', 'overwrite']]);
    const unknown = await runCli(['catalog', ...base(), '--streams', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown stream(s) "nope" (streams: items, tags)');
  });
});

describe('manifold sync', () => {
  it('writes nothing to stdout, a per-stream summary to stderr; --json adds LOG/TRACE messages; query shows the rows', async () => {
    const plain = await runCli(['sync', ...base()], { cwd: files.dir });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toContain('manifold: sync into duckdb:manifold.duckdb:');
    expect(plain.stderr).toContain('items → items: 30 read, 30 inserted, 0 updated (append_dedup, state saved)');
    expect(plain.stderr).toContain('tags → tags: 3 read, table replaced (3 rows) (overwrite)');

    const json = await runCli(['sync', ...base(), '--to', `duckdb:${join(files.dir, 'manifold.duckdb')}`, '--json']);
    expect(json.code).toBe(0);
    expect(json.messages.length).toBeGreaterThan(0);
    expect(json.messages.every((m) => m.type === 'LOG' || m.type === 'TRACE')).toBe(true);
    expect(
      json.messages
        .filter((m) => m.trace?.stream_status?.status === 'COMPLETE')
        .map((m) => m.trace.stream_status.stream_descriptor.name)
        .sort(),
    ).toEqual(['items', 'tags']);
    expect(json.stderr).toContain('items → items: 1 read, 0 inserted, 0 updated');

    const table = await runCli(['query', 'duckdb:manifold.duckdb', 'SELECT id, name FROM items WHERE id <= 2 ORDER BY id'], { cwd: files.dir });
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(['id | name', '---+-------', '1  | item 1', '2  | item 2', '(2 rows)', ''].join('\n'));
    const lines = await runCli(['query', 'duckdb:manifold.duckdb', 'SELECT count(*) AS n FROM items', '--json'], { cwd: files.dir });
    expect(lines.stdout).toBe('{"n":"30"}\n');
    const bad = await runCli(['query', 'duckdb:manifold.duckdb', 'SELECT nope FROM items'], { cwd: files.dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^manifold: Query failed: .*nope/);
  }, 90_000);

  it('a failing stream makes the exit code 1 and is marked FAILED; the others load', async () => {
    api.failTagsPage = 1;
    const result = await runCli(['sync', ...base()], { cwd: files.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('tags page unavailable');
    expect(result.stderr).toMatch(/tags → tags: 0 read, .* — FAILED/);
    expect(result.stderr).toContain('items → items: 30 read, 30 inserted');
  }, 60_000);

  it('a DuckDB file another process holds is a config_error before any request', async () => {
    const db = join(files.dir, 'held.duckdb');
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { DuckDBInstance } = await import(${JSON.stringify(join(REPO, 'node_modules/@duckdb/node-api/lib/index.js'))}); const i = await DuckDBInstance.create(${JSON.stringify(db)}); await i.connect(); console.log('ready'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      const result = await runCli(['sync', ...base(), '--to', `duckdb:${db}`, '--json']);
      expect(result.code).toBe(1);
      expect(result.messages).toEqual([
        expect.objectContaining({
          type: 'TRACE',
          trace: expect.objectContaining({
            error: expect.objectContaining({ failure_type: 'config_error', message: expect.stringContaining('Could not set lock') }),
          }),
        }),
      ]);
      expect(api.server.requests).toHaveLength(0);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 60_000);
});
