/** The template context transformations evaluate in (Airbyte passes record, stream_slice and state). */
import type { RecordContext } from '../contracts.js';
import type { InterpolationContext } from '../interpolation/index.js';
import { sliceView, type DataRecord, type Obj } from '../types.js';

export function recordTemplateContext(config: Obj, parameters: Obj, record: DataRecord, ctx: RecordContext | undefined): InterpolationContext {
  const slice = sliceView(ctx?.slice);
  return {
    config,
    parameters,
    record,
    stream_slice: slice,
    stream_interval: slice,
    stream_partition: slice,
    next_page_token: ctx?.nextPageToken,
  };
}

export function isEmptyCondition(condition: unknown): boolean {
  return condition === undefined || condition === null || condition === '';
}

/**
 * recordTemplateContext for one record after another: the context of the previous record is reused
 * (only `record` changes) while the slice and page token stay the same, so evaluating templates
 * allocates no context object per record. Only synchronous evaluation may use it: the context
 * changes with the next record.
 */
export class RecordTemplateContexts {
  private current: InterpolationContext | undefined;
  private slice: unknown;
  private token: unknown;

  constructor(
    private readonly config: Obj,
    private readonly parameters: Obj,
  ) {}

  for(record: DataRecord, ctx: RecordContext | undefined): InterpolationContext {
    const slice = ctx?.slice;
    const token = ctx?.nextPageToken;
    let current = this.current;
    if (!current || slice !== this.slice || token !== this.token) {
      current = this.current = recordTemplateContext(this.config, this.parameters, record, ctx);
      this.slice = slice;
      this.token = token;
    } else {
      current.record = record;
    }
    return current;
  }
}
