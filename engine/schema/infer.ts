/**
 * Schema inference from records read (like the Connector Builder's "detected schema").
 * genson-js implements the GenSON merge algorithm; we extend one schema record by record so
 * memory stays flat however many records are read, then shape it the way Airbyte catalogs expect:
 * every field nullable and no `required`, since one sample never proves a field is always present.
 */
import { createSchema, extendSchema, type Schema } from 'genson-js';
import type { DataRecord, Obj } from '../types.js';

export class SchemaInferrer {
  private schema: Schema | undefined;
  private count = 0;

  add(record: DataRecord): void {
    this.schema = this.schema ? extendSchema(this.schema, record) : createSchema(record);
    this.count++;
  }

  get records(): number {
    return this.count;
  }

  /** A draft-07 schema for the records seen so far. */
  result(): Obj {
    const base = this.schema ? relax(this.schema as Obj) : { type: 'object', properties: {} };
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
