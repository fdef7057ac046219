/** DatetimeBasedCursor slicing edge cases beyond Airbyte's own table. */
import { describe, it, expect, afterAll, beforeAll } from '@jest/globals';
import '../../engine/http/request-option.js';
import { buildDatetimeBasedCursor } from '../../engine/incremental/datetime-based-cursor.js';
import { setNowForTesting } from '../../engine/interpolation/datetime.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { fakeContext } from '../stream/fake-build-context.js';

beforeAll(() => setNowForTesting(new Date('2024-06-15T12:00:00Z')));
afterAll(() => setNowForTesting(undefined));

const slicesOf = (node: Obj, state?: Obj): Obj[] => {
  const cursor = buildDatetimeBasedCursor({ type: 'DatetimeBasedCursor', cursor_field: 'ts', datetime_format: '%Y-%m-%d', ...node }, fakeContext({}));
  cursor.setState(state);
  return [...cursor.slices()];
};

describe('DatetimeBasedCursor slicing', () => {
  it('monthly steps from a month end clamp the day (isodate) and stay contiguous', () => {
    const slices = slicesOf({ start_datetime: '2024-01-31', end_datetime: '2024-04-30', step: 'P1M', cursor_granularity: 'P1D' });
    expect(slices).toEqual([
      { start_time: '2024-01-31', end_time: '2024-02-28' },
      { start_time: '2024-02-29', end_time: '2024-03-28' },
      { start_time: '2024-03-29', end_time: '2024-04-28' },
      { start_time: '2024-04-29', end_time: '2024-04-30' },
    ]);
  });

  it('day granularity: one-day windows without overlap', () => {
    expect(slicesOf({ start_datetime: '2024-01-01', end_datetime: '2024-01-03', step: 'P1D', cursor_granularity: 'P1D' })).toEqual([
      { start_time: '2024-01-01', end_time: '2024-01-01' },
      { start_time: '2024-01-02', end_time: '2024-01-02' },
      { start_time: '2024-01-03', end_time: '2024-01-03' },
    ]);
  });

  it('no step: one window up to now; custom partition field names', () => {
    expect(slicesOf({ start_datetime: '2024-06-01', partition_field_start: 'from', partition_field_end: 'to' })).toEqual([
      { from: '2024-06-01', to: '2024-06-15' },
    ]);
  });

  it('empty windows: start == end gives one point window, or none when compared strictly', () => {
    expect(slicesOf({ start_datetime: '2024-01-05', end_datetime: '2024-01-05', step: 'P1D', cursor_granularity: 'P1D' })).toEqual([
      { start_time: '2024-01-05', end_time: '2024-01-05' },
    ]);
    expect(slicesOf({ start_datetime: '2024-01-05', end_datetime: '2024-01-05', step: 'P1D', cursor_granularity: 'P1D', is_compare_strictly: true })).toEqual(
      [],
    );
  });

  it('state after the end gives no windows', () => {
    expect(slicesOf({ start_datetime: '2024-01-01', end_datetime: '2024-01-10', step: 'P1D', cursor_granularity: 'P1D' }, { ts: '2024-02-01' })).toEqual([]);
  });

  it('rejects step without cursor_granularity and bad durations, with the field located', () => {
    expect(() => slicesOf({ start_datetime: '2024-01-01', step: 'P1D' })).toThrow(/cursor_granularity/);
    expect(() => slicesOf({ start_datetime: '2024-01-01', step: 'one day', cursor_granularity: 'P1D' })).toThrow(/ISO-8601/);
  });

  it('an unparseable start_datetime is a config error naming the format', () => {
    expect(() => slicesOf({ start_datetime: 'yesterday' })).toThrow(/does not match the datetime format '%Y-%m-%d'/);
  });

  it('the state never moves past a window that is still open', () => {
    const cursor = buildDatetimeBasedCursor(
      {
        type: 'DatetimeBasedCursor',
        cursor_field: 'ts',
        datetime_format: '%Y-%m-%d',
        start_datetime: '2024-01-01',
        end_datetime: '2024-01-03',
        step: 'P1D',
        cursor_granularity: 'P1D',
      },
      fakeContext({}),
    );
    cursor.setState(undefined);
    const [w1, w2, w3] = [...cursor.slices()].map((w) => makeSlice({}, w));
    cursor.observe({ ts: '2024-01-02' }, w2!);
    cursor.closeSlice(w2!);
    // Still the sync start: w1 is open, so w2's record cannot count yet.
    expect(cursor.state()).toEqual({ ts: '2024-01-01' });
    cursor.observe({ ts: '2024-01-01' }, w1!);
    cursor.closeSlice(w1!);
    expect(cursor.state()).toEqual({ ts: '2024-01-02' });
    cursor.closeSlice(w3!);
    expect(cursor.state()).toEqual({ ts: '2024-01-02' });
  });
});

/**
 * An input state in the CDK's concurrent format (the ranges already read), as its ConcurrentCursor
 * resumes from it: before the first range, the gaps between merged ranges, and from the last range's
 * end less the lookback. Slice bounds after the CDK's test_concurrent_declarative_source.py
 * (test_read_with_concurrent_and_synchronous_streams_with_concurrent_state).
 */
describe('DatetimeBasedCursor with a concurrent-format state', () => {
  const cursor = { start_datetime: '2024-05-01', step: 'P15D', cursor_granularity: 'P1D', lookback_window: 'P5D' };
  const dateRange = (...slices: Obj[]): Obj => ({ state_type: 'date-range', slices });

  it('reads before the first range, the gap between ranges (adjacent ones merged) and from the last range less the lookback', () => {
    const state = dateRange({ start: '2024-05-16', end: '2024-05-30' }, { start: '2024-05-31', end: '2024-06-01' }, { start: '2024-06-08', end: '2024-06-10' });
    expect(slicesOf(cursor, state)).toEqual([
      { start_time: '2024-05-01', end_time: '2024-05-15' },
      { start_time: '2024-06-02', end_time: '2024-06-07' },
      { start_time: '2024-06-05', end_time: '2024-06-15' },
    ]);
  });

  it('a single range starting at start_datetime: only from its end less the lookback, in steps', () => {
    expect(slicesOf({ ...cursor, step: 'P5D' }, dateRange({ start: '2024-05-01', end: '2024-06-01' }))).toEqual([
      { start_time: '2024-05-27', end_time: '2024-05-31' },
      { start_time: '2024-06-01', end_time: '2024-06-05' },
      { start_time: '2024-06-06', end_time: '2024-06-10' },
      { start_time: '2024-06-11', end_time: '2024-06-15' },
    ]);
  });

  it('the state written afterwards is the sequential one, from the first range read', () => {
    const c = buildDatetimeBasedCursor({ type: 'DatetimeBasedCursor', cursor_field: 'ts', datetime_format: '%Y-%m-%d', ...cursor }, fakeContext({}));
    c.setState(dateRange({ start: '2024-05-01', end: '2024-05-20', most_recent_cursor_value: '2024-05-18' }));
    expect(c.state()).toEqual({ ts: '2024-05-18' });
  });

  it('a range bound no cursor format reads is an error naming it', () => {
    expect(() => slicesOf(cursor, dateRange({ start: 'soon', end: '2024-05-20' }))).toThrow(/slices\[\]\.start.*"soon"/);
  });
});
