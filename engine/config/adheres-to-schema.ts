/**
 * ValidateAdheresToSchema: the value must match base_schema. As in Airbyte, a string value is read
 * as JSON first (so a config field holding a JSON document is checked as that document), and a
 * string that is not JSON fails.
 */
import type { Ajv, ValidateFunction } from 'ajv';
import { createAjv } from '../schema/lazy-ajv.js';
import { describeSchemaError } from '../source/config.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import type { ValidationStrategy } from './contracts.js';

let ajv: Ajv | undefined;

export class ValidateAdheresToSchema implements ValidationStrategy {
  constructor(private readonly check: ValidateFunction) {}

  validate(value: unknown, at: string): void {
    let doc = value;
    if (typeof value === 'string') {
      try {
        doc = JSON.parse(value);
      } catch {
        throw new Error(`${at}: is not valid JSON`);
      }
    }
    if (this.check(doc)) return;
    const problems = [...new Set((this.check.errors ?? []).map((e) => describeSchemaError(e, at)))];
    throw new Error(problems.join('; '));
  }
}

function build(node: ManifestNode, ctx: BuildContext): ValidateAdheresToSchema {
  let schema = node.base_schema;
  if (typeof schema === 'string') {
    try {
      schema = JSON.parse(schema);
    } catch {
      throw ctx.error('base_schema is a string but not a JSON document', 'base_schema');
    }
  }
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw ctx.error('base_schema must be a JSON Schema object', 'base_schema');
  // Python's jsonschema.validate checks no formats unless asked, and neither do we.
  ajv ??= createAjv();
  const { $schema: _ignored, ...rest } = schema as Obj;
  try {
    return new ValidateAdheresToSchema(ajv.compile(rest));
  } catch (e) {
    throw ctx.error(`base_schema is not a valid JSON Schema: ${(e as Error).message}`, 'base_schema');
  }
}

registerComponent('ValidateAdheresToSchema', build, 'Validation strategy: the value must match a JSON Schema.');
