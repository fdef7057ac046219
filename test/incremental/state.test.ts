/** Input state formats and the per-partition state object. */
import { describe, it, expect } from '@jest/globals';
import { parseInputState, streamStateMessage } from '../../engine/incremental/state.js';
import { PerPartitionCursor, SWITCH_TO_GLOBAL_LIMIT } from '../../engine/incremental/per-partition-cursor.js';
import { IncrementingCountCursor } from '../../engine/incremental/incrementing-count-cursor.js';
import { makeSlice } from '../../engine/types.js';

describe('parseInputState', () => {
  it('reads STREAM, GLOBAL and LEGACY messages, with or without the STATE wrapper', () => {
    const states = parseInputState([
      { type: 'STREAM', stream: { stream_descriptor: { name: 'a' }, stream_state: { updated_at: '2024-01-01' } } },
      { type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'b', namespace: 'ns' }, stream_state: { id: 3 } } } },
      { type: 'GLOBAL', global: { shared_state: { lsn: 1 }, stream_states: [{ stream_descriptor: { name: 'c' }, stream_state: { x: 1 } }] } },
      { type: 'LEGACY', data: { d: { y: 2 } } },
    ]);
    expect(Object.fromEntries(states)).toEqual({ a: { updated_at: '2024-01-01' }, b: { id: 3 }, c: { x: 1 }, d: { y: 2 } });
  });

  it('reads the legacy {stream: state} object and treats a null stream_state as a reset', () => {
    expect(Object.fromEntries(parseInputState({ users: { updated_at: 'x' } }))).toEqual({ users: { updated_at: 'x' } });
    const reset = parseInputState([
      { type: 'STREAM', stream: { stream_descriptor: { name: 'a' }, stream_state: { v: 1 } } },
      { type: 'STREAM', stream: { stream_descriptor: { name: 'a' }, stream_state: null } },
    ]);
    expect(reset.has('a')).toBe(false);
    expect(parseInputState(undefined).size).toBe(0);
    expect(parseInputState([]).size).toBe(0);
  });

  it('reports unusable state with a config error', () => {
    expect(() => parseInputState([{ type: 'BOGUS' }])).toThrow(/unknown state type/);
    expect(() => parseInputState([{ type: 'STREAM', stream: { stream_state: {} } }])).toThrow(/stream_descriptor.name/);
    expect(() => parseInputState('nope')).toThrow(/state must be/);
  });

  it('builds the STREAM message a source emits', () => {
    expect(streamStateMessage('a', { v: 1 })).toEqual({ type: 'STREAM', stream: { stream_descriptor: { name: 'a' }, stream_state: { v: 1 } } });
  });
});

describe('PerPartitionCursor', () => {
  const prototype = new IncrementingCountCursor('id', 0, undefined);

  it('round-trips the CDK per-partition format, keeping partitions not read this time', () => {
    const input = {
      use_global_cursor: false,
      states: [
        { partition: { account: 'x', parent_slice: {} }, cursor: { id: 5 } },
        { partition: { account: 'y', parent_slice: {} }, cursor: { id: 7 } },
      ],
      state: { id: 7 },
      lookback_window: 3,
      parent_state: { accounts: { updated: '2024' } },
    };
    const cursor = new PerPartitionCursor(prototype, undefined, false);
    cursor.setState(input);
    expect(cursor.state()).toEqual(input);
    // Partition key order does not matter; a new partition starts from the global cursor.
    expect(cursor.cursorFor({ parent_slice: {}, account: 'x' }).state()).toEqual({ id: 5 });
    expect(cursor.cursorFor({ account: 'new', parent_slice: {} }).state()).toEqual({ id: 7 });
    const slice = makeSlice({ account: 'x', parent_slice: {} }, {});
    cursor.observe({ id: 9 }, slice);
    cursor.closeSlice(slice);
    cursor.finish();
    expect(cursor.state()).toMatchObject({
      state: { id: 9 },
      states: expect.arrayContaining([{ partition: { account: 'x', parent_slice: {} }, cursor: { id: 9 } }]),
    });
  });

  it('switches to a single global cursor past the partition limit', () => {
    const cursor = new PerPartitionCursor(prototype, undefined, false);
    cursor.setState(undefined);
    for (let i = 0; i <= SWITCH_TO_GLOBAL_LIMIT; i++) cursor.cursorFor({ n: i });
    const state = cursor.state();
    expect(state.use_global_cursor).toBe(true);
    expect(state.states).toBeUndefined();
  });

  it('global_substream_cursor keeps only the global cursor', () => {
    const cursor = new PerPartitionCursor(prototype, undefined, true);
    cursor.setState({ state: { id: 2 } });
    expect(cursor.cursorFor({ p: 1 }).state()).toEqual({ id: 2 });
    expect(cursor.state()).toEqual({ use_global_cursor: true, state: { id: 2 }, lookback_window: 0 });
  });
});
