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
