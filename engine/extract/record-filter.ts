/** RecordFilter: keeps the records for which `condition` is true. */
import type { RecordContext, RecordFilter } from '../contracts.js';
import { InterpolatedBoolean } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { RecordTemplateContexts } from '../transform/context.js';
import type { DataRecord, Obj } from '../types.js';

export class InterpolatedRecordFilter implements RecordFilter {
  private readonly condition: InterpolatedBoolean | undefined;
  private readonly contexts: RecordTemplateContexts;

  constructor(condition: unknown, config: Obj, parameters: Obj) {
    this.condition = condition === undefined || condition === null || condition === '' ? undefined : new InterpolatedBoolean(condition, parameters);
    this.contexts = new RecordTemplateContexts(config, parameters);
  }

  matches(record: DataRecord, ctx: RecordContext): boolean {
    if (!this.condition) return true;
    return this.condition.eval(this.contexts.for(record, ctx));
  }
}

export function buildRecordFilter(node: ManifestNode, ctx: BuildContext): InterpolatedRecordFilter {
  return new InterpolatedRecordFilter(node.condition, ctx.config, ctx.parameters);
}

registerComponent('RecordFilter', buildRecordFilter, 'Keeps records for which the condition is true.');
