/**
 * DatetimeBasedCursor: splits [max(start, state - lookback), min(end, now)] into contiguous
 * windows (next start = previous end + cursor_granularity), injects the window bounds into
 * requests, and keeps `{cursor_field: latest record cursor}` as state.
 *
 * Slices may be read concurrently and close out of order, so the state only absorbs a window once
 * every earlier window has closed: a checkpoint never skips past data not yet read.
 *
 * The state is never empty and never a window bound: as the CDK's ConcurrentCursor writes its
 * sequential state, it is the latest record cursor value, or the sync's start (the later of
 * start_datetime and the input state) when no record moved it. Windows read without records do
 * not move it to their end: an API may fill a window after it was read.
 *
 * An input state may also be in the CDK's concurrent form (`state_type: date-range` with the
 * ranges already read): the read then covers only what those ranges leave out, and the state
 * written afterwards is the sequential one above.
 */
import type { IncrementalCursor } from '../contracts.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, NextPageToken, Obj, RequestOptions, StreamSlice } from '../types.js';
import { addDuration, formatInstant, MAX_INSTANT, MIN_INSTANT, nowMicros, parseDuration, parseWithFormats, type Micros } from './cursor-time.js';
import type { PyDuration } from '../interpolation/duration.js';
import { MinMaxDatetime } from './min-max-datetime.js';
import { unreadableStateValue } from './state.js';

interface ReadBounds {
  /** Where the first window starts: the sync start moved back by the lookback. */
  earliest: Micros;
  latest: Micros;
  /** The later of start_datetime and the state: records before it are not synced again. */
  syncStart: Micros;
}

/** What a RequestOption offers; kept structural so the cursor does not import the http folder. */
export interface ValueInjector {
  inject(target: Partial<RequestOptions>, value: unknown): void;
}

export interface DatetimeCursorSettings {
  cursorField: string;
  datetimeFormat: string;
  cursorDatetimeFormats: string[];
  start: MinMaxDatetime;
  end: MinMaxDatetime | undefined;
  step: PyDuration | undefined;
  granularity: PyDuration | undefined;
  lookback: PyDuration | undefined;
  startOption: ValueInjector | undefined;
  endOption: ValueInjector | undefined;
  partitionFieldStart: string;
  partitionFieldEnd: string;
  isDataFeed: boolean;
  isClientSideIncremental: boolean;
  isCompareStrictly: boolean;
  globalSubstreamCursor: boolean;
  config: Obj;
  /** Told about a record cursor value no format parses (the record is still emitted). */
  onUnparsable?: ((value: unknown) => void) | undefined;
  /** How errors name the stream: `Stream "events"`, or the component path. */
  streamLabel?: string | undefined;
}

interface Window {
  start: Micros;
  end: Micros;
  /** Latest cursor value seen inside the window. */
  latest: Micros | undefined;
  closed: boolean;
}

export class DatetimeBasedCursor implements IncrementalCursor {
  readonly cursorField: string;
  /** Instant the state points at (undefined: no state yet). */
  private cursor: Micros | undefined;
  /** Windows handed out by slices(), in order, not yet folded into the state. */
  private pending: Window[] = [];
  private readonly windows = new WeakMap<Obj, Window>();
  private bounds: ReadBounds | undefined;
  private startInstant: Micros | undefined;
  /** The ranges an input state in the CDK's concurrent format says were read, merged (see readRanges). */
  private readRanges: { start: Micros; end: Micros }[] | undefined;

  constructor(readonly settings: DatetimeCursorSettings) {
    this.cursorField = settings.cursorField;
  }

  /** A cursor with the same settings and no state (one per partition). */
  fresh(): DatetimeBasedCursor {
    return new DatetimeBasedCursor(this.settings);
  }

  get isDataFeed(): boolean {
    return this.settings.isDataFeed;
  }

  get globalSubstreamCursor(): boolean {
    return this.settings.globalSubstreamCursor;
  }

  setState(state: Obj | undefined): void {
    this.readRanges = undefined;
    if (state?.state_type === 'date-range' && Array.isArray(state.slices) && state.slices.length > 0) {
      this.setConcurrentState(state.slices);
      return;
    }
    const value = state?.[this.cursorField];
    this.cursor = value === undefined || value === null || value === '' ? undefined : this.parse(value);
    if (this.cursor === undefined && value !== undefined && value !== null && value !== '') {
      const formats = this.settings.cursorDatetimeFormats;
      throw unreadableStateValue(
        this.settings.streamLabel ?? 'Stream',
        this.cursorField,
        value,
        `a datetime in ${formats.length === 1 ? 'the format' : 'any of the formats'} ${formats.map((f) => JSON.stringify(f)).join(', ')}`,
      );
    }
    this.pending = [];
    this.bounds = undefined;
    this.startInstant = undefined;
  }

  /**
   * A state as the CDK's ConcurrentCursor writes it when not asked for the sequential form:
   * `{state_type: date-range, slices: [{start, end, most_recent_cursor_value?}]}`, the ranges
   * already read. As the CDK does: ranges closer than one cursor_granularity (or 1 ms) are merged;
   * the cursor is the first range's most recent value (else its end); and the read covers what
   * they leave out (see slices()).
   */
  private setConcurrentState(slices: unknown[]): void {
    const label = this.settings.streamLabel ?? 'Stream';
    const ranges = slices
      .map((slice) => {
        const at = (key: string): Micros | undefined => {
          const raw = (slice as Obj | null)?.[key];
          if (raw === undefined || raw === null || raw === '') return undefined;
          const us = this.parse(raw);
          if (us === undefined)
            throw unreadableStateValue(
              label,
              `slices[].${key}`,
              raw,
              `a datetime in ${this.settings.cursorDatetimeFormats.map((f) => JSON.stringify(f)).join(', ')}`,
            );
          return us;
        };
        const start = at('start');
        const end = at('end');
        if (start === undefined || end === undefined) throw unreadableStateValue(label, 'slices', slice, 'ranges with a start and an end');
        return { start, end, latest: at('most_recent_cursor_value') };
      })
      .sort((a, b) => a.start - b.start || a.end - b.end);
    const step = this.settings.granularity;
    const merged = [ranges[0]!];
    for (const range of ranges.slice(1)) {
      const last = merged[merged.length - 1]!;
      const reach = step ? addDuration(last.end, step) : last.end + 1_000;
      if (reach >= range.start) {
        last.end = Math.max(last.end, range.end);
        last.latest = last.latest === undefined ? range.latest : range.latest === undefined ? last.latest : Math.max(last.latest, range.latest);
      } else {
        merged.push({ ...range });
      }
    }
    this.cursor = merged[0]!.latest ?? merged[0]!.end;
    this.readRanges = merged.map(({ start, end }) => ({ start, end }));
    this.pending = [];
    this.bounds = undefined;
    this.startInstant = undefined;
  }

  /**
   * The state `seconds` earlier, in datetime_format (so a date-only format rounds down to the day),
   * as the CDK writes a new partition's runtime lookback. Unparsable states stay as they are.
   */
  movedBack(state: Obj, seconds: number): Obj {
    const value = state[this.cursorField];
    const at = value === undefined || value === null || value === '' ? undefined : this.parse(value);
    if (at === undefined) return state;
    return { ...state, [this.cursorField]: this.format(Math.max(MIN_INSTANT, at - seconds * 1_000_000)) };
  }

  state(): Obj {
    const start = this.start();
    return { [this.cursorField]: this.format(this.cursor === undefined || this.cursor < start ? start : this.cursor) };
  }

  /** start_datetime (with its min/max), unclamped by now or end_datetime: the state's floor. */
  private start(): Micros {
    return (this.startInstant ??= this.settings.start.getDatetime({ config: this.settings.config }));
  }

  *slices(): Iterable<Obj> {
    const { earliest, latest } = this.readBounds();
    if (!this.readRanges) {
      yield* this.windowsBetween(earliest, latest);
      return;
    }
    // A concurrent-format state: what lies before the first range read, the gaps between ranges,
    // and from the end of the last one (less the lookback) on, as the CDK's ConcurrentCursor does.
    const s = this.settings;
    const floor = this.start();
    const before = (instant: Micros): Micros => (s.granularity ? addDuration(instant, s.granularity, -1) : instant);
    const ranges = this.readRanges;
    const gap = function* (this: DatetimeBasedCursor, lower: Micros, upper: Micros): Iterable<Obj> {
      if (lower >= upper || upper < floor) return;
      yield* this.windowsBetween(Math.max(lower, floor), before(upper));
    };
    if (floor < ranges[0]!.start) yield* gap.call(this, floor, ranges[0]!.start);
    for (let i = 0; i + 1 < ranges.length; i++) {
      yield* gap.call(this, s.granularity ? addDuration(ranges[i]!.end, s.granularity) : ranges[i]!.end, ranges[i + 1]!.start);
    }
    const last = ranges[ranges.length - 1]!.end;
    const lower = Math.max(s.lookback ? addDuration(last, s.lookback, -1) : last, floor);
    if (lower < latest) yield* this.windowsBetween(lower, latest);
  }

  /** Contiguous windows of `step` from `earliest` to `latest` (both inclusive). */
  private *windowsBetween(earliest: Micros, latest: Micros): Iterable<Obj> {
    const s = this.settings;
    let start = earliest;
    while (s.isCompareStrictly ? start < latest : start <= latest) {
      const nextStart = s.step ? addDuration(start, s.step) : MAX_INSTANT;
      const end = Math.min(s.granularity ? addDuration(nextStart, s.granularity, -1) : nextStart, latest);
      const cursorSlice = { [s.partitionFieldStart]: this.format(start), [s.partitionFieldEnd]: this.format(end) };
      const window: Window = { start, end, latest: undefined, closed: false };
      this.pending.push(window);
      this.windows.set(cursorSlice, window);
      yield cursorSlice;
      if (nextStart >= MAX_INSTANT || nextStart <= start) break;
      start = nextStart;
    }
  }

  requestOptions(slice: StreamSlice, _token: NextPageToken): Partial<RequestOptions> {
    const out: Partial<RequestOptions> = {};
    const { startOption, endOption, partitionFieldStart, partitionFieldEnd } = this.settings;
    startOption?.inject(out, slice.cursor_slice[partitionFieldStart]);
    endOption?.inject(out, slice.cursor_slice[partitionFieldEnd]);
    return out;
  }

  shouldEmit(record: DataRecord, _slice: StreamSlice): boolean {
    // A data feed's last page ends with records already synced: like client-side incremental, the
    // cursor drops what lies outside [state, end] (Airbyte's should_be_synced).
    if (!this.settings.isClientSideIncremental && !this.settings.isDataFeed) return true;
    const value = this.recordInstant(record);
    if (value === undefined) return true;
    // The lookback only widens the requested windows: records are kept from the sync's start (the
    // later of start_datetime and the state), as the CDK's ConcurrentCursor.should_be_synced does.
    const { syncStart, latest } = this.readBounds();
    return value >= syncStart && value <= latest;
  }

  /** Data feeds are sorted newest first: a record older than the state means the rest is known. */
  isOlderThanState(record: DataRecord): boolean {
    if (this.cursor === undefined) return false;
    const value = this.recordInstant(record);
    return value !== undefined && value < this.cursor;
  }

  observe(record: DataRecord, slice: StreamSlice): void {
    const value = this.recordInstant(record);
    if (value === undefined) return;
    const window = this.windowOf(slice);
    if (value < window.start || value > window.end) return;
    if (window.latest === undefined || value > window.latest) window.latest = value;
  }

  closeSlice(slice: StreamSlice): void {
    const window = this.windowOf(slice);
    window.closed = true;
    if (!this.pending.includes(window)) {
      this.absorb(window);
      return;
    }
    while (this.pending[0]?.closed) this.absorb(this.pending.shift()!);
  }

  reduceSlice(slice: StreamSlice): Obj | undefined {
    const window = this.windowOf(slice);
    if (window.latest === undefined) return undefined;
    const s = this.settings;
    return { [s.partitionFieldStart]: this.format(window.latest), [s.partitionFieldEnd]: slice.cursor_slice[s.partitionFieldEnd] };
  }

  /** [earliest, latest] instants a read covers from the current state, fixed when the read starts. */
  readBounds(): ReadBounds {
    if (this.bounds) return this.bounds;
    const s = this.settings;
    const ctx = { config: s.config };
    const now = nowMicros();
    const latest = s.end ? Math.min(s.end.getDatetime(ctx), now) : now;
    const start = Math.min(this.start(), latest);
    const fromState = this.cursor === undefined ? MIN_INSTANT : s.lookback ? addDuration(this.cursor, s.lookback, -1) : this.cursor;
    this.bounds = { earliest: Math.max(start, fromState), latest, syncStart: Math.max(start, this.cursor ?? MIN_INSTANT) };
    return this.bounds;
  }

  private absorb(window: Window): void {
    if (window.latest !== undefined && (this.cursor === undefined || window.latest > this.cursor)) this.cursor = window.latest;
  }

  private windowOf(slice: StreamSlice): Window {
    let window = this.windows.get(slice.cursor_slice);
    if (!window) {
      const s = this.settings;
      const start = this.parse(slice.cursor_slice[s.partitionFieldStart]) ?? MIN_INSTANT;
      const end = this.parse(slice.cursor_slice[s.partitionFieldEnd]) ?? MAX_INSTANT;
      window = { start, end, latest: undefined, closed: false };
      this.windows.set(slice.cursor_slice, window);
    }
    return window;
  }

  recordInstant(record: DataRecord): Micros | undefined {
    const raw = record[this.cursorField];
    if (raw === undefined || raw === null || raw === '') return undefined;
    const us = this.parse(raw);
    if (us === undefined) this.settings.onUnparsable?.(raw);
    return us;
  }

  private parse(value: unknown): Micros | undefined {
    return parseWithFormats(value, this.settings.cursorDatetimeFormats);
  }

  format(us: Micros): string {
    return formatInstant(us, this.settings.datetimeFormat);
  }
}

/**
 * Unparsable record cursor values: the record is emitted and the state does not move for it (the
 * CDK's ConcurrentCursor does the same, logging a warning; its per-partition cursor raises
 * instead, failing the sync over one value). Warned once per stream, naming the field and value;
 * the stream is named by `$parameters.name` when set, else by its manifest path (the builder sees
 * no stream name).
 */
export function warnOnce(ctx: BuildContext, field: string, expected: string): (value: unknown) => void {
  let warned = false;
  const stream = streamLabel(ctx);
  return (value) => {
    if (warned) return;
    warned = true;
    ctx.services.logger.warn(
      `${stream}: cursor field '${field}' has the value ${JSON.stringify(value)}, which does not match ${expected}; ` +
        'such records are still emitted but do not move the state',
    );
  };
}

/** `Stream "<name>"` when `$parameters.name` says it, else the cursor's manifest path. */
export function streamLabel(ctx: BuildContext): string {
  return typeof ctx.parameters.name === 'string' && ctx.parameters.name ? `Stream "${ctx.parameters.name}"` : ctx.path;
}

function datetimeOf(node: unknown, field: string, format: string, ctx: BuildContext): MinMaxDatetime | undefined {
  if (node === undefined || node === null || node === '') return undefined;
  const built =
    typeof node === 'object'
      ? ctx.build<MinMaxDatetime>(node, field, 'MinMaxDatetime')
      : new MinMaxDatetime(node, '', undefined, undefined, ctx.parameters, `${ctx.path}.${field}`);
  // As in the CDK: bounds without a format of their own use the cursor's.
  if (!built.datetimeFormat) built.datetimeFormat = format;
  return built;
}

export function buildDatetimeBasedCursor(node: ManifestNode, ctx: BuildContext): DatetimeBasedCursor {
  const render = (field: string): string =>
    node[field] === undefined || node[field] === null
      ? ''
      : InterpolatedString.create(node[field], { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters }).trim();
  const duration = (field: string): PyDuration | undefined => {
    const text = render(field);
    if (!text) return undefined;
    try {
      return parseDuration(text);
    } catch {
      throw ctx.error(`${field} '${text}' is not an ISO-8601 duration (e.g. P1D, PT1H, P1M)`, field);
    }
  };
  const cursorField = render('cursor_field');
  if (!cursorField) throw ctx.error('DatetimeBasedCursor needs a cursor_field', 'cursor_field');
  const datetimeFormat = render('datetime_format');
  if (!datetimeFormat) throw ctx.error('DatetimeBasedCursor needs a datetime_format', 'datetime_format');
  const declaredFormats = Array.isArray(node.cursor_datetime_formats) ? node.cursor_datetime_formats.map(String) : [];
  const cursorDatetimeFormats = declaredFormats.includes(datetimeFormat) ? declaredFormats : [...declaredFormats, datetimeFormat];
  const start = datetimeOf(node.start_datetime, 'start_datetime', datetimeFormat, ctx);
  if (!start) throw ctx.error('DatetimeBasedCursor needs a start_datetime', 'start_datetime');
  const step = duration('step');
  const granularity = duration('cursor_granularity');
  if (step && !granularity) throw ctx.error('step requires cursor_granularity (e.g. PT1S)', 'cursor_granularity');
  const option = (field: string): ValueInjector | undefined => ctx.buildOptional<ValueInjector>(node[field], field, 'RequestOption');
  if (node.clamping) ctx.services.logger.warn(`${ctx.path}: clamping is not supported yet; slices are not clamped`);
  return new DatetimeBasedCursor({
    cursorField,
    datetimeFormat,
    cursorDatetimeFormats,
    start,
    end: datetimeOf(node.end_datetime, 'end_datetime', datetimeFormat, ctx),
    step,
    granularity,
    lookback: duration('lookback_window'),
    startOption: option('start_time_option'),
    endOption: option('end_time_option'),
    partitionFieldStart: render('partition_field_start') || 'start_time',
    partitionFieldEnd: render('partition_field_end') || 'end_time',
    isDataFeed: node.is_data_feed === true,
    isClientSideIncremental: node.is_client_side_incremental === true,
    isCompareStrictly: node.is_compare_strictly === true,
    globalSubstreamCursor: node.global_substream_cursor === true,
    config: ctx.config,
    onUnparsable: warnOnce(ctx, cursorField, `the formats ${JSON.stringify(cursorDatetimeFormats)}`),
    streamLabel: streamLabel(ctx),
  });
}

registerComponent('DatetimeBasedCursor', buildDatetimeBasedCursor, 'Incremental sync over datetime windows of a cursor field.');
