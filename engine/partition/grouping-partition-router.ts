/**
 * GroupingPartitionRouter: batches the partitions of another router into groups of group_size,
 * each key holding the list of the batch's values (APIs that take `ids=1,2,3`).
 */
import type { PartitionRouter, PartitionArgs } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { NextPageToken, Obj, RequestOptions, StreamSlice } from '../types.js';
import { makeSlice } from '../types.js';

export class GroupingPartitionRouter implements PartitionRouter {
  constructor(
    private readonly underlying: PartitionRouter,
    private readonly groupSize: number,
    private readonly deduplicate: boolean,
  ) {}

  async *partitions(args: PartitionArgs): AsyncIterable<StreamSlice> {
    const seen = new Set<string>();
    let batch: StreamSlice[] = [];
    for await (const p of this.underlying.partitions(args)) {
      if (this.deduplicate) {
        const key = JSON.stringify(p.partition);
        if (seen.has(key)) continue;
        seen.add(key);
      }
      batch.push(p);
      if (batch.length >= this.groupSize) {
        yield group(batch);
        batch = [];
      }
    }
    if (batch.length) yield group(batch);
  }

  /** The underlying router injects single values; a group's lists are for templates. */
  requestOptions(_slice: StreamSlice, _token: NextPageToken): Partial<RequestOptions> {
    return {};
  }

  parentState(): Obj | undefined {
    return this.underlying.parentState?.();
  }

  setChildState(state: Obj | undefined): void {
    this.underlying.setChildState?.(state);
  }
}

function group(batch: StreamSlice[]): StreamSlice {
  const collect = (pick: (s: StreamSlice) => Obj | undefined): Obj | undefined => {
    const first = pick(batch[0]!);
    if (!first) return undefined;
    return Object.fromEntries(Object.keys(first).map((k) => [k, batch.map((s) => pick(s)?.[k])]));
  };
  return makeSlice(
    collect((s) => s.partition) ?? {},
    {},
    collect((s) => s.extra_fields),
  );
}

export function buildGroupingPartitionRouter(node: ManifestNode, ctx: BuildContext): GroupingPartitionRouter {
  const size = Number(node.group_size);
  if (!Number.isInteger(size) || size < 1) throw ctx.error('group_size must be a positive integer', 'group_size');
  if (!node.underlying_partition_router) throw ctx.error('GroupingPartitionRouter needs an underlying_partition_router', 'underlying_partition_router');
  const underlying = ctx.build<PartitionRouter>(node.underlying_partition_router, 'underlying_partition_router');
  return new GroupingPartitionRouter(underlying, size, node.deduplicate !== false);
}

registerComponent('GroupingPartitionRouter', buildGroupingPartitionRouter, 'Groups the partitions of another router into batches.');
