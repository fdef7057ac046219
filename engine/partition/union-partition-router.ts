/**
 * UnionPartitionRouter: the partitions of several routers, one router after the other, each
 * partition value once. Every partition is reduced to `{partition_field: value}` so per-partition
 * state keys are the same whichever router found the value; the other keys a router puts in its
 * partitions (a SubstreamPartitionRouter's `parent_slice`) move to the slice's extra fields. The
 * first router to yield a value wins. Children inject nothing into requests: templates read the
 * value from `stream_partition`.
 */
import type { PartitionArgs, PartitionRouter } from '../contracts.js';
import { ConfigError } from '../errors/manifold-error.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Logger } from '../services.js';
import type { NextPageToken, Obj, RequestOptions, StreamSlice } from '../types.js';
import { makeSlice } from '../types.js';

export class UnionPartitionRouter implements PartitionRouter {
  constructor(
    readonly partitionField: string,
    readonly routers: readonly PartitionRouter[],
    private readonly logger: Logger,
    private readonly where: string,
  ) {}

  async *partitions(args: PartitionArgs): AsyncIterable<StreamSlice> {
    // Held for the whole read: one entry per distinct partition value.
    const seen = new Set<string>();
    for (const router of this.routers) {
      for await (const slice of router.partitions(args)) {
        if (!Object.hasOwn(slice.partition, this.partitionField)) {
          throw new ConfigError(
            `${this.where}: every router of a UnionPartitionRouter must put "${this.partitionField}" in its partitions; one yielded ${JSON.stringify(slice.partition)}`,
          );
        }
        const { [this.partitionField]: value, ...carried } = slice.partition;
        if (value !== null && typeof value === 'object') {
          throw new ConfigError(
            `${this.where}: a UnionPartitionRouter partition value must be a scalar, got ${JSON.stringify(value)} for "${this.partitionField}"`,
          );
        }
        const key = JSON.stringify(value);
        if (seen.has(key)) continue;
        seen.add(key);
        const extra = slice.extra_fields || Object.keys(carried).length ? { ...slice.extra_fields, ...carried } : undefined;
        yield makeSlice({ [this.partitionField]: value }, {}, extra);
      }
    }
  }

  requestOptions(_slice: StreamSlice, _token: NextPageToken): Partial<RequestOptions> {
    return {};
  }

  /** The parent states of every child router, merged (a parent two children share: the last one's). */
  parentState(): Obj | undefined {
    let merged: Obj | undefined;
    for (const router of this.routers) {
      const state = router.parentState?.();
      if (!state) continue;
      const shared = Object.keys(state).filter((name) => merged && Object.hasOwn(merged, name));
      if (shared.length)
        this.logger.warn(`${this.where}: routers of one UnionPartitionRouter read the same parent stream (${shared.join(', ')}); the last one's state is kept`);
      merged = { ...merged, ...state };
    }
    return merged;
  }

  setChildState(state: Obj | undefined): void {
    for (const router of this.routers) router.setChildState?.(state);
  }
}

export function buildUnionPartitionRouter(node: ManifestNode, ctx: BuildContext): UnionPartitionRouter {
  const field = InterpolatedString.create(node.partition_field ?? '', { parameters: ctx.parameters }).evalString({
    config: ctx.config,
    parameters: ctx.parameters,
  });
  if (!field) throw ctx.error('UnionPartitionRouter needs a partition_field', 'partition_field');
  const nodes = node.partition_routers;
  if (!Array.isArray(nodes) || nodes.length < 2) throw ctx.error('UnionPartitionRouter needs at least two partition_routers', 'partition_routers');
  const routers = nodes.map((child, i) => {
    if ((child as Obj | null)?.type === 'GroupingPartitionRouter') {
      throw ctx.error('a GroupingPartitionRouter yields lists of values, which a UnionPartitionRouter cannot merge', `partition_routers[${i}]`);
    }
    return ctx.build<PartitionRouter>(child, `partition_routers[${i}]`);
  });
  return new UnionPartitionRouter(field, routers, ctx.services.logger, ctx.path);
}

registerComponent('UnionPartitionRouter', buildUnionPartitionRouter, 'The partitions of several routers, each partition value once.');
