/**
 * A sync's state lives in the destination, in `_manifold_state`, one row per connector + stream
 * (+ partition: '' for the stream's whole state, whose per-partition cursors it carries). Rows are
 * written inside the transaction that commits the records they cover, so a sync killed at any
 * moment resumes from exactly the records already in the tables. (No PRIMARY KEY: a row is
 * replaced by delete + insert in one transaction, which DuckDB's key checks may refuse.)
 */
import type { Obj } from '../types.js';
import type { SqlDestination } from './sql-destination.js';

export const STATE_TABLE = '_manifold_state';

export interface SavedStream {
  state: Obj | null;
  /** Bumped on each full-refresh overwrite; stamped on rows as `_airbyte_generation_id`. */
  generation: number;
}

export class StateStore {
  constructor(
    private readonly db: SqlDestination,
    private readonly connector: string,
  ) {}

  private get table(): string {
    return this.db.table(STATE_TABLE);
  }

  async ensure(): Promise<void> {
    await this.db.run(
      `CREATE TABLE IF NOT EXISTS ${this.table} (connector VARCHAR NOT NULL, stream VARCHAR NOT NULL, ` +
        `partition VARCHAR NOT NULL, state ${this.db.sqlType('json')}, generation_id BIGINT NOT NULL, ` +
        `updated_at ${this.db.sqlType('timestamptz')} NOT NULL)`,
    );
  }

  async load(): Promise<Map<string, SavedStream>> {
    const rows = await this.db.all(`SELECT stream, state, generation_id FROM ${this.table} WHERE connector = $1 AND partition = ''`, [this.connector]);
    const out = new Map<string, SavedStream>();
    for (const row of rows) {
      const raw = row.state;
      const state = typeof raw === 'string' ? (JSON.parse(raw) as Obj | null) : ((raw ?? null) as Obj | null);
      out.set(String(row.stream), { state, generation: Number(row.generation_id) });
    }
    return out;
  }

  /** Call inside the transaction that commits the records this state covers. */
  async save(stream: string, saved: SavedStream): Promise<void> {
    await this.db.run(`DELETE FROM ${this.table} WHERE connector = $1 AND stream = $2 AND partition = ''`, [this.connector, stream]);
    await this.db.run(`INSERT INTO ${this.table} VALUES ($1, $2, '', $3, $4, $5)`, [
      this.connector,
      stream,
      saved.state === null ? null : JSON.stringify(saved.state),
      saved.generation,
      new Date().toISOString(),
    ]);
  }
}
