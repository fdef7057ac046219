/** JsonataRecordFilter (Manifold's own): keeps records for which `expression` is truthy. */
import type { RecordContext, RecordFilter } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, Obj } from '../types.js';
import { truthy } from '../interpolation/python-values.js';
import { asyncOnly, bindingsFor, compileJsonata, evaluateJsonata, type CompiledJsonata } from './jsonata.js';

export class JsonataRecordFilter implements RecordFilter {
  constructor(
    private readonly expr: CompiledJsonata,
    private readonly config: Obj,
    private readonly parameters: Obj,
  ) {}

  matches(): boolean {
    return asyncOnly('JsonataRecordFilter');
  }

  async matchesAsync(record: DataRecord, ctx: RecordContext): Promise<boolean> {
    const result = await evaluateJsonata(this.expr, record, bindingsFor(this.config, this.parameters, ctx), 'JsonataRecordFilter');
    return truthy(result);
  }
}

export function buildJsonataRecordFilter(node: ManifestNode, ctx: BuildContext): JsonataRecordFilter {
  return new JsonataRecordFilter(compileJsonata(node.expression, ctx), ctx.config, ctx.parameters);
}

registerComponent('JsonataRecordFilter', buildJsonataRecordFilter, 'Keeps records for which a JSONata expression is truthy.');
