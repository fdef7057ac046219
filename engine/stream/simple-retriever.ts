/**
 * SimpleRetriever: for one slice, request page after page (paginator tokens), select records from
 * each response and yield them as the page arrives. The async generator gives backpressure: the
 * next page is only requested once the consumer has taken this page's records. readPages hands each
 * page over as one array (readSlice flattens it) so callers pay one await per page, not per record.
 * A RESET_PAGINATION answer or pagination_reset's record limit restarts the slice's pagination
 * (see pagination/pagination-reset.ts).
 */
import {
  NO_PAGES,
  type Decoder,
  type PartitionRouter,
  type Paginator,
  type QueryPropertyChunks,
  type RecordSelector,
  type Requester,
  type Retriever,
  type SelectContext,
} from '../contracts.js';
import { ManifoldError } from '../errors/manifold-error.js';
import { isPaginationResetRequired } from '../errors/pagination-reset-required.js';
import { DEFAULT_PAGINATION_RESET, type PaginationReset } from '../pagination/pagination-reset.js';
import type { Logger } from '../services.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { DEFAULT_MODEL_TYPES } from '../manifest/component-transformer.js';
import { makeSlice, type DataRecord, type HttpResponse, type NextPageToken, type Obj, type RequestOptions, type StreamSlice } from '../types.js';
import { assignOwn } from '../extract/dpath.js';
import { jsonDecoder } from '../extract/decoders/json-decoder.js';

export interface SimpleRetrieverOptions {
  requester: Requester;
  recordSelector: RecordSelector;
  paginator: Paginator;
  decoder?: Decoder | undefined;
  partitionRouter?: PartitionRouter | undefined;
  ignoreSlicerParamsOnPaginatedRequests?: boolean;
  paginationReset?: PaginationReset | undefined;
  logger?: Logger | undefined;
}

export class SimpleRetriever implements Retriever {
  readonly partitionRouter: PartitionRouter | undefined;
  private readonly requester: Requester;
  private readonly selector: RecordSelector;
  private readonly paginator: Paginator;
  private readonly decoder: Decoder | undefined;
  private readonly ignoreSlicerParams: boolean;
  private readonly paginationReset: PaginationReset;
  private readonly logger: Logger | undefined;
  private readonly checkBody: ((response: HttpResponse) => void) | undefined;

  constructor(options: SimpleRetrieverOptions) {
    this.requester = options.requester;
    this.selector = options.recordSelector;
    this.paginator = options.paginator;
    this.decoder = options.decoder;
    this.partitionRouter = options.partitionRouter;
    this.ignoreSlicerParams = options.ignoreSlicerParamsOnPaginatedRequests ?? false;
    this.paginationReset = options.paginationReset ?? DEFAULT_PAGINATION_RESET;
    this.logger = options.logger;
    // Extractors decode with JSON when the retriever names no decoder.
    const decoder = this.decoder ?? jsonDecoder;
    this.checkBody = decoder.check ? (response) => decoder.check!(response) : undefined;
  }

  async *readSlice(args: ReadSliceArgs): AsyncIterable<DataRecord> {
    for await (const page of this.readPages(args)) yield* page;
  }

  async *readPages(args: ReadSliceArgs): AsyncIterable<DataRecord[]> {
    const queryProperties = this.requester.queryProperties;
    if (queryProperties) yield* this.readPropertyChunks(args, queryProperties);
    else yield* this.readSlicePages(args);
  }

  /**
   * QueryProperties: the slice is read once per property chunk (the requester takes the chunk from
   * `extra_fields.query_properties`). With several chunks, records sharing a merge key are parts of
   * one record: they are merged and emitted after the last chunk (Airbyte does the same); records
   * without a key are emitted as they come.
   */
  private async *readPropertyChunks(args: ReadSliceArgs, queryProperties: QueryPropertyChunks): AsyncIterable<DataRecord[]> {
    const chunks = await queryProperties.chunks({ stream: args.stream, slice: args.slice, signal: args.signal });
    const merging = chunks.length > 1;
    const merged = new Map<string, DataRecord>();
    for (const chunk of chunks) {
      const slice = makeSlice(args.slice.partition, args.slice.cursor_slice, { ...args.slice.extra_fields, query_properties: chunk });
      for await (const page of this.readSlicePages({ ...args, slice })) {
        if (!merging) {
          yield page;
          continue;
        }
        const unmergeable: DataRecord[] = [];
        for (const record of page) {
          const key = queryProperties.mergeKey(record);
          if (key === undefined) unmergeable.push(record);
          else {
            const into = merged.get(key);
            if (into) deepMerge(into, record);
            else merged.set(key, record);
          }
        }
        if (unmergeable.length) yield unmergeable;
      }
    }
    if (merged.size) yield [...merged.values()];
  }

  private async *readSlicePages(args: ReadSliceArgs): AsyncIterable<DataRecord[]> {
    const { stream } = args;
    // Requests use the tracker's slice (narrowed by a pagination reset); records keep the caller's.
    const tracker = this.paginationReset.tracker(args.slice, args.cursor);
    let slice = args.slice;
    let token = await this.paginator.initialToken({ stream, slice, signal: args.signal });
    if (token === NO_PAGES) return;
    // The next page is requested before this one is handed over (its token is known once the page
    // is selected), so the API prepares it while the consumer writes records. A consumer that stops
    // early aborts that request.
    const readAhead = new AbortController();
    const signal = readAhead.signal;
    // Listener rather than AbortSignal.any: a read may go through thousands of slices, and each
    // listener is removed when its slice ends.
    const forwardAbort = (): void => readAhead.abort(args.signal?.reason);
    if (args.signal?.aborted) forwardAbort();
    else args.signal?.addEventListener('abort', forwardAbort, { once: true });
    let ahead: Promise<PageResponse> | undefined;
    const guard = new PageLoopGuard(stream);
    try {
      for (let page = 1; ; page++) {
        let response: PageResponse = await (ahead ?? this.requestPage(args, slice, token, signal));
        ahead = undefined;
        // The error handler said IGNORE: this slice has nothing more to give.
        if (!response) return;

        if (response !== RESET) {
          const { records: pageRecords, extracted, failure } = await this.selectPage(response, args, token, tracker);
          // Records selected before a failure are still delivered, as when they streamed one by one.
          if (failure) {
            if (pageRecords.length) yield pageRecords;
            throw failure.error;
          }
          const count = pageRecords.length;
          // A test read's page limit: the next page is not even requested.
          const lastPage = args.maxPages !== undefined && page >= args.maxPages;
          let next: NextPageToken | undefined;
          let loop: ManifoldError | undefined;
          if (!lastPage && !tracker.hasReachedLimit()) {
            try {
              guard.observePage(page, pageRecords, extracted, token);
              // Page fullness counts records before filtering (Airbyte counts them with the extractor).
              const answer = this.paginator.nextToken(response, extracted, pageRecords[count - 1], token);
              if (answer !== undefined) guard.checkNextToken(page, token, answer);
              next = answer;
            } catch (e) {
              // Loop guards fail the slice only after this page's records are delivered.
              loop = e as ManifoldError;
            }
            if (next !== undefined && args.lastPageIf?.(pageRecords)) next = undefined;
            if (next !== undefined && args.readAhead !== false) {
              ahead = this.requestPage(args, slice, next, signal);
              // Its failure surfaces when the page is awaited, after this page went out.
              ahead.catch(() => undefined);
            }
          }
          // The body is not needed past this point: it should not live on while the consumer writes the records.
          const pageRead = { slice: args.slice, records: count, url: response.url, status: response.status };
          response = undefined;
          // Counted before its records go out: a consumer that stops on them (a record limit) still counts the page.
          args.onPage?.(pageRead);
          if (count) yield pageRecords;
          if (lastPage) return;
          if (loop) throw loop;
          if (next !== undefined) {
            token = next;
            continue;
          }
          if (!tracker.hasReachedLimit()) return;
        }
        // Pagination starts over, on a narrower slice when the cursor allows it.
        const before = slice.cursor_slice;
        slice = tracker.restart(stream);
        this.logger?.info(`Stream "${stream}": pagination reset; slice ${JSON.stringify(before)} continues as ${JSON.stringify(slice.cursor_slice)}`);
        guard.restart();
        token = await this.paginator.initialToken({ stream, slice, signal: args.signal });
        if (token === NO_PAGES) return;
      }
    } finally {
      args.signal?.removeEventListener('abort', forwardAbort);
      if (ahead) readAhead.abort(new ManifoldError(`Stream "${stream}": read stopped`));
    }
  }

  /** The page's records, selected in full before the page is handed on (its token may depend on the last one). */
  private async selectPage(
    response: HttpResponse,
    args: ReadSliceArgs,
    token: NextPageToken,
    tracker: { observe(): void },
  ): Promise<{ records: DataRecord[]; extracted: number; failure?: { error: unknown } }> {
    const stats = { extracted: 0 };
    const ctx: SelectContext = { slice: args.slice, nextPageToken: token, response, decoder: this.decoder, schema: args.schema, stats };
    const selected = this.selector.selectAsync ? await this.selector.selectAsync(response, ctx) : this.selector.select(response, ctx);
    const records: DataRecord[] = [];
    try {
      for (const record of selected) {
        records.push(record);
        tracker.observe();
      }
    } catch (error) {
      return { records, extracted: stats.extracted, failure: { error } };
    }
    return { records, extracted: stats.extracted };
  }

  private async requestPage(args: ReadSliceArgs, slice: StreamSlice, token: NextPageToken, signal: AbortSignal): Promise<PageResponse> {
    const extra: Array<Partial<RequestOptions>> = [this.paginator.requestOptions(slice, token)];
    if (!(token && this.ignoreSlicerParams)) {
      for (const provider of args.extra) extra.push(provider.requestOptions(slice, token));
    }
    try {
      return await this.requester.send({
        stream: args.stream,
        slice,
        nextPageToken: token,
        extra,
        pathOverride: this.paginator.pathOverride(token),
        signal,
        checkBody: this.checkBody,
      });
    } catch (e) {
      if (!isPaginationResetRequired(e)) throw e;
      return RESET;
    }
  }
}

type ReadSliceArgs = Parameters<Retriever['readSlice']>[0];

function deepMerge(target: Obj, source: Obj): void {
  for (const [key, value] of Object.entries(source)) {
    // Own properties only: a record key named __proto__ must not lead the merge into Object.prototype.
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (isPlainObject(value) && isPlainObject(existing)) deepMerge(existing, value);
    else assignOwn(target, key, value);
  }
}

function isPlainObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Some APIs legitimately return a few empty pages mid-scan; this many in a row is a loop. */
const MAX_EMPTY_PAGES_IN_A_ROW = 100;

/**
 * The page loop's guards against pagination that never ends: a page repeating the previous one
 * (the API ignores the token), the paginator answering the same token twice, and new tokens with
 * nothing behind them page after page. Each throws a system_error naming the stream; the loop
 * delivers the page's records first.
 */
class PageLoopGuard {
  private previousPage: string | undefined;
  private emptyPagesInARow = 0;

  constructor(private readonly stream: string) {}

  /** A pagination reset starts over: a page equal to the last one before it is no loop. */
  restart(): void {
    this.previousPage = undefined;
  }

  /** Before asking for the next token: the page just read, `extracted` records before filtering. */
  observePage(page: number, records: DataRecord[], extracted: number, token: NextPageToken): void {
    const count = records.length;
    const fingerprint = count > 0 ? `${count}\u0000${JSON.stringify(records[0])}\u0000${JSON.stringify(records[count - 1])}` : undefined;
    const repeatsPreviousPage = fingerprint !== undefined && fingerprint === this.previousPage;
    if (fingerprint !== undefined) this.previousPage = fingerprint;
    this.emptyPagesInARow = extracted === 0 ? this.emptyPagesInARow + 1 : 0;
    if (repeatsPreviousPage) {
      throw new ManifoldError(
        `Pagination loop in stream "${this.stream}": page ${page} returned the same ${count} record(s) as page ${page - 1}; the API seems to ignore the page token ${describe(token)}`,
        { stream: this.stream, failureType: 'system_error' },
      );
    }
  }

  /** The paginator's answer `next` (defined) to the page read with `token`. */
  checkNextToken(page: number, token: NextPageToken, next: NextPageToken): void {
    if (token !== undefined && describe(next) === describe(token)) {
      throw new ManifoldError(`Pagination loop in stream "${this.stream}": the paginator returned the same token ${describe(next)} twice (page ${page})`, {
        stream: this.stream,
        failureType: 'system_error',
      });
    }
    // New tokens with nothing behind them, page after page: an API that never says "done".
    if (this.emptyPagesInARow >= MAX_EMPTY_PAGES_IN_A_ROW) {
      throw new ManifoldError(
        `Pagination loop in stream "${this.stream}": ${this.emptyPagesInARow} empty pages in a row, each with a new next-page token (last ${describe(next)}); the stop condition never holds`,
        { stream: this.stream, failureType: 'system_error' },
      );
    }
  }
}

/** Stands for "the response asked for a pagination reset" in the page loop. */
const RESET = Symbol('pagination reset');

type PageResponse = HttpResponse | undefined | typeof RESET;

function describe(token: NextPageToken): string {
  return token === undefined ? 'none' : JSON.stringify(token.next_page_token ?? token);
}

export function buildSimpleRetriever(node: ManifestNode, ctx: BuildContext): SimpleRetriever {
  if (!node.requester) throw ctx.error('SimpleRetriever needs a requester', 'requester');
  if (!node.record_selector) throw ctx.error('SimpleRetriever needs a record_selector', 'record_selector');
  // The stream's transformations run inside the selector (Airbyte's factory wires them the same way).
  const selectorNode =
    Array.isArray(node.transformations) && node.transformations.length > 0
      ? {
          ...(node.record_selector as Obj),
          transformations: [...(((node.record_selector as Obj).transformations as unknown[]) ?? []), ...node.transformations],
        }
      : node.record_selector;
  return new SimpleRetriever({
    requester: ctx.build<Requester>(node.requester, 'requester', 'HttpRequester'),
    recordSelector: ctx.build<RecordSelector>(selectorNode, 'record_selector', 'RecordSelector'),
    paginator:
      ctx.buildOptional<Paginator>(node.paginator, 'paginator', DEFAULT_MODEL_TYPES['SimpleRetriever.paginator']) ??
      ctx.build<Paginator>({ type: 'NoPagination' }, 'paginator'),
    decoder: ctx.buildOptional<Decoder>(node.decoder, 'decoder', 'JsonDecoder'),
    partitionRouter: ctx.buildOptional<PartitionRouter>(node.partition_router, 'partition_router'),
    ignoreSlicerParamsOnPaginatedRequests: node.ignore_stream_slicer_parameters_on_paginated_requests === true,
    paginationReset: ctx.buildOptional<PaginationReset>(node.pagination_reset, 'pagination_reset', 'PaginationReset'),
    logger: ctx.services.logger,
  });
}

registerComponent('SimpleRetriever', buildSimpleRetriever, 'Requests pages of a slice and selects their records.');
