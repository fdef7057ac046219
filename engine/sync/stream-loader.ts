/**
 * Loads one stream's records into its table.
 *
 * Records are buffered a batch at a time and bulk-loaded into a staging table; nothing reaches
 * the stream's table until a checkpoint, which in one transaction moves the staged rows in
 * (append, or a merge for dedup) and saves the state that covers them. Checkpoints happen only
 * at the source's state messages of an incremental stream and at the stream's end, so the table
 * and the saved state always agree: a sync killed at any point resumes with each record
 * delivered exactly once. Full-refresh overwrite builds a new table and swaps it in at the end
 * (drop + rename in one transaction), so readers see the old table until the new one is whole.
 */
import { randomUUID } from 'node:crypto';
import type { Obj } from '../types.js';
import { fitValue, inferColumnType, widenedType, type CellValue, type ColumnType, type DataColumn, type MetaChange } from './columns.js';
import { quoteIdent } from './naming.js';
import type { LoadColumn, SqlDestination } from './sql-destination.js';
import type { StateStore } from './state-store.js';
import { AIRBYTE_COLUMNS, SEQUENCE_COLUMN, type TablePlan } from './tables.js';

/** Records bulk-loaded at once (bounds the memory a stream holds). */
const BATCH_ROWS = 5_000;
/** A mid-stream checkpoint waits for this many staged rows or this much time (by default). */
export const CHECKPOINT_DEFAULTS = { rows: 50_000, ms: 2_000 };

export interface StreamSummary {
  stream: string;
  table: string;
  mode: TablePlan['mode'];
  status: 'complete' | 'failed' | 'not run';
  /** Records read from the source. */
  records: number;
  /** Rows added to the table. */
  inserted: number;
  /** Existing rows replaced by a newer version (dedup). */
  updated: number;
  /** Whether a state was saved for the stream in this run. */
  stateSaved: boolean;
  /** Values that did not fit their column (stored NULL, kept in _airbyte_meta). */
  changedValues: number;
  /** Columns the stream's table did not have before this run (new fields, in the schema or not). */
  addedColumns: string[];
  notes: string[];
}

interface Buffered {
  data: Obj;
  emittedAt: number;
}

const EMPTY_META = '{"changes":[]}';

export class StreamLoader {
  readonly summary: StreamSummary;
  private readonly byField = new Map<string, DataColumn>();
  private buffer: Buffered[] = [];
  private staged = 0;
  private seq = 0;
  private pendingState: Obj | undefined;
  private lastCheckpoint = Date.now();
  /** Columns of the stream's table as it is (undefined: no table yet). */
  private existing: Map<string, ColumnType> | undefined;
  /** Overwrite: the columns of the table being replaced (to report which columns are new). */
  private previous: Map<string, ColumnType> | undefined;
  private readonly stage: string;
  /** The staging table is created when the first batch is loaded: an empty stream commits nothing. */
  private stageReady = false;
  private readonly extractedAt = { ms: NaN, iso: '' };
  private finished = false;

  constructor(
    private readonly db: SqlDestination,
    private readonly store: StateStore,
    readonly plan: TablePlan,
    private readonly generation: number,
    private savedState: Obj | null | undefined,
    private readonly checkpointEvery: { rows: number; ms: number } = CHECKPOINT_DEFAULTS,
    private readonly onCheckpoint?: (stream: string, state: Obj | undefined) => void,
  ) {
    for (const c of plan.columns) this.byField.set(c.field, c);
    const prefix = plan.mode === 'overwrite' ? '_manifold_new_' : '_manifold_stage_';
    this.stage = (prefix + plan.table).slice(0, db.maxIdentifierLength);
    this.summary = {
      stream: plan.stream,
      table: plan.table,
      mode: plan.mode,
      status: 'not run',
      records: 0,
      inserted: 0,
      updated: 0,
      stateSaved: false,
      changedValues: 0,
      addedColumns: [],
      notes: [...plan.notes, ...plan.collisions.map((c) => `field "${c.name}" loads into column ${c.given} (${c.wanted} was taken)`)],
    };
  }

  private get overwrite(): boolean {
    return this.plan.mode === 'overwrite';
  }

  /** Creates or evolves the stream's table and a fresh staging table. */
  async begin(): Promise<void> {
    const table = this.db.table(this.plan.table);
    if (!this.overwrite) {
      this.existing = await this.db.tableColumns(this.plan.table);
      if (!this.existing) {
        await this.db.run(`CREATE TABLE ${table} (${this.columnDefs(false)})`);
        this.existing = new Map(this.loadColumns(false).map((c) => [c.name, c.type]));
      } else {
        for (const c of this.plan.columns) {
          const type = this.existing.get(c.column);
          if (type === undefined) {
            await this.db.run(`ALTER TABLE ${table} ADD COLUMN ${quoteIdent(c.column)} ${this.db.sqlType(c.type)}`);
            this.existing.set(c.column, c.type);
            this.summary.addedColumns.push(c.column);
          } else if (type === 'bigint' && c.type === 'double') await this.widen(c, 'double', false);
          else c.type = type;
        }
      }
      if (this.plan.primaryKey.length && this.db.kind === 'postgres') {
        const keys = this.plan.primaryKey.map((f) => quoteIdent(this.byField.get(f)?.column ?? f)).join(', ');
        await this.db.run(
          `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${this.plan.table}_manifold_key`.slice(0, this.db.maxIdentifierLength))} ON ${table} (${keys})`,
        );
      }
    } else {
      this.previous = await this.db.tableColumns(this.plan.table);
      if (this.previous) for (const c of this.plan.columns) if (!this.previous.has(c.column)) this.summary.addedColumns.push(c.column);
    }
    // A staging table left by a run that was killed.
    await this.db.run(`DROP TABLE IF EXISTS ${this.db.table(this.stage)}`);
    this.summary.status = 'failed';
  }

  async add(data: Obj, emittedAt: number): Promise<void> {
    this.buffer.push({ data, emittedAt });
    this.summary.records++;
    if (this.buffer.length >= BATCH_ROWS) await this.flush();
  }

  /** A state message: everything read so far for this stream is covered by `state`. */
  async state(state: Obj): Promise<void> {
    await this.flush();
    this.pendingState = state;
    // A full-refresh read starts over next time whatever its state says: committing part of it
    // would deliver those records twice, so it commits only when complete.
    if (this.plan.syncMode !== 'incremental' || this.overwrite) return;
    if (this.staged >= this.checkpointEvery.rows || Date.now() - this.lastCheckpoint >= this.checkpointEvery.ms) await this.checkpoint();
  }

  /** The stream read to its end: commit the rest (or swap in the new table). */
  async complete(): Promise<void> {
    await this.flush();
    if (this.overwrite) await this.swap();
    else await this.checkpoint(true);
    this.summary.status = 'complete';
    this.finished = true;
  }

  /** The stream failed: what was checkpointed stays, the rest is dropped (read again next time). */
  async abandon(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.buffer = [];
    if (this.stageReady) await this.db.run(`DROP TABLE IF EXISTS ${this.db.table(this.stage)}`);
  }

  private columnDefs(staging: boolean): string {
    return this.loadColumns(staging)
      .map((c) => `${quoteIdent(c.name)} ${this.db.sqlType(c.type)}`)
      .join(', ');
  }

  private loadColumns(staging: boolean): LoadColumn[] {
    // The sequence sits before the data columns: rows converted before a column was added are
    // shorter, and their missing cells must be the new columns (loaded as NULL).
    const head: LoadColumn[] = staging ? [...AIRBYTE_COLUMNS, { name: SEQUENCE_COLUMN, type: 'bigint' }] : [...AIRBYTE_COLUMNS];
    return [...head, ...this.plan.columns.map((c) => ({ name: c.column, type: c.type }))];
  }

  private async flush(): Promise<void> {
    if (!this.buffer.length) return;
    const batch = this.buffer;
    this.buffer = [];
    const added: DataColumn[] = [];
    const widened: DataColumn[] = [];
    const rows: CellValue[][] = new Array(batch.length);
    const staging = !this.overwrite;
    for (let r = 0; r < batch.length; r++) {
      const { data, emittedAt } = batch[r]!;
      // Fields the schema did not declare get a column of their own (typed from the value).
      for (const field in data) {
        if (this.byField.has(field)) continue;
        const inferred = inferColumnType(data[field]);
        if (inferred === undefined) continue;
        const name = this.plan.columnNames.allocate(field);
        // A column an earlier run added keeps its type; values are fitted to it.
        const column: DataColumn = { field, column: name, type: this.existing?.get(name) ?? inferred };
        this.byField.set(field, column);
        this.plan.columns.push(column);
        added.push(column);
      }
      const columns = this.plan.columns;
      const offset = staging ? 5 : 4;
      const row: CellValue[] = new Array(offset + columns.length);
      let changes: MetaChange[] | undefined;
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i]!;
        const value = data[c.field];
        if (value === undefined || value === null) {
          row[offset + i] = null;
          continue;
        }
        const wider = widenedType(c.type, value);
        if (wider) {
          c.type = wider;
          widened.push(c);
        }
        const fitted = fitValue(c.field, c.type, value, this.db.allowsNul);
        row[offset + i] = fitted.value;
        if (fitted.change) (changes ??= []).push(fitted.change);
      }
      row[0] = randomUUID();
      row[1] = this.isoTime(emittedAt);
      row[2] = changes ? JSON.stringify({ changes }) : EMPTY_META;
      row[3] = this.generation;
      if (staging) row[4] = this.seq++;
      if (changes) this.summary.changedValues += changes.length;
      rows[r] = row;
    }
    if (added.length || widened.length || !this.stageReady) {
      // One transaction for the batch's schema changes: one commit instead of one per column.
      await this.db.transaction(async () => {
        for (const c of added) await this.addColumn(c);
        for (const c of new Set(widened)) await this.widen(c, c.type, this.stageReady);
        await this.ensureStage();
      });
    }
    await this.db.append(this.stage, this.loadColumns(staging), rows);
    this.staged += rows.length;
  }

  private async ensureStage(): Promise<void> {
    if (this.stageReady) return;
    await this.db.run(`CREATE TABLE ${this.db.table(this.stage)} (${this.columnDefs(!this.overwrite)})`);
    this.stageReady = true;
  }

  private isoTime(ms: number): string {
    if (ms !== this.extractedAt.ms) {
      this.extractedAt.ms = ms;
      this.extractedAt.iso = new Date(ms).toISOString();
    }
    return this.extractedAt.iso;
  }

  /** Adds a column met mid-stream to the staging table and, if it lacks it, the stream's table. */
  private async addColumn(c: DataColumn): Promise<void> {
    const def = `${quoteIdent(c.column)} ${this.db.sqlType(c.type)}`;
    if (this.stageReady) await this.db.run(`ALTER TABLE ${this.db.table(this.stage)} ADD COLUMN ${def}`);
    if (this.overwrite) {
      if (!this.previous?.has(c.column)) this.summary.addedColumns.push(c.column);
      return;
    }
    if (this.existing?.has(c.column)) return;
    this.summary.addedColumns.push(c.column);
    await this.db.run(`ALTER TABLE ${this.db.table(this.plan.table)} ADD COLUMN ${def}`);
    this.existing?.set(c.column, c.type);
  }

  /** A column holding integers met a fraction: it becomes double, in both tables. */
  private async widen(c: DataColumn, type: ColumnType, stageExists: boolean): Promise<void> {
    c.type = type;
    const sql = (table: string) => `ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(c.column)} TYPE ${this.db.sqlType(type)}`;
    if (stageExists) await this.db.run(sql(this.db.table(this.stage)));
    if (!this.overwrite && this.existing?.get(c.column) !== type) {
      await this.db.run(sql(this.db.table(this.plan.table)));
      this.existing?.set(c.column, type);
    }
    this.summary.notes.push(`column ${c.column} widened to ${this.db.sqlType(type)}`);
  }

  /** One transaction: staged rows into the table, and the state that covers them. */
  private async checkpoint(last = false): Promise<void> {
    let state = this.plan.syncMode === 'incremental' ? this.pendingState : undefined;
    // A state equal to the saved one need not be written again.
    if (state !== undefined && this.savedState && JSON.stringify(state) === JSON.stringify(this.savedState)) state = undefined;
    if (this.staged === 0 && state === undefined && !(last && this.stageReady)) return;
    await this.db.transaction(async () => {
      if (this.staged > 0) {
        if (this.plan.mode === 'append_dedup') await this.merge();
        else
          this.summary.inserted += await this.db.run(
            `INSERT INTO ${this.db.table(this.plan.table)} (${this.columnList()}) SELECT ${this.columnList()} FROM ${this.db.table(this.stage)}`,
          );
        if (!last) await this.db.run(`DELETE FROM ${this.db.table(this.stage)}`);
      }
      if (state !== undefined) await this.saveState(state);
      if (last && this.stageReady) await this.db.run(`DROP TABLE IF EXISTS ${this.db.table(this.stage)}`);
    });
    if (state !== undefined) this.savedState = state;
    this.staged = 0;
    this.lastCheckpoint = Date.now();
    this.onCheckpoint?.(this.plan.stream, state);
  }

  private async saveState(state: Obj | null): Promise<void> {
    await this.store.save(this.plan.stream, { state, generation: this.generation });
    if (state !== null) this.summary.stateSaved = true;
  }

  private columnList(prefix = ''): string {
    return this.loadColumns(false)
      .map((c) => prefix + quoteIdent(c.name))
      .join(', ');
  }

  /**
   * Dedup as a merge: the latest staged row per key (by cursor, then extraction order) replaces
   * the table's row unless the table's is newer by cursor or identical; new keys are inserted.
   */
  private async merge(): Promise<void> {
    const col = (field: string): string => quoteIdent(this.byField.get(field)?.column ?? field);
    const keys = this.plan.primaryKey.map(col);
    const match = keys.map((k) => `f.${k} = l.${k}`).join(' AND ');
    const cursor = this.plan.cursor !== undefined && this.byField.has(this.plan.cursor) ? col(this.plan.cursor) : undefined;
    const order = [...(cursor ? [`${cursor} DESC NULLS LAST`] : []), `${quoteIdent(SEQUENCE_COLUMN)} DESC`].join(', ');
    const table = this.db.table(this.plan.table);
    const stage = this.db.table(this.stage);
    const seq = quoteIdent(SEQUENCE_COLUMN);
    // The staging table keeps only the latest row per key (no temporary table: creating one per
    // checkpoint cost more than the merge itself).
    await this.db.run(
      `DELETE FROM ${stage} AS s USING (SELECT ${seq} AS dup_seq, row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY ${order}) AS dup_rank FROM ${stage}) AS r WHERE s.${seq} = r.dup_seq AND r.dup_rank > 1`,
    );
    // Replace when the staged row is newer by cursor; on equal (or missing) cursors only when it
    // differs, so records a source sends again (the cursor boundary) write nothing.
    const differs = this.plan.columns.map((c) => `l.${quoteIdent(c.column)} IS DISTINCT FROM f.${quoteIdent(c.column)}`).join(' OR ') || 'FALSE';
    const replace = cursor ? `NOT COALESCE(l.${cursor} < f.${cursor}, FALSE) AND (COALESCE(l.${cursor} > f.${cursor}, FALSE) OR ${differs})` : `(${differs})`;
    const replaced = await this.db.run(`DELETE FROM ${table} AS f USING ${stage} AS l WHERE ${match} AND ${replace}`);
    const inserted = await this.db.run(
      `INSERT INTO ${table} (${this.columnList()}) SELECT ${this.columnList('l.')} FROM ${stage} AS l WHERE NOT EXISTS (SELECT 1 FROM ${table} AS f WHERE ${match})`,
    );
    this.summary.updated += replaced;
    this.summary.inserted += inserted - replaced;
  }

  /** Full refresh: the new table replaces the old one in one transaction, with its state. */
  private async swap(): Promise<void> {
    const table = this.db.table(this.plan.table);
    await this.db.transaction(async () => {
      await this.ensureStage();
      await this.db.run(`DROP TABLE IF EXISTS ${table}`);
      await this.db.run(`ALTER TABLE ${this.db.table(this.stage)} RENAME TO ${quoteIdent(this.plan.table)}`);
      await this.saveState(this.pendingState ?? null);
    });
    this.onCheckpoint?.(this.plan.stream, this.pendingState);
    this.summary.inserted = this.summary.records;
  }
}
