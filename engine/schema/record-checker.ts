/**
 * Checks records against a stream's declared JSON Schema (`read --check-schema`), reporting the
 * field, what the schema expects and what the record holds — the mismatches that make a
 * destination drop or mistype data.
 */
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { DataRecord, Obj } from '../types.js';
import { createAjv } from './lazy-ajv.js';
import { missingPrimaryKeyFields } from './primary-key.js';

export interface SchemaMismatch {
  field: string;
  expected: string;
  got: string;
}

let ajv: Ajv | undefined;

export class RecordChecker {
  private readonly validate: ValidateFunction | undefined;

  constructor(
    schema: Obj,
    /** The stream's declared primary key: a record without a value for it does not fit either. */
    private readonly primaryKey: readonly (readonly string[])[] = [],
  ) {
    ajv ??= createAjv();
    try {
      const { $schema: _ignored, ...rest } = schema;
      this.validate = ajv.compile(rest);
    } catch {
      this.validate = undefined;
    }
  }

  check(record: DataRecord): SchemaMismatch[] {
    const out = !this.validate || this.validate(record) ? [] : (this.validate.errors ?? []).map((e) => mismatch(e, record));
    for (const field of missingPrimaryKeyFields(record, this.primaryKey)) out.push({ field, expected: 'a primary key value', got: 'missing or null' });
    return out;
  }
}

function mismatch(e: ErrorObject, record: DataRecord): SchemaMismatch {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const field = path.length ? path.join('.') : '(record)';
  const value = path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), record);
  switch (e.keyword) {
    case 'type':
      return { field, expected: String((e.params as { type: unknown }).type), got: describe(value) };
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { field: path.concat(missing).join('.'), expected: 'present (required)', got: 'missing' };
    }
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return { field: path.concat(extra).join('.'), expected: 'no such field (additionalProperties: false)', got: describe((value as Obj)?.[extra]) };
    }
    case 'enum':
      return { field, expected: `one of ${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)}`, got: JSON.stringify(value) };
    default:
      return { field, expected: e.message ?? e.keyword, got: describe(value) };
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? `integer ${v}` : `number ${v}`;
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return typeof v;
}
