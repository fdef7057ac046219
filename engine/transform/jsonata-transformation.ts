/**
 * JsonataTransformation (Manifold's own): `expression` over the record gives the new record, or,
 * with `target_field`, the value written into that field.
 */
import type { RecordContext, RecordTransformation } from '../contracts.js';
import { ManifoldError } from '../errors/manifold-error.js';
import { asyncOnly, bindingsFor, compileJsonata, evaluateJsonata, type CompiledJsonata } from '../extract/jsonata.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, Obj } from '../types.js';
import { assignAllOwn } from '../extract/dpath.js';

export class JsonataTransformation implements RecordTransformation {
  constructor(
    private readonly expr: CompiledJsonata,
    private readonly targetField: string | undefined,
    private readonly config: Obj,
    private readonly parameters: Obj,
  ) {}

  transform(): void {
    asyncOnly('JsonataTransformation');
  }

  async transformAsync(record: DataRecord, ctx: RecordContext): Promise<void> {
    const result = await evaluateJsonata(this.expr, record, bindingsFor(this.config, this.parameters, ctx), 'JsonataTransformation');
    if (this.targetField !== undefined) {
      if (result === undefined) delete record[this.targetField];
      else record[this.targetField] = result;
      return;
    }
    if (result === null || typeof result !== 'object' || Array.isArray(result)) {
      throw new ManifoldError(
        `JsonataTransformation: the expression must give an object (the new record), got ${Array.isArray(result) ? 'an array' : JSON.stringify(result)}; use target_field to write a value into one field`,
      );
    }
    // Records are transformed in place: swap the contents, keep the object.
    if (result !== record) {
      for (const k of Object.keys(record)) delete record[k];
      if (Object.hasOwn(result, '__proto__')) copyOwnKeys(record, result as Obj);
      else assignAllOwn(record, result as Obj);
    }
  }
}

/**
 * A record from an API can carry a "__proto__" data key; assigning it (as Object.assign does) would
 * swap the record's prototype and drop the key from the output instead of copying the data.
 */
function copyOwnKeys(target: Obj, source: Obj): void {
  for (const k of Object.keys(source)) {
    Object.defineProperty(target, k, { value: source[k], writable: true, enumerable: true, configurable: true });
  }
}

export function buildJsonataTransformation(node: ManifestNode, ctx: BuildContext): JsonataTransformation {
  const target = node.target_field === undefined || node.target_field === null ? undefined : String(node.target_field);
  return new JsonataTransformation(compileJsonata(node.expression, ctx), target, ctx.config, ctx.parameters);
}

registerComponent('JsonataTransformation', buildJsonataTransformation, 'Reshapes each record with a JSONata expression.');
