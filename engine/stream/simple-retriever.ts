/**
 * SimpleRetriever: for one slice, request page after page (paginator tokens), select records from
 * each response and yield them as the page arrives. The async generator gives backpressure: the
 * next page is only requested once the consumer has taken this page's records.
 */
import {
  NO_PAGES,
  type Decoder,
  type PartitionRouter,
  type Paginator,
  type ReadPageEvent,
  type RecordSelector,
  type Requester,
  type Retriever,
  type SelectContext,
} from '../contracts.js';
import { ManifoldError } from '../errors/manifold-error.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, NextPageToken, Obj, RequestOptions, RequestOptionsProvider, StreamSlice } from '../types.js';

export interface SimpleRetrieverOptions {
  requester: Requester;
  recordSelector: RecordSelector;
  paginator: Paginator;
  decoder?: Decoder | undefined;
  partitionRouter?: PartitionRouter | undefined;
  ignoreSlicerParamsOnPaginatedRequests?: boolean;
}

export class SimpleRetriever implements Retriever {
  readonly partitionRouter: PartitionRouter | undefined;
  private readonly requester: Requester;
  private readonly selector: RecordSelector;
  private readonly paginator: Paginator;
  private readonly decoder: Decoder | undefined;
  private readonly ignoreSlicerParams: boolean;

  constructor(options: SimpleRetrieverOptions) {
    this.requester = options.requester;
    this.selector = options.recordSelector;
    this.paginator = options.paginator;
    this.decoder = options.decoder;
    this.partitionRouter = options.partitionRouter;
    this.ignoreSlicerParams = options.ignoreSlicerParamsOnPaginatedRequests ?? false;
  }

  async *readSlice(args: {
    stream: string;
    slice: StreamSlice;
    extra: RequestOptionsProvider[];
    schema?: Obj | undefined;
    signal?: AbortSignal | undefined;
    onPage?: ((e: ReadPageEvent) => void) | undefined;
  }): AsyncIterable<DataRecord> {
    const { stream, slice, signal } = args;
    let token = await this.paginator.initialToken({ stream, slice, signal });
    if (token === NO_PAGES) return;
    let previousPage: string | undefined;
    for (let page = 1; ; page++) {
      const extra: Array<Partial<RequestOptions>> = [this.paginator.requestOptions(slice, token)];
      if (!(token && this.ignoreSlicerParams)) {
        for (const provider of args.extra) extra.push(provider.requestOptions(slice, token));
      }
      const response = await this.requester.send({
        stream,
        slice,
        nextPageToken: token,
        extra,
        pathOverride: this.paginator.pathOverride(token),
        signal,
      });
      // The error handler said IGNORE: this slice has nothing more to give.
      if (!response) return;

      const stats = { extracted: 0 };
      const ctx: SelectContext = { slice, nextPageToken: token, response, decoder: this.decoder, schema: args.schema, stats };
      const records = this.selector.selectAsync ? await this.selector.selectAsync(response, ctx) : this.selector.select(response, ctx);
      let count = 0;
      let first: DataRecord | undefined;
      let last: DataRecord | undefined;
      for (const record of records) {
        if (count === 0) first = record;
        last = record;
        count++;
        yield record;
      }
      args.onPage?.({ slice, records: count, response });

      // An API that ignores the page parameter would otherwise be read forever.
      if (count > 0) {
        const fingerprint = `${count}\u0000${JSON.stringify(first)}\u0000${JSON.stringify(last)}`;
        if (fingerprint === previousPage) {
          throw new ManifoldError(
            `Pagination loop in stream "${stream}": page ${page} returned the same ${count} record(s) as page ${page - 1}; the API seems to ignore the page token ${describe(token)}`,
            { stream, failureType: 'system_error' },
          );
        }
        previousPage = fingerprint;
      }

      // Page fullness counts records before filtering (Airbyte counts them with the extractor).
      const next = this.paginator.nextToken(response, stats.extracted, last, token);
      if (next === undefined) return;
      if (token !== undefined && describe(next) === describe(token)) {
        throw new ManifoldError(
          `Pagination loop in stream "${stream}": the paginator returned the same token ${describe(next)} twice (page ${page})`,
          { stream, failureType: 'system_error' },
        );
      }
      token = next;
    }
  }
}

function describe(token: NextPageToken): string {
  return token === undefined ? 'none' : JSON.stringify(token.next_page_token ?? token);
}

export function buildSimpleRetriever(node: ManifestNode, ctx: BuildContext): SimpleRetriever {
  if (!node.requester) throw ctx.error('SimpleRetriever needs a requester', 'requester');
  if (!node.record_selector) throw ctx.error('SimpleRetriever needs a record_selector', 'record_selector');
  // The stream's transformations run inside the selector (Airbyte's factory wires them the same way).
  const selectorNode =
    Array.isArray(node.transformations) && node.transformations.length > 0
      ? { ...(node.record_selector as Obj), transformations: [...((node.record_selector as Obj).transformations as unknown[] ?? []), ...node.transformations] }
      : node.record_selector;
  return new SimpleRetriever({
    requester: ctx.build<Requester>(node.requester, 'requester', 'HttpRequester'),
    recordSelector: ctx.build<RecordSelector>(selectorNode, 'record_selector', 'RecordSelector'),
    paginator: ctx.buildOptional<Paginator>(node.paginator, 'paginator', 'DefaultPaginator') ?? ctx.build<Paginator>({ type: 'NoPagination' }, 'paginator'),
    decoder: ctx.buildOptional<Decoder>(node.decoder, 'decoder', 'JsonDecoder'),
    partitionRouter: ctx.buildOptional<PartitionRouter>(node.partition_router, 'partition_router'),
    ignoreSlicerParamsOnPaginatedRequests: node.ignore_stream_slicer_parameters_on_paginated_requests === true,
  });
}

registerComponent('SimpleRetriever', buildSimpleRetriever, 'Requests pages of a slice and selects their records.');
