/**
 * The load half of `sync` alone, for scenario 8: N records shaped like the bench server's, built in
 * memory (no HTTP, no JSON parsing) and fed to the stream loader sync uses (full refresh, overwrite;
 * the same schema as bench/manifests/1-cursor-pagination.yaml), so its COPY path can be compared
 * with psql's \copy of the same rows.
 *
 *   node bench/sync-load.mjs --to postgres://… --records N      prints "loaded N rows" on stderr
 */
import { parseArgs } from 'node:util';
import { openDestination } from '../dist/engine/sync/sql-destination.js';
import { StateStore } from '../dist/engine/sync/state-store.js';
import { StreamLoader } from '../dist/engine/sync/stream-loader.js';
import { planTable } from '../dist/engine/sync/tables.js';

const { values } = parseArgs({ options: { to: { type: 'string' }, records: { type: 'string', default: '1000000' } } });
const n = Number(values.records);
const STATUSES = ['active', 'pending', 'archived', 'deleted'];
const COUNTRIES = ['US', 'FR', 'DE', 'JP', 'BR', 'IN'];
const BASE_TIME = Date.UTC(2024, 0, 1);

const db = await openDestination(values.to);
try {
  const store = new StateStore(db, 'bench-load');
  await store.ensure();
  const plan = planTable({
    stream: 'items',
    table: 'items_load',
    syncMode: 'full_refresh',
    mode: 'overwrite',
    jsonSchema: { type: 'object', additionalProperties: true, properties: { id: { type: 'integer' } } },
    primaryKey: [['id']],
    cursorField: [],
    maxIdentifierLength: db.maxIdentifierLength,
  });
  const loader = new StreamLoader(db, store, plan, 1, undefined);
  await db.transaction(() => loader.begin());
  const emittedAt = Date.now();
  for (let i = 0; i < n; i++) {
    await loader.add(
      {
        id: i,
        stream: 'items',
        name: `customer ${i}`,
        email: `user${i}@example.com`,
        status: STATUSES[i % 4],
        country: COUNTRIES[i % 6],
        amount: (i % 9973) / 100,
        quantity: i % 17,
        active: i % 5 !== 0,
        tags: [`t${i % 3}`, `t${i % 7}`],
        updated_at: new Date(BASE_TIME + i * 1000).toISOString(),
        meta: { source: 'bench', version: i % 4 },
      },
      emittedAt,
    );
  }
  await loader.complete();
  process.stderr.write(`loaded ${loader.summary.inserted} rows\n`);
} finally {
  await db.close();
}
