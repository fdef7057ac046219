/** Runs library syncs against a fresh database per test and reads tables back. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Source } from '../../engine/source/source.js';
import { openDestination } from '../../engine/sync/sql-destination.js';
import { sync, type SyncOptions, type SyncResult } from '../../engine/sync/sync.js';
import { manifest } from './fixture.js';

export function tempDuckDb(): string {
  return `duckdb:${join(mkdtempSync(join(tmpdir(), 'manifold-sync-')), 'test.duckdb')}`;
}

export async function runSync(
  dest: string,
  options: Partial<SyncOptions> & { config: Record<string, unknown> },
  manifestText = manifest(),
): Promise<SyncResult> {
  const source = await Source.fromText(manifestText, 'sync-test.yaml', { backoffScale: 0.001 });
  const db = await openDestination(dest);
  try {
    return await sync(source, db, { connector: 'test', ...options });
  } finally {
    await db.close();
  }
}

export async function query(dest: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const db = await openDestination(dest);
  try {
    return await db.all(sql);
  } finally {
    await db.close();
  }
}

export function summaryOf(result: SyncResult, stream: string): SyncResult['streams'][number] {
  const s = result.streams.find((x) => x.stream === stream);
  if (!s) throw new Error(`no summary for ${stream}`);
  return s;
}
