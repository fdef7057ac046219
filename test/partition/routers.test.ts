/** Partition routers: list values, request injection, cartesian product, grouping, union. */
import { describe, it, expect } from '@jest/globals';
import '../../engine/http/request-option.js';
import { buildListPartitionRouter } from '../../engine/partition/list-partition-router.js';
import { buildGroupingPartitionRouter } from '../../engine/partition/grouping-partition-router.js';
import { combineRouters } from '../../engine/partition/cartesian-product.js';
import { UnionPartitionRouter, buildUnionPartitionRouter } from '../../engine/partition/union-partition-router.js';
import type { PartitionRouter } from '../../engine/contracts.js';
import { makeSlice, type Obj, type StreamSlice } from '../../engine/types.js';
import { fakeContext } from '../stream/fake-build-context.js';

async function all(router: PartitionRouter): Promise<StreamSlice[]> {
  const out: StreamSlice[] = [];
  for await (const p of router.partitions({})) out.push(p);
  return out;
}

describe('ListPartitionRouter', () => {
  it('yields one partition per value and injects it into the request', async () => {
    const router = buildListPartitionRouter(
      {
        type: 'ListPartitionRouter',
        cursor_field: 'section',
        values: ['news', 'sports'],
        request_option: { type: 'RequestOption', inject_into: 'header', field_name: 'X-Section' },
      },
      fakeContext(),
    );
    const partitions = await all(router);
    expect(partitions.map((p) => p.partition)).toEqual([{ section: 'news' }, { section: 'sports' }]);
    expect(router.requestOptions(partitions[1]!, undefined)).toEqual({ headers: { 'X-Section': 'sports' } });
  });

  it('takes its values from a config template', async () => {
    const router = buildListPartitionRouter(
      { type: 'ListPartitionRouter', cursor_field: '{{ parameters.key }}', values: "{{ config['repos'] }}" },
      fakeContext({ repos: '["a/x", "b/y"]' }, undefined, 'r', { key: 'repo' }),
    );
    expect((await all(router)).map((p) => p.partition)).toEqual([{ repo: 'a/x' }, { repo: 'b/y' }]);
  });

  it('rejects values that are neither a list nor a template', () => {
    expect(() => buildListPartitionRouter({ type: 'ListPartitionRouter', cursor_field: 'x', values: 5 }, fakeContext())).toThrow(/values must be a list/);
  });
});

describe('several routers: cartesian product', () => {
  it('combines every partition of each router and merges their request options', async () => {
    const ctx = fakeContext();
    const a = buildListPartitionRouter(
      {
        type: 'ListPartitionRouter',
        cursor_field: 'a',
        values: [1, 2],
        request_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'a' },
      },
      ctx,
    );
    const b = buildListPartitionRouter(
      {
        type: 'ListPartitionRouter',
        cursor_field: 'b',
        values: ['x', 'y', 'z'],
        request_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'b' },
      },
      ctx,
    );
    const router = combineRouters([a, b])!;
    const partitions = await all(router);
    expect(partitions.map((p) => p.partition)).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 1, b: 'z' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
      { a: 2, b: 'z' },
    ]);
    expect(router.requestOptions(partitions[4]!, undefined)).toEqual({ params: { a: 2, b: 'y' } });
    expect(combineRouters([a])).toBe(a);
    expect(combineRouters([])).toBeUndefined();
  });
});

describe('GroupingPartitionRouter', () => {
  it('batches partitions, deduplicating by default', async () => {
    const router = buildGroupingPartitionRouter(
      {
        type: 'GroupingPartitionRouter',
        group_size: 2,
        underlying_partition_router: { type: 'ListPartitionRouter', cursor_field: 'id', values: [1, 2, 2, 3] },
      },
      fakeContext(),
    );
    expect((await all(router)).map((p) => p.partition)).toEqual([{ id: [1, 2] }, { id: [3] }]);
  });
});

describe('UnionPartitionRouter', () => {
  /** A router yielding fixed slices, with a parent state of its own. */
  const fixed = (slices: StreamSlice[], parentState?: Obj): PartitionRouter & { childStates: unknown[] } => {
    const childStates: unknown[] = [];
    return {
      childStates,
      async *partitions() {
        yield* slices;
      },
      requestOptions: () => ({ params: { never: 'used' } }),
      parentState: () => parentState,
      setChildState: (s) => childStates.push(s),
    };
  };

  it('yields each value once, first router first, reduced to partition_field; other partition keys move to extra fields', async () => {
    const repos = fixed([makeSlice({ repository: 'org/a', parent_slice: {} }), makeSlice({ repository: 'org/b', parent_slice: {} })]);
    const starred = fixed([
      makeSlice({ repository: 'org/b', parent_slice: { p: 1 } }),
      makeSlice({ repository: 'org/c', parent_slice: { p: 1 } }, {}, { note: 'x' }),
    ]);
    const router = new UnionPartitionRouter('repository', [repos, starred], fakeContext().services.logger, 'r');
    const slices = await all(router);
    expect(slices.map((s) => [s.partition, s.extra_fields])).toEqual([
      [{ repository: 'org/a' }, { parent_slice: {} }],
      [{ repository: 'org/b' }, { parent_slice: {} }],
      [{ repository: 'org/c' }, { note: 'x', parent_slice: { p: 1 } }],
    ]);
    // Children inject nothing: templates read stream_partition.
    expect(router.requestOptions(slices[0]!, undefined)).toEqual({});
  });

  it('builds from the manifest (partition_field interpolated once) and fails on a partition without the field', async () => {
    const router = buildUnionPartitionRouter(
      {
        type: 'UnionPartitionRouter',
        partition_field: "{{ config['key'] }}",
        partition_routers: [
          { type: 'ListPartitionRouter', cursor_field: 'id', values: [1, 2] },
          { type: 'ListPartitionRouter', cursor_field: 'id', values: [2, 3] },
        ],
      },
      fakeContext({ key: 'id' }),
    );
    expect((await all(router)).map((p) => p.partition)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const mismatched = buildUnionPartitionRouter(
      {
        type: 'UnionPartitionRouter',
        partition_field: 'id',
        partition_routers: [
          { type: 'ListPartitionRouter', cursor_field: 'id', values: [1] },
          { type: 'ListPartitionRouter', cursor_field: 'other', values: [2] },
        ],
      },
      fakeContext(),
    );
    await expect(all(mismatched)).rejects.toThrow(/must put "id" in its partitions/);
    expect(() =>
      buildUnionPartitionRouter(
        { type: 'UnionPartitionRouter', partition_field: 'id', partition_routers: [{ type: 'ListPartitionRouter', cursor_field: 'id', values: [1] }] },
        fakeContext(),
      ),
    ).toThrow(/at least two/);
  });

  it("merges the children's parent states and hands each the child state", () => {
    const a = fixed([], { repositories: { updated_at: '2024-01-01' } });
    const b = fixed([], { starred: { updated_at: '2024-02-01' } });
    const router = new UnionPartitionRouter('repository', [a, b], fakeContext().services.logger, 'r');
    expect(router.parentState()).toEqual({ repositories: { updated_at: '2024-01-01' }, starred: { updated_at: '2024-02-01' } });
    router.setChildState({ state: { updated_at: '2024-03-01' } });
    expect([a.childStates, b.childStates]).toEqual([[{ state: { updated_at: '2024-03-01' } }], [{ state: { updated_at: '2024-03-01' } }]]);
  });
});
