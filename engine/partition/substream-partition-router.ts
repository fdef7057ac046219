/**
 * SubstreamPartitionRouter: one partition per parent record, yielded as each parent record
 * arrives (the parent stream is never buffered). The child sees the parent's key as
 * `stream_partition[partition_field]` and the parent's own partition as `parent_slice`.
 *
 * With incremental_dependency the parent is read incrementally from `parent_state[<parent name>]`,
 * and its final state becomes the new parent_state once the parent read completes.
 */
import type { PartitionRouter, PartitionArgs } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { NextPageToken, Obj, RequestOptions, StreamSlice } from '../types.js';
import { makeSlice } from '../types.js';
import { valueAtKeys, valueAtPath, type ParentStreamConfig } from './parent-stream-config.js';

export class SubstreamPartitionRouter implements PartitionRouter {
  private inputParentState: Obj = {};
  private latestParentState: Obj = {};

  constructor(readonly parents: readonly ParentStreamConfig[]) {}

  async *partitions(args: PartitionArgs): AsyncIterable<StreamSlice> {
    for (const parent of this.parents) {
      const name = parent.stream.name;
      const incremental = parent.incrementalDependency && parent.stream.supportsIncremental;
      const events = parent.stream.read({
        syncMode: incremental ? 'incremental' : 'full_refresh',
        state: incremental ? (this.inputParentState[name] as Obj | undefined) : undefined,
        signal: args.signal,
        readAhead: args.readAhead,
      });
      for await (const event of events) {
        if (event.kind === 'state') {
          if (incremental) this.latestParentState = { ...this.latestParentState, [name]: event.state };
          continue;
        }
        if (event.kind !== 'record') continue;
        const value = valueAtPath(event.data, parent.parentKey);
        if (value === undefined || value === null) continue;
        const partition = { [parent.partitionField]: value, parent_slice: event.slice?.partition ?? {} };
        let extra: Obj | undefined;
        for (const path of parent.extraFields) (extra ??= {})[path.join('.')] = valueAtKeys(event.data, path);
        yield makeSlice(partition, {}, extra);
      }
    }
  }

  requestOptions(slice: StreamSlice, _token: NextPageToken): Partial<RequestOptions> {
    const out: Partial<RequestOptions> = {};
    for (const parent of this.parents) parent.requestOption?.inject(out, slice.partition[parent.partitionField]);
    return out;
  }

  parentState(): Obj | undefined {
    return this.parents.some((p) => p.incrementalDependency) ? { ...this.inputParentState, ...this.latestParentState } : undefined;
  }

  setParentState(state: Obj | undefined): void {
    this.inputParentState = state ?? {};
    this.latestParentState = {};
  }
}

export function buildSubstreamPartitionRouter(node: ManifestNode, ctx: BuildContext): SubstreamPartitionRouter {
  const configs = node.parent_stream_configs;
  if (!Array.isArray(configs) || configs.length === 0) throw ctx.error('SubstreamPartitionRouter needs parent_stream_configs', 'parent_stream_configs');
  return new SubstreamPartitionRouter(configs.map((c, i) => ctx.build<ParentStreamConfig>(c, `parent_stream_configs[${i}]`, 'ParentStreamConfig')));
}

registerComponent('SubstreamPartitionRouter', buildSubstreamPartitionRouter, 'One partition per record of a parent stream.');
