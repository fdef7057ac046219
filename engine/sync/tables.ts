/**
 * The table a stream loads into: its normalised name, the Airbyte Destinations V2 columns, and
 * one typed column per top-level property of the stream's JSON Schema.
 */
import type { Obj } from '../types.js';
import { columnTypeOf, type ColumnType, type DataColumn } from './columns.js';
import type { DestinationSyncMode } from './modes.js';
import { NameAllocator, type NameCollision } from './naming.js';

/** Airbyte's Destinations V2 columns, first in every table. */
export const AIRBYTE_COLUMNS: ReadonlyArray<{ name: string; type: ColumnType }> = [
  { name: '_airbyte_raw_id', type: 'varchar' },
  { name: '_airbyte_extracted_at', type: 'timestamptz' },
  { name: '_airbyte_meta', type: 'json' },
  { name: '_airbyte_generation_id', type: 'bigint' },
];

/** Extraction order within a run, kept in staging tables only (dedup's tie-breaker). */
export const SEQUENCE_COLUMN = '_manifold_seq';

export interface TablePlan {
  stream: string;
  table: string;
  syncMode: 'full_refresh' | 'incremental';
  mode: DestinationSyncMode;
  columns: DataColumn[];
  /** Allocates the names of columns for fields met later (schema evolution). */
  columnNames: NameAllocator;
  /** Primary key fields (top-level), for append_dedup. */
  primaryKey: string[];
  /** Cursor field (top-level), dedup's ordering; undefined → extraction order only. */
  cursor: string | undefined;
  /** Column names that collided while normalising. */
  collisions: NameCollision[];
  notes: string[];
}

export function planTable(args: {
  stream: string;
  table: string;
  syncMode: 'full_refresh' | 'incremental';
  mode: DestinationSyncMode;
  jsonSchema: Obj | undefined;
  primaryKey: string[][];
  cursorField: string[];
  maxIdentifierLength: number;
}): TablePlan {
  const names = new NameAllocator(args.maxIdentifierLength, [...AIRBYTE_COLUMNS.map((c) => c.name), SEQUENCE_COLUMN]);
  const properties = (args.jsonSchema?.properties ?? {}) as Obj;
  const columns: DataColumn[] = Object.entries(properties).map(([field, schema]) => ({ field, column: names.allocate(field), type: columnTypeOf(schema) }));
  const notes: string[] = [];
  let mode = args.mode;
  const primaryKey = args.primaryKey.map((path) => path.join('.'));
  if (mode === 'append_dedup' && (args.primaryKey.length === 0 || args.primaryKey.some((p) => p.length !== 1))) {
    notes.push(`primary key ${JSON.stringify(args.primaryKey)} is not a set of top-level fields: appending without dedup`);
    mode = 'append';
  }
  const cursor = args.cursorField.length === 1 ? args.cursorField[0] : undefined;
  return {
    stream: args.stream,
    table: args.table,
    syncMode: args.syncMode,
    mode,
    columns,
    columnNames: names,
    primaryKey: mode === 'append_dedup' ? primaryKey : [],
    cursor,
    collisions: names.collisions.slice(),
    notes,
  };
}
