/**
 * A Retriever over an in-memory "API": records come back filtered by the request parameters the
 * stream's cursor and routers inject (start/end window, partition id), paginated, with optional
 * delays so concurrent reads finish out of order.
 */
import type { PartitionRouter, ReadPageEvent, Retriever } from '../../engine/contracts.js';
import { mergeRequestOptions } from '../../engine/partition/merge-options.js';
import { registerComponent } from '../../engine/registry.js';
import type { DataRecord, Obj, RequestOptions, RequestOptionsProvider, StreamSlice } from '../../engine/types.js';

export interface SentRequest {
  slice: StreamSlice;
  params: Obj;
}

export class FakeRetriever implements Retriever {
  partitionRouter: PartitionRouter | PartitionRouter[] | undefined;
  readonly requests: SentRequest[] = [];
  readonly transformations: unknown[] = [];

  constructor(
    /** The API: records for one request's params (already filtered), in response order. */
    private readonly api: (params: Obj, slice: StreamSlice) => DataRecord[],
    private readonly pageSize = 2,
    private readonly delayMs: (slice: StreamSlice) => number = () => 0,
  ) {}

  addTransformations(ts: unknown[]): void {
    this.transformations.push(...ts);
  }

  async *readSlice(args: {
    stream: string;
    slice: StreamSlice;
    extra: RequestOptionsProvider[];
    onPage?: ((e: ReadPageEvent) => void) | undefined;
    maxPages?: number | undefined;
  }): AsyncIterable<DataRecord> {
    const options: Partial<RequestOptions> = mergeRequestOptions(args.extra.map((p) => p.requestOptions(args.slice, undefined)));
    const params = options.params ?? {};
    this.requests.push({ slice: args.slice, params });
    const delay = this.delayMs(args.slice);
    if (delay) await new Promise((r) => setTimeout(r, delay));
    const all = this.api(params, args.slice);
    for (let i = 0, pages = 0; i === 0 || i < all.length; i += this.pageSize) {
      if (args.maxPages !== undefined && pages++ >= args.maxPages) break;
      const page = all.slice(i, i + this.pageSize);
      args.onPage?.({ slice: args.slice, records: page.length, url: '', status: 200 });
      for (const r of page) yield { ...r };
      if (all.length === 0) break;
    }
  }
}

/** Lets manifests in tests say `retriever: {type: FakeRetriever, key: 'x'}`. */
export const fakeRetrievers = new Map<string, FakeRetriever>();
registerComponent('FakeRetriever', (node, ctx) => {
  const r = fakeRetrievers.get(String(node.key));
  if (!r) throw new Error(`no fake retriever ${String(node.key)}`);
  const routers = node.partition_router;
  if (Array.isArray(routers)) r.partitionRouter = routers.map((n, i) => ctx.build<PartitionRouter>(n, `partition_router[${i}]`));
  else if (routers) r.partitionRouter = ctx.build<PartitionRouter>(routers, 'partition_router');
  return r;
});

/** Records of `dataset` whose `field` lies within the request's [start, end] params (ISO strings compare in order). */
export function windowed(dataset: DataRecord[], field: string, startParam = 'since', endParam = 'until') {
  return (params: Obj): DataRecord[] =>
    dataset.filter((r) => {
      const v = String(r[field]);
      return (params[startParam] === undefined || v >= String(params[startParam])) && (params[endParam] === undefined || v <= String(params[endParam]));
    });
}
