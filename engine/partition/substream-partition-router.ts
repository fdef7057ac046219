/**
 * SubstreamPartitionRouter: one partition per parent record, yielded as each parent record
 * arrives (the parent stream is never buffered). The child sees the parent's key as
 * `stream_partition[partition_field]` and the parent's own partition as `parent_slice`.
 *
 * With incremental_dependency the parent is read incrementally and its final state becomes the new
 * parent_state once the parent read completes. Where the parent starts follows the CDK: the child
 * state's `parent_state[<parent name>]`; else (a state written before the parent state was kept)
 * the child's global cursor `state`; else a legacy `{cursor: value}` child state, its one value
 * under the parent's cursor field.
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
        // As the CDK (dpath.get): a missing key makes no partition, a null value does.
        if (value === undefined) {
          parent.reportMissingKey?.(event.data);
          continue;
        }
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

  setChildState(state: Obj | undefined): void {
    this.inputParentState = {};
    this.latestParentState = {};
    if (!state) return;
    const { [NO_CURSOR_STATE_KEY]: _sentinel, ...childState } = state;
    if (Object.keys(childState).length === 0) return;
    for (const parent of this.parents) {
      if (!parent.incrementalDependency) continue;
      const start = parentStartFromChildState(childState, parent.stream.name, parent.stream.cursorField?.[0]);
      if (start) this.inputParentState[parent.stream.name] = start;
    }
  }
}

/** A full-refresh stream's checkpoint; it says nothing about where a parent stands. */
const NO_CURSOR_STATE_KEY = '__ab_no_cursor_state_message';

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function parentStartFromChildState(childState: Obj, parentName: string, parentCursorField: string | undefined): Obj | undefined {
  const parentStates = childState.parent_state;
  if (isObj(parentStates) && Object.hasOwn(parentStates, parentName)) {
    const own = parentStates[parentName];
    return isObj(own) ? own : undefined;
  }
  if ('state' in childState) return isObj(childState.state) ? childState.state : undefined;
  const values = Object.values(childState);
  // The CDK takes any single value; a list or object there is no cursor value, so it is not used.
  if (values.length === 1 && parentCursorField && (typeof values[0] === 'string' || typeof values[0] === 'number')) {
    return { [parentCursorField]: values[0] };
  }
  return undefined;
}

export function buildSubstreamPartitionRouter(node: ManifestNode, ctx: BuildContext): SubstreamPartitionRouter {
  const configs = node.parent_stream_configs;
  if (!Array.isArray(configs) || configs.length === 0) throw ctx.error('SubstreamPartitionRouter needs parent_stream_configs', 'parent_stream_configs');
  return new SubstreamPartitionRouter(configs.map((c, i) => ctx.build<ParentStreamConfig>(c, `parent_stream_configs[${i}]`, 'ParentStreamConfig')));
}

registerComponent('SubstreamPartitionRouter', buildSubstreamPartitionRouter, 'One partition per record of a parent stream.');
