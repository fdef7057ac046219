/**
 * `sync` into a real PostgreSQL server (started here on a loopback port, stopped afterwards):
 * typed tables via COPY, dedup merge, overwrite, NULs, resume after kill -9, wrong password.
 * Skipped, with a message, only when PostgreSQL's binaries are not installed.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { openDestination } from '../../engine/sync/sql-destination.js';
import { runCli, tempFiles } from '../helpers/cli.js';
import { PG_PASSWORD, postgresBinDir, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { extraStream, makeItems, manifest, startApi, type Api } from './fixture.js';
import { killAndResume } from './kill-resume.js';
import { query, runSync, summaryOf } from './support.js';

const available = postgresBinDir() !== undefined;
if (!available) {
  process.stderr.write(
    'postgres-sync.test.ts: SKIPPED — PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install -y postgresql; .ci/run does it)\n',
  );
}

(available ? describe : describe.skip)('sync into PostgreSQL', () => {
  let pg: TestPostgres;
  let api: Api;
  let database = 0;
  let dest: string;

  beforeAll(async () => {
    pg = (await startPostgres())!;
  }, 120_000);
  afterAll(() => pg?.stop());
  beforeEach(async () => {
    api = await startApi(makeItems(30));
    const name = `test_${++database}`;
    pg.createDatabase(name);
    dest = pg.url(name);
  });
  afterEach(async () => {
    await api.close();
  });

  it('loads typed tables with COPY, merges on the primary key, overwrites full-refresh streams', async () => {
    const first = await runSync(dest, { config: api.config() });
    expect(first.ok).toBe(true);
    expect(summaryOf(first, 'items')).toMatchObject({ mode: 'append_dedup', records: 30, inserted: 30, stateSaved: true });
    const columns = await query(
      dest,
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'items' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => [c.column_name, c.data_type])).toEqual([
      ['_airbyte_raw_id', 'text'],
      ['_airbyte_extracted_at', 'timestamp with time zone'],
      ['_airbyte_meta', 'jsonb'],
      ['_airbyte_generation_id', 'bigint'],
      ['id', 'bigint'],
      ['name', 'text'],
      ['score', 'bigint'],
      ['updated_at', 'timestamp with time zone'],
      ['details', 'jsonb'],
      ['tags', 'jsonb'],
    ]);
    expect((await query(dest, `SELECT details, extract(epoch FROM updated_at)::float8 AS ts FROM items WHERE id = 2`))[0]).toEqual({
      details: { rank: 1, labels: ['a', 'b'] },
      ts: Date.parse(api.items[1]!.updated_at) / 1000,
    });

    api.items[2] = { ...api.items[2]!, name: 'renamed', updated_at: '2024-01-05T00:00:00Z' };
    api.items.push({ id: 31, name: 'new', updated_at: '2024-01-05T01:00:00Z' });
    api.tags = [{ label: 'only', weight: 1 }];
    const second = await runSync(dest, { config: api.config() });
    expect(summaryOf(second, 'items')).toMatchObject({ inserted: 1, updated: 1 });
    expect(await query(dest, `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM items`)).toEqual([{ n: 31, ids: 31 }]);
    expect((await query(dest, `SELECT name FROM items WHERE id = 3`))[0]!.name).toBe('renamed');
    expect(await query(dest, `SELECT label, _airbyte_generation_id::int AS g FROM tags`)).toEqual([{ label: 'only', g: 2 }]);
  });

  it('a schema from the URL, keywords, quotes, NULs (removed and noted) and values that do not fit', async () => {
    const text = manifest([extraStream('order', 'id')]);
    api.setExtra('order', [{ id: 1, select: 'it\'s "quoted", with, commas\nand lines \\. too', nul: 'a\u0000b', deep: { s: 'x\u0000y' } }, { id: 'two' }]);
    const result = await runSync(`${dest}?schema=crm`, { config: api.config(), streams: ['order'] }, text);
    expect(result.ok).toBe(true);
    const rows = await query(dest, `SELECT id, "select", nul, deep, _airbyte_meta FROM crm."order" ORDER BY _airbyte_extracted_at, id NULLS LAST`);
    expect(rows[0]).toMatchObject({ id: '1', select: 'it\'s "quoted", with, commas\nand lines \\. too', nul: 'ab', deep: { s: 'xy' } });
    expect((rows[0]!._airbyte_meta as { changes: unknown[] }).changes).toEqual([
      { field: 'nul', change: 'TRUNCATED', reason: 'DESTINATION_SERIALIZATION_ERROR' },
      { field: 'deep', change: 'TRUNCATED', reason: 'DESTINATION_SERIALIZATION_ERROR' },
    ]);
    expect(rows[1]).toMatchObject({
      id: null,
      _airbyte_meta: { changes: [{ field: 'id', change: 'NULLED', reason: 'DESTINATION_TYPECAST_ERROR', value: 'two' }] },
    });
  });

  it('a wrong password or an unreachable server is a config_error with the password masked; nothing is read', async () => {
    await expect(openDestination(pg.url('postgres', 'wrong-password'))).rejects.toMatchObject({
      failureType: 'config_error',
      message: expect.stringMatching(/^Cannot connect to postgres:\/\/manifold:\*\*\*@127\.0\.0\.1:\d+\/postgres: password authentication failed/),
    });
    const files = tempFiles({ 'm.yaml': manifest(), 'c.json': api.config() });
    const cli = await runCli(['sync', '--manifest', files['m.yaml']!, '--config', files['c.json']!, '--to', pg.url('postgres', 'wrong-password'), '--json']);
    expect(cli.code).toBe(1);
    expect(cli.messages).toEqual([
      expect.objectContaining({ type: 'TRACE', trace: expect.objectContaining({ error: expect.objectContaining({ failure_type: 'config_error' }) }) }),
    ]);
    expect(cli.stderr).toContain('password authentication failed');
    expect(cli.stdout + cli.stderr).not.toContain('wrong-password');
    expect(cli.stdout + cli.stderr).not.toContain(PG_PASSWORD);
    expect(api.server.requests).toHaveLength(0);
  }, 60_000);

  it('resumes after kill -9 in the middle of a large read: each record exactly once', async () => {
    await killAndResume(dest);
  }, 180_000);
});
