/** What a DeclarativeStream needs from its schema_loader. */
import type { Obj } from '../types.js';

export interface SchemaLoader {
  getJsonSchema(): Promise<Obj>;
}

/** Accepts anything: used when the real schema is unknown until read time. */
export const PERMISSIVE_SCHEMA: Obj = Object.freeze({
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {},
  additionalProperties: true,
}) as Obj;
