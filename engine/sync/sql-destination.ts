/**
 * What a sync needs from a database: run SQL, transactions, bulk-load rows, describe a table.
 * DuckDB and PostgreSQL implement it (duckdb-destination.ts, postgres-destination.ts); everything
 * else in a sync (tables, merges, state) is plain SQL both understand, built in stream-loader.ts.
 */
import { ConfigError } from '../errors/manifold-error.js';
import type { CellValue, ColumnType } from './columns.js';

export interface LoadColumn {
  name: string;
  type: ColumnType;
}

export interface SqlDestination {
  readonly kind: 'duckdb' | 'postgres';
  /** The destination as shown to people (passwords masked). */
  readonly description: string;
  readonly maxIdentifierLength: number;
  /** Whether text values may contain U+0000. */
  readonly allowsNul: boolean;
  /** The SQL type of a column type. */
  sqlType(type: ColumnType): string;
  /** A table's quoted, schema-qualified name. */
  table(name: string): string;
  /** Runs one statement ($1, $2 … parameters); resolves to the number of rows it changed. */
  run(sql: string, params?: CellValue[]): Promise<number>;
  /** Runs a query and returns its rows as plain objects (JSON-safe values). */
  all(sql: string, params?: CellValue[]): Promise<Array<Record<string, unknown>>>;
  /** Runs `body` in one transaction: all of its statements commit together or none does. */
  transaction<T>(body: () => Promise<T>): Promise<T>;
  /** The table's columns and their types, or undefined when there is no such table. */
  tableColumns(name: string): Promise<Map<string, ColumnType> | undefined>;
  /** Bulk-loads rows (one array per row, in `columns` order) into an existing table. */
  append(name: string, columns: LoadColumn[], rows: CellValue[][]): Promise<void>;
  close(): Promise<void>;
}

/** `duckdb:PATH` (or a path ending in .duckdb/.db) or `postgres://user:pass@host:port/db?schema=s`. */
export async function openDestination(url: string): Promise<SqlDestination> {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const { openPostgres } = await import('./postgres-destination.js');
    return openPostgres(url);
  }
  const path = url.startsWith('duckdb:') ? url.slice('duckdb:'.length) : /\.(duckdb|db)$/i.test(url) ? url : undefined;
  if (path === undefined || path === '') {
    throw new ConfigError(
      `Unknown destination "${maskUrl(url)}": use duckdb:PATH (a DuckDB file) or postgres://user:password@host:port/database[?schema=NAME]`,
    );
  }
  const { openDuckDb } = await import('./duckdb-destination.js');
  return openDuckDb(path);
}

/** The URL with its password replaced by ***. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/** Maps a database's own type name back to the column type it holds. */
export function columnTypeFromSql(sqlType: string): ColumnType {
  const t = sqlType.toLowerCase();
  if (t === 'boolean') return 'boolean';
  if (/^(bigint|integer|int|smallint|tinyint|hugeint|int[248])$/.test(t)) return 'bigint';
  if (/^(double|double precision|real|float|float[48]|numeric|decimal)/.test(t)) return 'double';
  if (t === 'json' || t === 'jsonb') return 'json';
  if (t.startsWith('timestamp')) return 'timestamptz';
  if (t === 'date') return 'date';
  return 'varchar';
}
