/** RecordFilter: keeps the records for which `condition` is true. */
import type { RecordContext, RecordFilter } from '../contracts.js';
import { InterpolatedBoolean } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { sliceView, type DataRecord, type Obj } from '../types.js';

export class InterpolatedRecordFilter implements RecordFilter {
  private readonly condition: InterpolatedBoolean | undefined;

  constructor(condition: unknown, private readonly config: Obj, private readonly parameters: Obj) {
    this.condition = condition === undefined || condition === null || condition === '' ? undefined : new InterpolatedBoolean(condition, parameters);
  }

  matches(record: DataRecord, ctx: RecordContext): boolean {
    if (!this.condition) return true;
    const slice = sliceView(ctx.slice);
    return this.condition.eval({
      config: this.config,
      parameters: this.parameters,
      record,
      stream_slice: slice,
      stream_interval: slice,
      stream_partition: slice,
      next_page_token: ctx.nextPageToken,
    });
  }
}

export function buildRecordFilter(node: ManifestNode, ctx: BuildContext): InterpolatedRecordFilter {
  return new InterpolatedRecordFilter(node.condition, ctx.config, ctx.parameters);
}

registerComponent('RecordFilter', buildRecordFilter, 'Keeps records for which the condition is true.');
