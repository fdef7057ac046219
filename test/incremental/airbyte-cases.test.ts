/** Airbyte's own DatetimeBasedCursor / MinMaxDatetime / client-side filter cases (test/airbyte-cases). */
import { describe, it, expect, afterAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDatetimeBasedCursor, type DatetimeBasedCursor } from '../../engine/incremental/datetime-based-cursor.js';
import { MinMaxDatetime } from '../../engine/incremental/min-max-datetime.js';
import { isoformat, parseIso, parseWithFormats } from '../../engine/incremental/cursor-time.js';
import { setNowForTesting } from '../../engine/interpolation/datetime.js';
import { InterpolatedBoolean } from '../../engine/interpolation/index.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { fakeContext } from '../stream/fake-build-context.js';
import '../../engine/http/request-option.js';

interface Case {
  id: string;
  input: Obj & { op: string };
  expected: unknown;
}
const load = (file: string): Case[] => JSON.parse(readFileSync(fileURLToPath(new URL(`../airbyte-cases/${file}`, import.meta.url)), 'utf8')) as Case[];
const byOp = (file: string, ...ops: string[]): Array<[string, Case]> =>
  load(file)
    .filter((c) => ops.includes(c.input.op))
    .map((c) => [c.id, c]);

afterAll(() => setNowForTesting(undefined));

function cursorFrom(input: Obj, config: Obj = {}): DatetimeBasedCursor {
  const datetimeNode = (spec: unknown): unknown => {
    if (!spec || typeof spec !== 'object') return spec;
    const { parameters: _ignored, ...rest } = spec as Obj;
    return { type: 'MinMaxDatetime', ...rest };
  };
  const node: Obj = {
    type: 'DatetimeBasedCursor',
    cursor_field: input.cursor_field,
    datetime_format: input.datetime_format,
    start_datetime: datetimeNode(input.start_datetime),
  };
  if (input.end_datetime) node.end_datetime = datetimeNode(input.end_datetime);
  for (const key of ['step', 'cursor_granularity', 'lookback_window', 'partition_field_start', 'partition_field_end', 'is_compare_strictly']) {
    if (input[key] !== null && input[key] !== undefined) node[key] = input[key];
  }
  return buildDatetimeBasedCursor(node, fakeContext(config));
}

describe('datetime-slices.json: DatetimeBasedCursor slicing', () => {
  it.each(byOp('datetime-slices.json', 'datetime_cursor_stream_slices'))('%s', (_id, c) => {
    setNowForTesting(new Date(String(c.input.now)));
    const cursor = cursorFrom(c.input, c.input.config as Obj);
    cursor.setState(c.input.stream_state as Obj);
    expect([...cursor.slices()]).toEqual(c.expected);
  });
});

/**
 * These cases come from the legacy DatetimeBasedCursor, whose state stays `{}` until a record is
 * seen. The declarative source now runs the ConcurrentCursor, whose sequential state is never below
 * the sync start (start_datetime or a later input state): an empty expectation becomes the start.
 * Their start_datetime names no format (the legacy close_slice never parsed it): it is ISO here.
 */
describe('datetime-slices.json: state after close_slice', () => {
  it.each(byOp('datetime-slices.json', 'datetime_cursor_close_slice'))('%s', (_id, c) => {
    const start: Obj = { ...(c.input.start_datetime as Obj), datetime_format: '%Y-%m-%dT%H:%M:%S.%f%z' };
    const cursor = cursorFrom({ ...c.input, start_datetime: start });
    const field = String(c.input.cursor_field);
    cursor.setState(c.input.previous_cursor === null ? {} : { [field]: c.input.previous_cursor });
    const s = c.input.stream_slice as { partition: Obj; cursor_slice: Obj };
    const slice = makeSlice(s.partition, s.cursor_slice);
    for (const record of c.input.observed_records as Obj[]) cursor.observe(record, slice);
    cursor.closeSlice(slice);
    const expected = Object.keys(c.expected as Obj).length ? c.expected : { [field]: cursor.format(parseIso(String(start.datetime))!) };
    expect(cursor.state()).toEqual(expected);
  });
});

describe('datetime-formats.json: MinMaxDatetime', () => {
  it.each(byOp('datetime-formats.json', 'min_max_datetime'))('%s', (_id, c) => {
    const i = c.input;
    const mm = new MinMaxDatetime(i.datetime, String(i.datetime_format ?? ''), i.min_datetime, i.max_datetime, i.parameters as Obj);
    const ctx = i.context as Obj;
    const slice = ctx.stream_slice as Obj | undefined;
    const us = mm.getDatetime({ config: i.config as Obj, parameters: i.parameters as Obj, stream_slice: slice, stream_interval: slice });
    expect(us).toBe(parseIso(String(c.expected)));
  });
});

describe('datetime-formats.json: cursor parse/format', () => {
  it.each(byOp('datetime-formats.json', 'cursor_parse_date'))('%s', (_id, c) => {
    const formats = [...(c.input.cursor_datetime_formats as string[])];
    if (!formats.includes(String(c.input.datetime_format))) formats.push(String(c.input.datetime_format));
    const us = parseWithFormats(c.input.value, formats);
    if ((c.expected as Obj)?.error) expect(us).toBeUndefined();
    else expect(isoformat(us!)).toBe(c.expected);
  });

  it.each(byOp('datetime-formats.json', 'cursor_format_datetime'))('%s', (_id, c) => {
    const cursor = cursorFrom({ cursor_field: 'created', datetime_format: c.input.datetime_format, start_datetime: '0' });
    expect(cursor.format(parseIso(String(c.input.value))!)).toBe(c.expected);
  });
});

describe('extractors.json: client-side incremental filter', () => {
  it.each(byOp('extractors.json', 'client_side_incremental_filter'))('%s', (_id, c) => {
    const i = c.input;
    const format = String(i.datetime_format);
    setNowForTesting(undefined);
    const cursor = buildDatetimeBasedCursor(
      {
        type: 'DatetimeBasedCursor',
        cursor_field: i.cursor_field,
        datetime_format: format,
        start_datetime: { type: 'MinMaxDatetime', datetime: String(i.start), datetime_format: '%Y-%m-%dT%H:%M:%S%z' },
        ...(i.end ? { end_datetime: String(i.end) } : {}),
        is_client_side_incremental: true,
      },
      fakeContext({}),
    );
    cursor.setState(i.stream_state as Obj);
    const condition = i.condition ? new InterpolatedBoolean(i.condition, {}) : undefined;
    const kept = (i.records as Obj[]).filter((record) => (!condition || condition.eval({ config: {}, record })) && cursor.shouldEmit(record, makeSlice()));
    expect(kept.map((r) => r.id)).toEqual(c.expected);
  });
});
