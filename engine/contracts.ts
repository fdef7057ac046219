/**
 * The contracts between components, in data-path order:
 *   partitions/slices → requests → responses → records → messages.
 * Concrete components live one per file in the concept folders and implement these; they depend
 * on these interfaces, never on each other's classes.
 */
import type { HttpRequest } from './services.js';
import type { DataRecord, HttpResponse, NextPageToken, Obj, RequestOptions, RequestOptionsProvider, StreamSlice } from './types.js';

// ── auth ────────────────────────────────────────────────────────────────────────────────────────

export interface Authenticator {
  /** Request parts that authenticate a request (header, query param or body field). May fetch a token. */
  authOptions(signal?: AbortSignal): Promise<Partial<RequestOptions>>;
  /** Called after a 401 so token-based authenticators can drop a cached token; true = worth retrying. */
  invalidate?(): boolean;
}

// ── http ────────────────────────────────────────────────────────────────────────────────────────

export interface SendArgs {
  stream: string;
  slice: StreamSlice;
  nextPageToken: NextPageToken;
  /** Contributions from paginator, cursor and partition router, merged over the requester's own. */
  extra: Array<Partial<RequestOptions>>;
  /** Full URL or path that replaces the requester's (RequestPath pagination). */
  pathOverride?: string | undefined;
  signal?: AbortSignal | undefined;
  /**
   * false (destination POST writes): once the request may have reached the server (timeout, reset
   * after send, 5xx) it must NOT be retried, or the write could happen twice. 429 and connection
   * refused stay retryable. Undefined = idempotent (every read).
   */
  idempotent?: boolean | undefined;
  /**
   * Decodes the body the way the caller will, throwing InvalidBodyError when it cannot (see
   * Decoder.check). Run inside the retry loop: a truncated or garbled body of a GET (or a request
   * marked idempotent) is fetched again under the error handler's budget instead of failing.
   */
  checkBody?: ((response: HttpResponse) => void) | undefined;
  /** HTTP method replacing the requester's own (destination operations share one requester). */
  methodOverride?: string | undefined;
  /**
   * prepare() only: leave authentication out (a dry run must not fetch tokens or need the
   * network); the request is marked with a placeholder header instead.
   */
  withoutAuth?: boolean | undefined;
  /** The response mints credentials (a session login): its body is masked whole in every output. */
  credentialResponse?: boolean | undefined;
  /**
   * The origin credentials belong to when the requester's own url_base/url is built from response
   * data (AsyncRetriever's download URLs: the job creation request's origin).
   */
  trustedOrigin?: string | undefined;
}

export interface Requester {
  /**
   * Builds, sends (budget, auth, retries per the error handler) and returns the response.
   * Returns undefined when the error handler says IGNORE. Throws ManifoldError on FAIL.
   */
  send(args: SendArgs): Promise<HttpResponse | undefined>;
  /** Builds the request without sending it (dry-run, --show-http). */
  prepare(args: SendArgs): Promise<HttpRequest>;
  /**
   * The origin this requester's credentials belong to for these args: its url_base (or url)
   * rendered without any response-derived value. Undefined when that is not an absolute URL.
   */
  credentialOrigin?(args: SendArgs): string | undefined;
  /**
   * The requester's QueryProperties, if any. The retriever reads the slice once per chunk, with the
   * chunk in the request slice's `extra_fields.query_properties` (where the requester takes it from).
   */
  readonly queryProperties?: QueryPropertyChunks | undefined;
}

/** QueryProperties: which properties to request, in how many requests, and how to merge their records. */
export interface QueryPropertyChunks {
  /** Property names per request set; each chunk is paginated through on its own. */
  chunks(args: { stream: string; slice: StreamSlice; signal?: AbortSignal | undefined }): Promise<string[][]>;
  /** Groups the records of different chunks (undefined: the record cannot be merged and is emitted as is). */
  mergeKey(record: DataRecord): string | undefined;
}

// ── responses → records ─────────────────────────────────────────────────────────────────────────

export interface Decoder {
  /** Decoded documents of one response: one for JSON, one per line for JSONL, rows for CSV. */
  decode(response: HttpResponse): Iterable<unknown>;
  /**
   * Throws InvalidBodyError if decode() would fail on this body; decode() then reuses the work
   * (the request loop calls it so a cut body is retried before any of its records is emitted).
   */
  check?(response: HttpResponse): void;
}

export interface RecordContext {
  slice: StreamSlice;
  nextPageToken: NextPageToken;
  response?: HttpResponse | undefined;
  /** The retriever's decoder; extractors fall back to JSON when absent. */
  decoder?: Decoder | undefined;
}

/**
 * Components whose engine is asynchronous (JSONata's evaluate() returns a Promise) implement the
 * optional `*Async` method; callers that can await prefer it. Their sync method throws.
 */
export interface RecordExtractor {
  extract(response: HttpResponse, ctx: RecordContext): Iterable<DataRecord>;
  extractAsync?(response: HttpResponse, ctx: RecordContext): Promise<Iterable<DataRecord>>;
}

export interface RecordFilter {
  matches(record: DataRecord, ctx: RecordContext): boolean;
  matchesAsync?(record: DataRecord, ctx: RecordContext): Promise<boolean>;
}

export interface RecordTransformation {
  /** Mutates the record in place (records are owned by the pipeline until emitted). */
  transform(record: DataRecord, ctx: RecordContext): void;
  transformAsync?(record: DataRecord, ctx: RecordContext): Promise<void>;
}

export interface SelectContext extends RecordContext {
  schema?: Obj | undefined;
  /** Filled by the selector: records extracted before filtering (page fullness for pagination). */
  stats?: { extracted: number } | undefined;
}

export interface RecordSelector {
  /** Extract → filter → transform → normalize the records of one response. */
  select(response: HttpResponse, ctx: SelectContext): Iterable<DataRecord>;
  /** Same, for pipelines holding asynchronous components (JSONata). */
  selectAsync?(response: HttpResponse, ctx: SelectContext): Promise<Iterable<DataRecord>>;
}

// ── pagination ──────────────────────────────────────────────────────────────────────────────────

export interface PaginationStrategy {
  /** Value for the first request when it should carry a token (e.g. `page=1` with inject_on_first_request). */
  initialToken(): unknown;
  /** Next token value, or undefined to stop. */
  nextPageToken(response: HttpResponse, lastPageSize: number, lastRecord: DataRecord | undefined, lastToken: unknown): unknown;
  pageSize(): number | undefined;
}

/** Returned by Paginator.initialToken when the slice has nothing to read (two-step cursor got no cursor). */
export const NO_PAGES: NextPageToken = Object.freeze({ next_page_token: undefined, no_pages: true });

export interface Paginator extends RequestOptionsProvider {
  /** Token for the first request of a slice (or NO_PAGES); may send a request of its own (two-step cursor). */
  initialToken(args: { stream: string; slice: StreamSlice; signal?: AbortSignal | undefined }): Promise<NextPageToken>;
  /** Token for the page after `response`, or undefined when pagination is over. */
  nextToken(response: HttpResponse, lastPageSize: number, lastRecord: DataRecord | undefined, lastToken: NextPageToken): NextPageToken;
  /** Full URL/path replacing the requester's for this token (RequestPath), if any. */
  pathOverride(token: NextPageToken): string | undefined;
}

// ── retriever / slices / state ──────────────────────────────────────────────────────────────────

/** A page was read. Carries the response's URL and status, not the response: its body is released before the page's records are handed on. */
export interface ReadPageEvent {
  slice: StreamSlice;
  records: number;
  url: string;
  status: number;
}

export interface Retriever {
  /** Records of one slice, page by page, as each page arrives. */
  readSlice(args: {
    stream: string;
    slice: StreamSlice;
    extra: RequestOptionsProvider[];
    schema?: Obj | undefined;
    signal?: AbortSignal | undefined;
    onPage?: ((e: ReadPageEvent) => void) | undefined;
    /** The slice's incremental cursor, if any (PaginationReset SPLIT_USING_CURSOR restarts from it). */
    cursor?: IncrementalCursor | undefined;
    /** Test reads: request at most this many pages of the slice (the Connector Builder's page limit). */
    maxPages?: number | undefined;
    /**
     * Request the next page while the consumer takes this one (default true). Off for test reads
     * with a record limit, which must not send requests whose records nobody will read.
     */
    readAhead?: boolean | undefined;
    /**
     * Data feeds: true when this page's records show the rest is already synced, so no further
     * page of the slice is requested (not even ahead).
     */
    lastPageIf?: ((records: DataRecord[]) => boolean) | undefined;
  }): AsyncIterable<DataRecord>;
  /**
   * The same records as readSlice, one array per page: lets the stream and source hand whole pages
   * along (one await per page instead of per record). Optional; callers fall back to readSlice.
   */
  readPages?(args: Parameters<Retriever['readSlice']>[0]): AsyncIterable<DataRecord[]>;
}

export interface PartitionArgs {
  signal?: AbortSignal | undefined;
  /** False in record-limited test reads: the parent streams behind the partitions do not read ahead either. */
  readAhead?: boolean | undefined;
}

export interface PartitionRouter extends RequestOptionsProvider {
  /** Partitions to read; parent-stream routers read their parents here. */
  partitions(args: PartitionArgs): AsyncIterable<StreamSlice>;
  /** Parent streams' state, for incremental_dependency. */
  parentState?(): Obj | undefined;
  /** The child stream's input state: parents with incremental_dependency start from what it says about them. */
  setChildState?(state: Obj | undefined): void;
}

/** An incremental cursor (DatetimeBasedCursor, IncrementingCountCursor) for one partition. */
export interface IncrementalCursor extends RequestOptionsProvider {
  readonly cursorField: string;
  setState(state: Obj | undefined): void;
  /** Cursor slices (`cursor_slice` parts) left to read from the current state. */
  slices(): Iterable<Obj>;
  /** False for records that must not be emitted (client-side incremental, outside the slice). */
  shouldEmit(record: DataRecord, slice: StreamSlice): boolean;
  observe(record: DataRecord, slice: StreamSlice): void;
  /** The slice is fully read: the state may now move past it. */
  closeSlice(slice: StreamSlice): void;
  state(): Obj;
  /**
   * The `cursor_slice` for the rest of `slice`: from the latest cursor value observed in it to its
   * end (PaginationReset SPLIT_USING_CURSOR). Undefined when nothing was observed in it.
   */
  reduceSlice?(slice: StreamSlice): Obj | undefined;
}

/** Result of reading one stream: records interleaved with state checkpoints. */
export type StreamEvent =
  /** `slice`: the slice the record was read in (parent-stream routers build `parent_slice` from it). */
  | { kind: 'record'; data: DataRecord; slice?: StreamSlice | undefined }
  | { kind: 'state'; state: Obj }
  | { kind: 'log'; level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG'; message: string };

/** StreamEvent with a page's records in one event: what Stream.readBatches yields. */
export type StreamBatchEvent = { kind: 'records'; data: DataRecord[]; slice?: StreamSlice | undefined } | Exclude<StreamEvent, { kind: 'record' }>;

export interface ReadStreamOptions {
  syncMode: 'full_refresh' | 'incremental';
  /** This stream's state blob as found in the input state (`stream_state`). */
  state?: Obj | undefined;
  cursorField?: string[] | undefined;
  signal?: AbortSignal | undefined;
  limits?: { slices?: number; pages?: number; records?: number } | undefined;
  concurrency?: number | undefined;
  onPage?: ((e: ReadPageEvent) => void) | undefined;
  /**
   * False: fetch nothing before the consumer asks for it — no page requested ahead, no slice read
   * ahead (test reads with a record limit, and the parent reads behind their partitions).
   */
  readAhead?: boolean | undefined;
}

export interface Stream {
  readonly name: string;
  readonly primaryKey: string[][];
  /** Default cursor field (from incremental_sync), if the stream supports incremental. */
  readonly cursorField: string[] | undefined;
  readonly supportsIncremental: boolean;
  jsonSchema(): Promise<Obj>;
  read(options: ReadStreamOptions): AsyncIterable<StreamEvent>;
  /** Same events as read(), records grouped per page (the fast path the source uses when present). */
  readBatches?(options: ReadStreamOptions): AsyncIterable<StreamBatchEvent>;
}

// ── dynamic streams ─────────────────────────────────────────────────────────────────────────────

/** Where a stream definition came from (error locations of the streams built from it). */
export interface StreamDefinition {
  node: Obj;
  path: string;
  /** For a stream a `dynamic_streams` entry generated: that entry's name (`dynamic_stream_<i>` when unnamed). */
  dynamicStream?: string;
}

/** HttpComponentsResolver / ConfigComponentsResolver: stream definitions made from a template. */
export interface ComponentsResolver {
  /** One filled-in copy of `template` per component found (API item, config entry). */
  resolve(template: Obj, signal?: AbortSignal): AsyncIterable<Obj>;
}
