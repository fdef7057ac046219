/**
 * Runtime shapes shared along the data path: slices → requests → responses → records.
 * Kept deliberately small: components talk to each other only through these.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = Record<string, unknown>;
/** A record as it flows through selectors and transformations (mutable until emitted). */
export type DataRecord = Record<string, unknown>;

/**
 * A stream slice, as Airbyte's StreamSlice: partition (from routers) + cursor_slice (from the
 * incremental cursor) + extra_fields (from parent streams). Templates see the merged view built by
 * `sliceView()`, which also exposes `.partition`, `.cursor_slice` and `.extra_fields`.
 */
export interface StreamSlice {
  partition: Obj;
  cursor_slice: Obj;
  extra_fields?: Obj;
}

export const EMPTY_SLICE: StreamSlice = Object.freeze({ partition: {}, cursor_slice: {} }) as StreamSlice;

export function makeSlice(partition: Obj = {}, cursor_slice: Obj = {}, extra_fields?: Obj): StreamSlice {
  return extra_fields ? { partition, cursor_slice, extra_fields } : { partition, cursor_slice };
}

const viewCache = new WeakMap<StreamSlice, Obj>();
/** The mapping templates see as `stream_slice` / `stream_partition` / `stream_interval`. */
export function sliceView(slice: StreamSlice | undefined): Obj {
  if (!slice) return {};
  let view = viewCache.get(slice);
  if (!view) {
    view = { ...slice.partition, ...slice.cursor_slice };
    Object.defineProperties(view, {
      partition: { value: slice.partition, enumerable: false },
      cursor_slice: { value: slice.cursor_slice, enumerable: false },
      extra_fields: { value: slice.extra_fields ?? {}, enumerable: false },
    });
    viewCache.set(slice, view);
  }
  return view;
}

/** What the paginator hands to the next request: Airbyte's `{"next_page_token": value}` mapping. */
export type NextPageToken = Obj | undefined;

/** Request parts contributed by requester, auth, paginator, cursor and routers; merged in that order. */
export interface RequestOptions {
  params: Obj;
  headers: Record<string, string>;
  /** JSON body fields (merged); mutually exclusive with bodyData. */
  bodyJson?: Obj | unknown[] | undefined;
  /** Form fields (object) or a raw string body. */
  bodyData?: Obj | string | undefined;
}

/** Anything that adds query params / headers / body fields to a request for a slice and page. */
export interface RequestOptionsProvider {
  requestOptions(slice: StreamSlice, nextPageToken: NextPageToken): Partial<RequestOptions>;
}

/** A completed HTTP exchange, as components see it (body already fully read). */
export interface HttpResponse {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Raw body bytes. */
  body: Buffer;
  /** Body as UTF-8 text (lazily decoded, cached). */
  text(): string;
  /** Body parsed as JSON (lazily, cached); throws a ManifoldError with a body excerpt on bad JSON. */
  json(): unknown;
  /** Parsed `Link` header: { next: { url, rel }, ... } like python-requests' `response.links`. */
  links(): Record<string, Record<string, string>>;
}

export interface HttpEvent {
  stream?: string | undefined;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string | undefined;
  status?: number | undefined;
  responseHeaders?: Record<string, string | string[] | undefined>;
  responseBody?: Buffer | undefined;
  attempt: number;
  durationMs?: number;
  error?: string | undefined;
  /** Wait before the retry that follows, if any (an event of its own, fired before the wait). */
  retryInMs?: number | undefined;
  /** Where a redirect response points (the next hop follows as an event of its own). */
  redirectTo?: string | undefined;
  /** Time this request waited for the api_budget before it was sent. */
  rateLimitWaitMs?: number | undefined;
}
