/**
 * A list of partition routers reads their cartesian product (Airbyte's
 * CartesianProductStreamSlicer): every combination of one partition from each router, merged.
 * The first router streams; the others are listed once so they can be replayed per partition.
 */
import type { PartitionRouter, PartitionArgs } from '../contracts.js';
import type { NextPageToken, Obj, RequestOptions, StreamSlice } from '../types.js';
import { makeSlice } from '../types.js';
import { mergeRequestOptions } from './merge-options.js';

export class CartesianProductRouter implements PartitionRouter {
  constructor(readonly routers: readonly PartitionRouter[]) {}

  async *partitions(args: PartitionArgs): AsyncIterable<StreamSlice> {
    const [first, ...rest] = this.routers;
    if (!first) return;
    const others: StreamSlice[][] = [];
    for (const router of rest) {
      const listed: StreamSlice[] = [];
      for await (const p of router.partitions(args)) listed.push(p);
      if (listed.length === 0) return;
      others.push(listed);
    }
    for await (const head of first.partitions(args)) {
      yield* combine(head, others, 0);
    }
  }

  requestOptions(slice: StreamSlice, token: NextPageToken): Partial<RequestOptions> {
    return mergeRequestOptions(this.routers.map((r) => r.requestOptions(slice, token)));
  }

  parentState(): Obj | undefined {
    let merged: Obj | undefined;
    for (const r of this.routers) {
      const s = r.parentState?.();
      if (s) merged = { ...merged, ...s };
    }
    return merged;
  }

  setChildState(state: Obj | undefined): void {
    for (const r of this.routers) r.setChildState?.(state);
  }
}

function* combine(acc: StreamSlice, others: StreamSlice[][], depth: number): Generator<StreamSlice> {
  if (depth === others.length) {
    yield acc;
    return;
  }
  for (const next of others[depth]!) {
    const extra = acc.extra_fields || next.extra_fields ? { ...acc.extra_fields, ...next.extra_fields } : undefined;
    yield* combine(makeSlice({ ...acc.partition, ...next.partition }, {}, extra), others, depth + 1);
  }
}

/** The retriever's partition_router as one router (undefined when it has none). */
export function combineRouters(router: PartitionRouter | readonly PartitionRouter[] | undefined): PartitionRouter | undefined {
  if (!router) return undefined;
  if (!Array.isArray(router)) return router as PartitionRouter;
  if (router.length === 0) return undefined;
  return router.length === 1 ? router[0] : new CartesianProductRouter(router);
}
