/**
 * PostgreSQL through `pg`, one connection for the whole sync; rows load with COPY … FROM STDIN
 * (CSV) streamed by pg-copy-streams, a batch per COPY. `?schema=NAME` in the URL picks the schema
 * (created if missing; default public). Sessions run in UTC so timestamps without a zone mean UTC.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ConfigError } from '../errors/manifold-error.js';
import type { CellValue, ColumnType } from './columns.js';
import { quoteIdent } from './naming.js';
import { columnTypeFromSql, maskUrl, type LoadColumn, type SqlDestination } from './sql-destination.js';

const SQL_TYPES: Record<ColumnType, string> = {
  boolean: 'BOOLEAN',
  bigint: 'BIGINT',
  double: 'DOUBLE PRECISION',
  varchar: 'TEXT',
  json: 'JSONB',
  timestamptz: 'TIMESTAMPTZ',
  date: 'DATE',
};

export async function openPostgres(url: string): Promise<SqlDestination> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`Invalid PostgreSQL URL "${maskUrl(url)}": expected postgres://user:password@host:port/database[?schema=NAME]`);
  }
  const schema = parsed.searchParams.get('schema') ?? 'public';
  parsed.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: parsed.toString(), connectionTimeoutMillis: 15_000 });
  // A dropped connection after connecting is reported by the next query; don't crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`SET TIME ZONE 'UTC'`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  } catch (e) {
    await client.end().catch(() => undefined);
    const password = decodeURIComponent(parsed.password);
    const message = String((e as Error).message ?? e);
    throw new ConfigError(`Cannot connect to ${maskUrl(url)}: ${password ? message.split(password).join('***') : message}`);
  }
  return new PostgresDestination(client, maskUrl(url), schema);
}

class PostgresDestination implements SqlDestination {
  readonly kind = 'postgres' as const;
  readonly maxIdentifierLength = 63;
  readonly allowsNul = false;

  constructor(
    private readonly client: pg.Client,
    readonly description: string,
    private readonly schema: string,
  ) {}

  sqlType(type: ColumnType): string {
    return SQL_TYPES[type];
  }

  table(name: string): string {
    return `${quoteIdent(this.schema)}.${quoteIdent(name)}`;
  }

  async run(sql: string, params?: CellValue[]): Promise<number> {
    const result = await this.client.query(sql, params);
    return result.rowCount ?? 0;
  }

  async all(sql: string, params?: CellValue[]): Promise<Array<Record<string, unknown>>> {
    const result = await this.client.query(sql, params);
    return result.rows as Array<Record<string, unknown>>;
  }

  async transaction<T>(body: () => Promise<T>): Promise<T> {
    await this.client.query('BEGIN');
    try {
      const out = await body();
      await this.client.query('COMMIT');
      return out;
    } catch (e) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  async tableColumns(name: string): Promise<Map<string, ColumnType> | undefined> {
    const rows = await this.all(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [this.schema, name],
    );
    if (!rows.length) return undefined;
    return new Map(rows.map((r) => [String(r.column_name), columnTypeFromSql(String(r.data_type))]));
  }

  async append(name: string, columns: LoadColumn[], rows: CellValue[][]): Promise<void> {
    const copy = this.client.query(copyFrom(`COPY ${this.table(name)} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN WITH (FORMAT csv)`));
    await pipeline(Readable.from(csvChunks(rows, columns.length)), copy);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** CSV text of the rows, ~64 KiB per chunk. NULL is an unquoted empty field; '' is quoted. */
function* csvChunks(rows: CellValue[][], width: number): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    for (let i = 0; i < width; i++) {
      if (i) chunk += ',';
      const v = row[i];
      if (v === null || v === undefined) continue;
      if (typeof v !== 'string') chunk += String(v);
      else chunk += v === '' || /[",\n\r\\]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
    }
    chunk += '\n';
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
