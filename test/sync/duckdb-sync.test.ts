/**
 * `sync` into real DuckDB files: modes derived from discover, typed tables with Airbyte's V2
 * columns, state saved with the records, dedup as a merge, atomic overwrite, schema evolution,
 * awkward names and values.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Source } from '../../engine/source/source.js';
import { openDestination } from '../../engine/sync/sql-destination.js';
import { sync } from '../../engine/sync/sync.js';
import { extraStream, makeItems, manifest, startApi, type Api } from './fixture.js';
import { query, runSync, summaryOf, tempDuckDb } from './support.js';

let api: Api;
let dest: string;

beforeEach(async () => {
  api = await startApi(makeItems(30));
  dest = tempDuckDb();
});
afterEach(async () => {
  await api.close();
});

const count = async (table: string): Promise<number> => Number((await query(dest, `SELECT count(*) AS n FROM "${table}"`))[0]!.n);

describe('sync into DuckDB', () => {
  it('creates one typed table per stream with the Destinations V2 columns and saves state', async () => {
    const result = await runSync(dest, { config: api.config() });
    expect(result.ok).toBe(true);
    expect(summaryOf(result, 'items')).toMatchObject({ mode: 'append_dedup', records: 30, inserted: 30, updated: 0, stateSaved: true, status: 'complete' });
    expect(summaryOf(result, 'tags')).toMatchObject({ mode: 'overwrite', records: 3, inserted: 3, status: 'complete' });

    const columns = await query(dest, `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position`);
    expect(columns.map((c) => [c.column_name, c.data_type])).toEqual([
      ['_airbyte_raw_id', 'VARCHAR'],
      ['_airbyte_extracted_at', 'TIMESTAMP WITH TIME ZONE'],
      ['_airbyte_meta', 'JSON'],
      ['_airbyte_generation_id', 'BIGINT'],
      ['id', 'BIGINT'],
      ['name', 'VARCHAR'],
      ['score', 'BIGINT'],
      ['updated_at', 'TIMESTAMP WITH TIME ZONE'],
      ['details', 'JSON'],
      ['tags', 'JSON'],
    ]);
    const row = (await query(dest, `SELECT id, name, details->>'$.rank' AS rank, tags, _airbyte_meta, epoch(updated_at) AS ts FROM items WHERE id = 4`))[0]!;
    expect(row).toEqual({
      id: '4',
      name: 'item 4',
      rank: '0',
      tags: '["x"]',
      _airbyte_meta: '{"changes":[]}',
      ts: Date.parse(api.items[3]!.updated_at) / 1000,
    });
    expect(await count('tags')).toBe(3);

    const state = await query(dest, `SELECT connector, stream, partition, state FROM _manifold_state WHERE stream = 'items'`);
    expect(state).toEqual([{ connector: 'test', stream: 'items', partition: '', state: JSON.stringify({ updated_at: '2024-01-03T00:09:00Z' }) }]);
    // No staging tables are left behind.
    const tables = (await query(dest, `SELECT table_name FROM information_schema.tables ORDER BY 1`)).map((t) => t.table_name);
    expect(tables).toEqual(['_manifold_state', 'items', 'tags']);
  });

  it('a second run reads from the saved cursor, adds nothing twice, and merges updated rows in place', async () => {
    await runSync(dest, { config: api.config() });
    const before = new Map((await query(dest, `SELECT id, _airbyte_raw_id FROM items`)).map((r) => [r.id, r._airbyte_raw_id]));
    api.server.requests.length = 0;

    // One record changes (newer cursor), one is new.
    api.items[4] = { ...api.items[4]!, name: 'renamed', updated_at: '2024-01-05T00:00:00Z' };
    api.items.push({ id: 31, name: 'new', score: 1, updated_at: '2024-01-05T01:00:00Z' });
    const second = await runSync(dest, { config: api.config() });

    expect(second.ok).toBe(true);
    // The window starts at the saved cursor itself (inclusive, as in Airbyte), so the last record
    // comes again: identical, it writes nothing.
    expect(api.requestsTo('/items')[0]!.query.since).toBe('2024-01-03T00:09:00Z');
    expect(summaryOf(second, 'items')).toMatchObject({ records: 3, inserted: 1, updated: 1 });
    expect(await count('items')).toBe(31);
    expect((await query(dest, `SELECT name FROM items WHERE id = 5`))[0]!.name).toBe('renamed');
    // A merge, not a rebuild: rows that did not change keep their raw id.
    const after = new Map((await query(dest, `SELECT id, _airbyte_raw_id FROM items`)).map((r) => [r.id, r._airbyte_raw_id]));
    const unchanged = [...before].filter(([id, raw]) => after.get(id) === raw).length;
    expect(unchanged).toBe(29);
    expect(after.get('5')).not.toBe(before.get('5'));

    // Nothing new: nothing written.
    const third = await runSync(dest, { config: api.config() });
    expect(summaryOf(third, 'items')).toMatchObject({ records: 1, inserted: 0, updated: 0, stateSaved: false });
    expect(await count('items')).toBe(31);
  });

  it('dedup keeps the latest record per key by cursor, then by extraction order', async () => {
    api.items = [
      { id: 1, name: 'old', updated_at: '2024-01-02T00:00:00Z' },
      { id: 1, name: 'newest', updated_at: '2024-01-03T00:00:00Z' },
      { id: 2, name: 'first', updated_at: '2024-01-02T00:00:00Z' },
      { id: 2, name: 'second (same cursor, read later)', updated_at: '2024-01-02T00:00:00Z' },
    ];
    await runSync(dest, { config: api.config() });
    expect(await query(dest, `SELECT id, name FROM items ORDER BY id`)).toEqual([
      { id: '1', name: 'newest' },
      { id: '2', name: 'second (same cursor, read later)' },
    ]);
    // An older version arriving later (a full refresh via --catalog append_dedup) does not win.
    api.items = [{ id: 1, name: 'stale', updated_at: '2024-01-01T00:00:00Z' }];
    const catalog = {
      streams: [
        {
          stream: { name: 'items' },
          sync_mode: 'full_refresh' as const,
          destination_sync_mode: 'append_dedup',
          primary_key: [['id']],
          cursor_field: ['updated_at'],
        },
      ],
    };
    await runSync(dest, { config: api.config(), catalog });
    expect((await query(dest, `SELECT name FROM items WHERE id = 1`))[0]!.name).toBe('newest');
  });

  it('append mode (from a catalog) adds each record once per run; full refresh overwrites and bumps the generation', async () => {
    const catalog = { streams: [{ stream: { name: 'items' }, sync_mode: 'incremental' as const, destination_sync_mode: 'append' }] };
    await runSync(dest, { config: api.config(), catalog });
    api.items.push({ id: 31, name: 'new', updated_at: '2024-01-06T00:00:00Z' });
    const second = await runSync(dest, { config: api.config(), catalog });
    // Append takes what the source sends: the window starts at the saved cursor (inclusive), so
    // the boundary record comes again. (Streams with a primary key dedup instead by default.)
    expect(summaryOf(second, 'items')).toMatchObject({ mode: 'append', records: 2, inserted: 2 });
    expect(await count('items')).toBe(32);

    const full = await runSync(dest, { config: api.config(), fullRefresh: true });
    expect(summaryOf(full, 'items')).toMatchObject({ mode: 'overwrite', records: 31, inserted: 31 });
    expect(await query(dest, `SELECT DISTINCT _airbyte_generation_id AS g FROM items`)).toEqual([{ g: '1' }]);
    expect(await count('items')).toBe(31);
    // A full refresh resets the state: the next run reads from the start and, deduplicating
    // onto identical rows, writes nothing.
    api.server.requests.length = 0;
    const next = await runSync(dest, { config: api.config() });
    expect(api.requestsTo('/items')[0]!.query.since).toBe('2024-01-01T00:00:00Z');
    expect(summaryOf(next, 'items')).toMatchObject({ mode: 'append_dedup', records: 31, inserted: 0, updated: 0 });
    expect(await count('items')).toBe(31);
  });

  it('a full refresh that fails half-way leaves the previous table whole (atomic overwrite)', async () => {
    await runSync(dest, { config: api.config() });
    api.tags = [
      { label: 'cyan', weight: 9 },
      { label: 'magenta', weight: 8 },
      { label: 'yellow', weight: 7 },
    ];
    api.failTagsPage = 2;
    const failed = await runSync(dest, { config: api.config(), streams: ['tags'] });
    expect(failed.ok).toBe(false);
    expect(summaryOf(failed, 'tags').status).toBe('failed');
    expect((await query(dest, `SELECT label FROM tags ORDER BY label`)).map((r) => r.label)).toEqual(['blue', 'green', 'red']);
    const tables = (await query(dest, `SELECT table_name FROM information_schema.tables ORDER BY 1`)).map((t) => t.table_name);
    expect(tables).toEqual(['_manifold_state', 'items', 'tags']);

    api.failTagsPage = undefined;
    await runSync(dest, { config: api.config(), streams: ['tags'] });
    expect((await query(dest, `SELECT label FROM tags ORDER BY label`)).map((r) => r.label)).toEqual(['cyan', 'magenta', 'yellow']);
    expect(await query(dest, `SELECT DISTINCT _airbyte_generation_id AS g FROM tags`)).toEqual([{ g: '2' }]);
  });

  it('schema evolution: new fields add columns, fractions widen integers, misfits become NULL with the value in _airbyte_meta', async () => {
    await runSync(dest, { config: api.config() });
    api.items.push(
      { id: 31, name: 'with color', color: 'teal', updated_at: '2024-01-06T00:00:00Z', score: 2.5 },
      { id: 32, name: 'bad types', updated_at: '2024-01-06T01:00:00Z', score: 'high', details: 'not an object', tags: { a: 1 } },
    );
    api.items.push({ id: 33, name: 'bad time', updated_at: '2024-01-06T02:00:00Z' });
    const result = await runSync(dest, { config: api.config() });
    expect(result.ok).toBe(true);
    expect(summaryOf(result, 'items').addedColumns).toEqual(['color']);
    const types = Object.fromEntries(
      (await query(dest, `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'items'`)).map((c) => [c.column_name, c.data_type]),
    );
    expect(types).toMatchObject({ color: 'VARCHAR', score: 'DOUBLE', details: 'JSON' });
    const rows = await query(dest, `SELECT id, color, score, details, tags, _airbyte_meta FROM items WHERE id IN (1, 31, 32) ORDER BY id`);
    expect(rows[0]).toMatchObject({ id: '1', color: null, score: 0 });
    expect(rows[1]).toMatchObject({ id: '31', color: 'teal', score: 2.5 });
    // A string fits a JSON column (as a JSON string); a string does not fit a number.
    expect(rows[2]).toMatchObject({ id: '32', score: null, details: '"not an object"', tags: '{"a":1}' });
    expect(JSON.parse(String(rows[2]!._airbyte_meta))).toEqual({
      changes: [{ field: 'score', change: 'NULLED', reason: 'DESTINATION_TYPECAST_ERROR', value: 'high' }],
    });
  });

  it('a timestamp that does not parse is NULL with a meta change; the sync goes on', async () => {
    api.items = [{ id: 1, name: 'x', updated_at: '2024-01-02T00:00:00Z' }];
    const source = await Source.fromText(
      manifest().replace(
        'updated_at: { type: string, format: date-time }',
        'updated_at: { type: string, format: date-time }\n          seen: { type: string, format: date-time }',
      ),
      'x.yaml',
    );
    api.items[0]!.seen = '2024-02-30T00:00:00Z';
    const db = await openDestination(dest);
    const result = await sync(source, db, { config: api.config(), connector: 'test', streams: ['items'] });
    const row = (await db.all(`SELECT seen, _airbyte_meta FROM items`))[0]!;
    await db.close();
    expect(result.ok).toBe(true);
    expect(row.seen).toBeNull();
    expect(JSON.parse(String(row._airbyte_meta)).changes).toEqual([
      { field: 'seen', change: 'NULLED', reason: 'DESTINATION_TYPECAST_ERROR', value: '2024-02-30T00:00:00Z' },
    ]);
  });

  it('stream names that collide or are SQL keywords, fields and values with quotes, NULs and huge JSON', async () => {
    const text = manifest([extraStream('select', 'id'), extraStream('Select', 'id'), extraStream('order "by"', 'id')]);
    const huge = { blob: Array.from({ length: 20_000 }, (_, i) => ({ i, text: `value ${i} with "quotes" and 'apostrophes'` })) };
    api.setExtra('select', [{ id: 1, 'he said "hi"': 'it\'s "quoted"', group: 'keyword', nul: 'a\u0000b', huge }]);
    api.setExtra('Select', [{ id: 2 }]);
    api.setExtra('order "by"', [{ id: 3, ID: 'upper-case twin' }]);
    const result = await runSync(dest, { config: api.config(), streams: ['select', 'Select', 'order "by"'] }, text);
    expect(result.ok).toBe(true);
    expect(result.collisions).toEqual([{ name: 'Select', wanted: 'select', given: 'select_2' }]);
    expect(result.streams.map((s) => s.table)).toEqual(['select', 'select_2', 'order_by']);

    const row = (await query(dest, `SELECT "he_said_hi", "group", nul, length(nul) AS n, json_array_length(huge->'$.blob') AS items FROM "select"`))[0]!;
    expect(row).toEqual({ he_said_hi: 'it\'s "quoted"', group: 'keyword', nul: 'a\u0000b', n: '3', items: '20000' });
    expect(await query(dest, `SELECT id FROM select_2`)).toEqual([{ id: '2' }]);
    const twin = await query(dest, `SELECT id, id_2 FROM order_by`);
    expect(twin).toEqual([{ id: '3', id_2: 'upper-case twin' }]);
    expect(summaryOf(result, 'order "by"').notes).toEqual([]);
    expect(summaryOf(result, 'order "by"').addedColumns).toEqual(['id_2']);
  });

  it('a bad destination is a config_error before anything is read or written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifold-bad-dest-'));
    const notDuck = join(dir, 'not-a-database.duckdb');
    writeFileSync(notDuck, 'this is a text file, not a DuckDB database\n'.repeat(200));
    const before = readFileSync(notDuck);
    for (const [url, message] of [
      ['mysql://x@y/z', /Unknown destination "mysql:\/\/x@y\/z": use duckdb:PATH/],
      [`duckdb:${join(dir, 'missing', 'x.duckdb')}`, /folder .*missing does not exist/],
      [`duckdb:${dir}`, /it is a folder/],
      [`duckdb:${notDuck}`, /Cannot open DuckDB file .*not-a-database\.duckdb/],
    ] as const) {
      await expect(openDestination(url)).rejects.toMatchObject({ failureType: 'config_error', message: expect.stringMatching(message) });
    }
    expect(readFileSync(notDuck)).toEqual(before);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    expect(api.server.requests).toHaveLength(0);
  });
});
