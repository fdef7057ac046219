/**
 * IncrementingCountCursor: an integer cursor (ids, sequence numbers). One slice per read; the
 * request carries the last value seen (or start_value) so the API returns only newer rows.
 */
import type { IncrementalCursor } from '../contracts.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, NextPageToken, Obj, RequestOptions, StreamSlice } from '../types.js';
import { streamLabel, warnOnce, type ValueInjector } from './datetime-based-cursor.js';
import { unreadableStateValue } from './state.js';

export class IncrementingCountCursor implements IncrementalCursor {
  private cursor: number | undefined;
  /** Highest value observed in the slice being read; folded into the state when it closes. */
  private seen: number | undefined;

  constructor(
    readonly cursorField: string,
    private readonly startValue: number,
    private readonly startValueOption: ValueInjector | undefined,
    private readonly onUnparsable?: (value: unknown) => void,
    private readonly streamLabel = 'Stream',
  ) {}

  fresh(): IncrementingCountCursor {
    return new IncrementingCountCursor(this.cursorField, this.startValue, this.startValueOption, this.onUnparsable, this.streamLabel);
  }

  setState(state: Obj | undefined): void {
    const raw = state?.[this.cursorField];
    this.seen = undefined;
    if (raw === undefined || raw === null || raw === '') {
      this.cursor = undefined;
      return;
    }
    const value = numberOf(raw);
    if (value === undefined) throw unreadableStateValue(this.streamLabel, this.cursorField, raw, 'a number');
    this.cursor = value;
  }

  /** As the CDK's ConcurrentCursor: the sync's start (start_value or a later state) until a record moves it. */
  state(): Obj {
    return { [this.cursorField]: this.cursor === undefined || this.cursor < this.startValue ? this.startValue : this.cursor };
  }

  *slices(): Iterable<Obj> {
    yield {};
  }

  requestOptions(_slice: StreamSlice, _token: NextPageToken): Partial<RequestOptions> {
    const out: Partial<RequestOptions> = {};
    this.startValueOption?.inject(out, this.cursor ?? this.startValue);
    return out;
  }

  shouldEmit(): boolean {
    return true;
  }

  observe(record: DataRecord): void {
    const raw = record[this.cursorField];
    if (raw === undefined || raw === null) return;
    const value = numberOf(raw);
    if (value === undefined) {
      this.onUnparsable?.(raw);
      return;
    }
    if (this.seen === undefined || value > this.seen) this.seen = value;
  }

  closeSlice(): void {
    if (this.seen !== undefined && (this.cursor === undefined || this.seen > this.cursor)) this.cursor = this.seen;
    this.seen = undefined;
  }
}

/** A number, or a string holding one; anything else (objects, booleans, text) is not a count. */
function numberOf(raw: unknown): number | undefined {
  const value = typeof raw === 'number' || (typeof raw === 'string' && raw.trim() !== '') ? Number(raw) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

export function buildIncrementingCountCursor(node: ManifestNode, ctx: BuildContext): IncrementingCountCursor {
  const render = (v: unknown): string =>
    InterpolatedString.create(v, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters });
  const cursorField = render(node.cursor_field);
  if (!cursorField) throw ctx.error('IncrementingCountCursor needs a cursor_field', 'cursor_field');
  const start = node.start_value === undefined ? 0 : Number(render(node.start_value));
  if (!Number.isFinite(start)) throw ctx.error(`start_value must be a number (got '${render(node.start_value)}')`, 'start_value');
  const option = ctx.buildOptional<ValueInjector>(node.start_value_option, 'start_value_option', 'RequestOption');
  return new IncrementingCountCursor(cursorField, start, option, warnOnce(ctx, cursorField, 'a number'), streamLabel(ctx));
}

registerComponent('IncrementingCountCursor', buildIncrementingCountCursor, 'Incremental sync on an integer cursor field.');
