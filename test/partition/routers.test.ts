/** Partition routers: list values, request injection, cartesian product, grouping. */
import { describe, it, expect } from '@jest/globals';
import '../../engine/http/request-option.js';
import { buildListPartitionRouter } from '../../engine/partition/list-partition-router.js';
import { buildGroupingPartitionRouter } from '../../engine/partition/grouping-partition-router.js';
import { combineRouters } from '../../engine/partition/cartesian-product.js';
import type { PartitionRouter } from '../../engine/contracts.js';
import type { StreamSlice } from '../../engine/types.js';
import { fakeContext } from '../stream/fake-build-context.js';

async function all(router: PartitionRouter): Promise<StreamSlice[]> {
  const out: StreamSlice[] = [];
  for await (const p of router.partitions({})) out.push(p);
  return out;
}

describe('ListPartitionRouter', () => {
  it('yields one partition per value and injects it into the request', async () => {
    const router = buildListPartitionRouter(
      { type: 'ListPartitionRouter', cursor_field: 'section', values: ['news', 'sports'], request_option: { type: 'RequestOption', inject_into: 'header', field_name: 'X-Section' } },
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
    const a = buildListPartitionRouter({ type: 'ListPartitionRouter', cursor_field: 'a', values: [1, 2], request_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'a' } }, ctx);
    const b = buildListPartitionRouter({ type: 'ListPartitionRouter', cursor_field: 'b', values: ['x', 'y', 'z'], request_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'b' } }, ctx);
    const router = combineRouters([a, b])!;
    const partitions = await all(router);
    expect(partitions.map((p) => p.partition)).toEqual([
      { a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 1, b: 'z' },
      { a: 2, b: 'x' }, { a: 2, b: 'y' }, { a: 2, b: 'z' },
    ]);
    expect(router.requestOptions(partitions[4]!, undefined)).toEqual({ params: { a: 2, b: 'y' } });
    expect(combineRouters([a])).toBe(a);
    expect(combineRouters([])).toBeUndefined();
  });
});

describe('GroupingPartitionRouter', () => {
  it('batches partitions, deduplicating by default', async () => {
    const router = buildGroupingPartitionRouter(
      { type: 'GroupingPartitionRouter', group_size: 2, underlying_partition_router: { type: 'ListPartitionRouter', cursor_field: 'id', values: [1, 2, 2, 3] } },
      fakeContext(),
    );
    expect((await all(router)).map((p) => p.partition)).toEqual([{ id: [1, 2] }, { id: [3] }]);
  });
});
