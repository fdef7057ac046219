/**
 * DuckDB, embedded: one file, one connection. Rows load through DuckDB's appender (typed appends,
 * no SQL per row); timestamps and JSON go in as text, which the appender casts.
 */
import { dirname, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { ConfigError } from '../errors/manifold-error.js';
import type { CellValue, ColumnType } from './columns.js';
import { quoteIdent } from './naming.js';
import { columnTypeFromSql, type LoadColumn, type SqlDestination } from './sql-destination.js';

const SQL_TYPES: Record<ColumnType, string> = {
  boolean: 'BOOLEAN',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  varchar: 'VARCHAR',
  json: 'JSON',
  timestamptz: 'TIMESTAMPTZ',
  date: 'DATE',
};

/**
 * Loaded with require(): importing this CommonJS package from ESM makes Node lex each of the ~60
 * files it re-exports to find their named exports, about 1 s at every start (bench scenario 10).
 */
function duckdb(): typeof import('@duckdb/node-api') {
  return createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
}

export async function openDuckDb(path: string): Promise<SqlDestination> {
  const full = resolve(path);
  if (!existsSync(dirname(full))) throw new ConfigError(`Cannot open DuckDB file ${path}: folder ${dirname(full)} does not exist`);
  if (existsSync(full) && statSync(full).isDirectory()) throw new ConfigError(`Cannot open DuckDB file ${path}: it is a folder`);
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  try {
    instance = await duckdb().DuckDBInstance.create(full);
    connection = await instance.connect();
  } catch (e) {
    throw new ConfigError(`Cannot open DuckDB file ${path}: ${(e as Error).message}`);
  }
  return new DuckDbDestination(path, instance, connection);
}

class DuckDbDestination implements SqlDestination {
  readonly kind = 'duckdb' as const;
  readonly maxIdentifierLength = 63;
  readonly allowsNul = true;
  readonly description: string;

  constructor(
    path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {
    this.description = `duckdb:${path}`;
  }

  sqlType(type: ColumnType): string {
    return SQL_TYPES[type];
  }

  table(name: string): string {
    return quoteIdent(name);
  }

  async run(sql: string, params?: CellValue[]): Promise<number> {
    const result = await this.connection.run(sql, params as DuckDBValue[] | undefined);
    return result.rowsChanged;
  }

  async all(sql: string, params?: CellValue[]): Promise<Array<Record<string, unknown>>> {
    const reader = await this.connection.runAndReadAll(sql, params as DuckDBValue[] | undefined);
    return reader.getRowObjectsJson() as Array<Record<string, unknown>>;
  }

  async transaction<T>(body: () => Promise<T>): Promise<T> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      const out = await body();
      await this.connection.run('COMMIT');
      return out;
    } catch (e) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  async tableColumns(name: string): Promise<Map<string, ColumnType> | undefined> {
    const rows = await this.all(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [name],
    );
    if (!rows.length) return undefined;
    return new Map(rows.map((r) => [String(r.column_name), columnTypeFromSql(String(r.data_type))]));
  }

  async append(name: string, columns: LoadColumn[], rows: CellValue[][]): Promise<void> {
    const appender = await this.connection.createAppender(name);
    try {
      const adders = columns.map((c) => adderFor(appender, c.type));
      for (const row of rows) {
        for (let i = 0; i < adders.length; i++) {
          const v = row[i];
          if (v === null || v === undefined) appender.appendNull();
          else adders[i]!(v);
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

function adderFor(appender: DuckDBAppender, type: ColumnType): (v: string | number | boolean) => void {
  switch (type) {
    case 'boolean':
      return (v) => appender.appendBoolean(v as boolean);
    case 'bigint':
      return (v) => appender.appendBigInt(BigInt(v as number));
    case 'double':
      return (v) => appender.appendDouble(v as number);
    default:
      return (v) => appender.appendVarchar(v as string);
  }
}
