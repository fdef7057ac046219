/**
 * Column types from a stream's JSON Schema, and each record value made to fit its column.
 * A value that does not fit never fails a sync: an integer column that meets a fraction widens to
 * double; anything else that does not fit is stored as NULL and the original value is kept in the
 * row's `_airbyte_meta.changes` (Airbyte's Destinations V2 convention, plus the value itself).
 */
import type { Obj } from '../types.js';

export type ColumnType = 'boolean' | 'bigint' | 'double' | 'varchar' | 'json' | 'timestamptz' | 'date';

/** One change to a record made on its way into the table, kept in `_airbyte_meta.changes`. */
export interface MetaChange {
  field: string;
  change: 'NULLED' | 'TRUNCATED';
  reason: string;
  value?: unknown;
}

/** A table column fed from one top-level field of the records. */
export interface DataColumn {
  field: string;
  column: string;
  type: ColumnType;
}

const TYPE_WORDS = new Set(['string', 'integer', 'number', 'boolean', 'object', 'array']);

/** The column type for one property schema. Unions of unrelated types become JSON. */
export function columnTypeOf(schema: unknown): ColumnType {
  if (!schema || typeof schema !== 'object') return 'json';
  const s = schema as Obj;
  const raw = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type];
  const types = raw.filter((t): t is string => typeof t === 'string' && TYPE_WORDS.has(t));
  if (types.length === 0) {
    const alternatives = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
    if (Array.isArray(alternatives)) {
      const nonNull = alternatives.filter((a) => !(a && typeof a === 'object' && (a as Obj).type === 'null'));
      if (nonNull.length === 1) return columnTypeOf(nonNull[0]);
    }
    return 'json';
  }
  if (types.length > 1) return types.every((t) => t === 'integer' || t === 'number') ? 'double' : 'json';
  switch (types[0]) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'bigint';
    case 'number':
      return s.airbyte_type === 'integer' ? 'bigint' : 'double';
    case 'string':
      if (s.format === 'date-time') return 'timestamptz';
      if (s.format === 'date') return 'date';
      return 'varchar';
    default:
      return 'json';
  }
}

/** The type a column gets when a field the schema did not declare shows up. */
export function inferColumnType(value: unknown): ColumnType | undefined {
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(value) ? 'bigint' : 'double';
    case 'string':
      return 'varchar';
    case 'object':
      return value === null ? undefined : 'json';
    default:
      return undefined;
  }
}

/** The wider type a column must take to hold `value` without loss, if there is one. */
export function widenedType(type: ColumnType, value: unknown): ColumnType | undefined {
  if (type === 'bigint' && typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)) return 'double';
  return undefined;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validCalendar(y: string, m: string, d: string, hh?: string, mm?: string, ss?: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate();
  const leapOk = month !== 2 || day <= 28 || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
  if (day > days || !leapOk) return false;
  return (hh === undefined || Number(hh) < 24) && (mm === undefined || Number(mm) < 60) && (ss === undefined || Number(ss) < 60);
}

/** Values as the loaders take them: numbers, booleans and strings (JSON and timestamps as text). */
export type CellValue = string | number | boolean | null;

export interface Fitted {
  value: CellValue;
  change?: MetaChange;
}

const NUL = /\u0000/g;

/**
 * `value` as a cell of a `type` column. `allowNul` is false for databases whose text cannot hold
 * U+0000 (PostgreSQL): the character is removed and the change noted.
 */
export function fitValue(field: string, type: ColumnType, value: unknown, allowNul: boolean): Fitted {
  if (value === null || value === undefined) return { value: null };
  switch (type) {
    case 'boolean':
      if (typeof value === 'boolean') return { value };
      break;
    case 'bigint':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return { value };
      break;
    case 'double':
      if (typeof value === 'number' && Number.isFinite(value)) return { value };
      break;
    case 'varchar': {
      // Any scalar fits a text column losslessly; structures keep their JSON text.
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return allowNul || !text.includes('\u0000') ? { value: text } : stripped(field, text.replace(NUL, ''));
    }
    case 'json': {
      const text = JSON.stringify(value);
      if (allowNul || !text.includes('\\u0000')) return { value: text };
      const clean = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? v.replace(NUL, '') : v));
      return clean === text ? { value: text } : stripped(field, clean);
    }
    case 'timestamptz': {
      const m = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
      if (m && validCalendar(m[1]!, m[2]!, m[3]!, m[4], m[5], m[6])) return { value: value as string };
      break;
    }
    case 'date': {
      const m = typeof value === 'string' ? DATE.exec(value) : null;
      if (m && validCalendar(m[1]!, m[2]!, m[3]!)) return { value: value as string };
      break;
    }
  }
  return { value: null, change: { field, change: 'NULLED', reason: 'DESTINATION_TYPECAST_ERROR', value } };
}

function stripped(field: string, text: string): Fitted {
  return { value: text, change: { field, change: 'TRUNCATED', reason: 'DESTINATION_SERIALIZATION_ERROR' } };
}
