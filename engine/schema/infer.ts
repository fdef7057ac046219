/**
 * Schema inference from records read (like the Connector Builder's "detected schema").
 * genson-js implements the GenSON merge algorithm; we extend one schema record by record so
 * memory stays flat however many records are read, then shape it the way Airbyte catalogs expect:
 * every field nullable and no `required`, since one sample never proves a field is always present.
 */
import { createSchema, extendSchema, type Schema } from 'genson-js';
import type { DataRecord, Obj } from '../types.js';

/** RFC 3339 as JSON Schema's `date-time` means it: date, `T` (or a space), time with seconds, and an offset. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
type Format = 'date-time' | 'date';

function formatOf(value: string): Format | undefined {
  const format = DATE_TIME.test(value) ? 'date-time' : DATE.test(value) ? 'date' : undefined;
  // 2024-02-30 has the shape of a date and is none.
  if (format === 'date' && !isCalendarDate(value)) return undefined;
  if (format === 'date-time' && Number.isNaN(Date.parse(value.replace(' ', 'T')))) return undefined;
  return format;
}

function isCalendarDate(value: string): boolean {
  const time = Date.parse(`${value}T00:00:00Z`);
  // Date.parse rolls 2024-02-30 over to March 1st instead of refusing it.
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

export class SchemaInferrer {
  private schema: Schema | undefined;
  private count = 0;
  /**
   * Per field path (`a.b`, `list[]`): the one format every string seen there had, or null once a
   * string did not fit it. A field is declared `date-time` or `date` only if all its strings are.
   */
  private readonly formats = new Map<string, Format | null>();

  add(record: DataRecord): void {
    this.schema = this.schema ? extendSchema(this.schema, record) : createSchema(record);
    this.count++;
    this.observeFormats(record, '');
  }

  private observeFormats(value: unknown, path: string): void {
    if (typeof value === 'string') {
      if (this.formats.get(path) === null) return;
      const format = formatOf(value);
      const seen = this.formats.get(path);
      this.formats.set(path, format !== undefined && (seen === undefined || seen === format) ? format : null);
    } else if (Array.isArray(value)) {
      for (const item of value) this.observeFormats(item, `${path}[]`);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) this.observeFormats(v, path ? `${path}.${k}` : k);
    }
  }

  get records(): number {
    return this.count;
  }

  /** A draft-07 schema for the records seen so far. */
  result(): Obj {
    const base = this.schema ? withFormats(relax(this.schema as Obj), '', this.formats) : { type: 'object', properties: {} };
    return { $schema: 'http://json-schema.org/draft-07/schema#', ...base, additionalProperties: true };
  }
}

function relax(node: Obj): Obj {
  const out: Obj = { ...node };
  delete out.required;
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(out.properties as Obj).map(([k, v]) => [k, nullable(relax(v as Obj))]));
  }
  if (out.items && typeof out.items === 'object') out.items = relax(out.items as Obj);
  if (Array.isArray(out.anyOf)) out.anyOf = out.anyOf.map((s) => relax(s as Obj));
  return out;
}

function nullable(node: Obj): Obj {
  if (node.type === undefined) return node;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  return { ...node, type: types.includes('null') ? types : ['null', ...types] };
}

/** Adds `format` to string fields whose every value had one (see SchemaInferrer.formats). */
function withFormats(node: Obj, path: string, formats: Map<string, Format | null>): Obj {
  const out: Obj = { ...node };
  const types = Array.isArray(out.type) ? out.type : [out.type];
  const format = formats.get(path);
  if (format && types.includes('string')) out.format = format;
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(out.properties as Obj).map(([k, v]) => [k, withFormats(v as Obj, path ? `${path}.${k}` : k, formats)]));
  }
  if (out.items && typeof out.items === 'object' && !Array.isArray(out.items)) out.items = withFormats(out.items as Obj, `${path}[]`, formats);
  if (Array.isArray(out.anyOf)) out.anyOf = out.anyOf.map((s) => withFormats(s as Obj, path, formats));
  return out;
}
