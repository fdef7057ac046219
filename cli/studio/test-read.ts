/**
 * A test read of one stream, as the studio shows it: slices → pages, each page with its request and
 * response (secrets masked by the engine), the records it gave, why pagination went on or stopped,
 * retries and rate-limit waits, the state after each slice, and errors located in the manifest.
 * Everything comes from Source's public read events (onHttp, onPage, the Airbyte messages); the
 * studio reads nothing the CLI's --show-http and progress do not.
 */
import { Source, type SourceOptions } from '../../engine/source/source.js';
import { ManifestError } from '../../engine/errors/manifold-error.js';
import { locationOf } from '../../engine/manifest/locations.js';
import { SchemaInferrer } from '../../engine/schema/infer.js';
import type { SecretRegistry } from '../../engine/services.js';
import type { HttpEvent, Obj } from '../../engine/types.js';

export interface TestReadLimits {
  records: number;
  pages: number;
  slices: number;
}

export const DEFAULT_TEST_READ_LIMITS: TestReadLimits = { records: 1000, pages: 5, slices: 5 };

/** A response body longer than this is cut for the page (the records are shown whole anyway). */
const BODY_LIMIT = 256 * 1024;

export interface Exchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string | undefined;
  attempt: number;
  status?: number | undefined;
  responseHeaders?: Record<string, unknown> | undefined;
  responseBody?: string | undefined;
  responseBytes?: number | undefined;
  durationMs?: number | undefined;
  error?: string | undefined;
  retryInMs?: number | undefined;
  rateLimitWaitMs?: number | undefined;
}

export interface TimelinePage {
  /** Every attempt (retries and redirects included) and announced retry wait, in order. */
  exchanges: Exchange[];
  records: number;
  firstRecord: number;
  pagination: string;
}

export interface TimelineSlice {
  slice: Obj;
  pages: TimelinePage[];
  state?: unknown;
}

export interface LocatedError {
  message: string;
  line?: number | undefined;
  column?: number | undefined;
  path?: string | undefined;
}

export interface TestReadResult {
  stream: string;
  limits: TestReadLimits;
  slices: TimelineSlice[];
  records: Obj[];
  errors: LocatedError[];
  logs: { level: string; message: string }[];
  inferredSchema: Obj | undefined;
  declaredSchema: Obj | undefined;
  durationMs: number;
}

export async function testRead(args: {
  text: string;
  file: string;
  stream: string;
  config: Obj;
  limits: TestReadLimits;
  sourceOptions: SourceOptions;
  secrets: SecretRegistry;
}): Promise<TestReadResult> {
  const started = Date.now();
  const exchanges: Exchange[] = [];
  const slices: TimelineSlice[] = [];
  const records: Obj[] = [];
  const errors: LocatedError[] = [];
  const logs: { level: string; message: string }[] = [];
  let sliceKey: string | undefined;
  const mask = (s: string): string => args.secrets.mask(s);

  let source: Source;
  try {
    source = await Source.fromText(args.text, args.file, {
      ...args.sourceOptions,
      logLevel: 'INFO',
      onHttp: (e) => exchanges.push(exchangeOf(e, mask)),
    });
  } catch (e) {
    // A manifest that does not load reads nothing: its problems are the result, each located.
    if (!(e instanceof ManifestError)) throw e;
    const located = e.problems.map((p) => ({ message: p.message, line: p.location.line, column: p.location.column, path: p.location.path }));
    return {
      stream: args.stream,
      limits: args.limits,
      slices: [],
      records: [],
      errors: located,
      logs,
      inferredSchema: undefined,
      declaredSchema: undefined,
      durationMs: Date.now() - started,
    };
  }
  const names = source.streamNames();
  if (!names.includes(args.stream)) throw new Error(`No stream "${args.stream}" in the manifest (streams: ${names.join(', ')})`);
  // Incremental when the stream has a cursor, so the timeline shows the state after each slice.
  const incremental = Boolean(streamNode(source, args.stream)?.node.incremental_sync);
  const catalog = { streams: [{ stream: { name: args.stream }, sync_mode: incremental ? ('incremental' as const) : ('full_refresh' as const) }] };
  const pageCounts: TimelinePage[] = [];
  const onPage = (e: { records: number; slice: unknown }): void => {
    const key = JSON.stringify(e.slice ?? {});
    if (key !== sliceKey || slices.length === 0) {
      sliceKey = key;
      slices.push({ slice: JSON.parse(mask(key)) as Obj, pages: [] });
    }
    const page: TimelinePage = { exchanges: exchanges.splice(0), records: e.records, firstRecord: 0, pagination: '' };
    slices.at(-1)!.pages.push(page);
    pageCounts.push(page);
  };
  let recordLimitHit = false;
  for await (const m of source.read(args.config, catalog, undefined, { limits: args.limits, concurrency: 1, onPage })) {
    if (m.type === 'RECORD') {
      // An API that echoes a credential into a record must not show it to the page either.
      records.push(maskStrings(m.record.data, args.secrets) as Obj);
      if (records.length >= args.limits.records) recordLimitHit = true;
    } else if (m.type === 'STATE') {
      const state = (m.state as { stream?: { stream_state?: unknown } }).stream?.stream_state ?? m.state;
      if (slices.length) slices.at(-1)!.state = JSON.parse(mask(JSON.stringify(state)));
    } else if (m.type === 'TRACE' && m.trace.type === 'ERROR' && m.trace.error) {
      // The closing "streams did not sync" TRACE repeats the stream's own error.
      if (!m.trace.error.stream_descriptor && errors.length) continue;
      errors.push(locate(mask(m.trace.error.message), source, args.stream));
    } else if (m.type === 'LOG') {
      logs.push({ level: m.log.level, message: mask(m.log.message) });
    }
  }
  // Requests no page took: a failed request, or the last page cut short by the record limit.
  if (exchanges.length) {
    if (!slices.length) slices.push({ slice: {}, pages: [] });
    const page: TimelinePage = { exchanges: exchanges.splice(0), records: Number.MAX_SAFE_INTEGER, firstRecord: 0, pagination: '' };
    slices.at(-1)!.pages.push(page);
    pageCounts.push(page);
  }
  // Pages own consecutive runs of the records, in order.
  let next = 0;
  for (const page of pageCounts) {
    page.firstRecord = next;
    page.records = Math.max(0, Math.min(page.records, records.length - next));
    next += page.records;
  }
  explainPagination(slices, source, args.stream, args.limits, recordLimitHit, errors.length > 0);
  const inferrer = new SchemaInferrer();
  for (const r of records) inferrer.add(r);
  return {
    stream: args.stream,
    limits: args.limits,
    slices,
    records,
    errors,
    logs,
    inferredSchema: records.length ? (inferrer.result() as Obj) : undefined,
    declaredSchema: declaredSchemaOf(source, args.stream),
    durationMs: Date.now() - started,
  };
}

function exchangeOf(e: HttpEvent, mask: (s: string) => string): Exchange {
  const body = e.responseBody;
  return {
    method: e.method,
    url: e.url,
    requestHeaders: e.requestHeaders,
    requestBody: e.requestBody,
    attempt: e.attempt,
    status: e.status,
    responseHeaders: e.responseHeaders,
    responseBody: body ? mask(body.subarray(0, BODY_LIMIT).toString('utf8')) : undefined,
    responseBytes: body?.length,
    durationMs: e.durationMs,
    error: e.error,
    retryInMs: e.retryInMs,
    rateLimitWaitMs: e.rateLimitWaitMs,
  };
}

function streamNode(source: Source, stream: string): { node: Obj; index: number } | undefined {
  const streams = (source.manifest.root as Obj).streams;
  if (!Array.isArray(streams)) return undefined;
  const index = streams.findIndex((s) => (s as Obj)?.name === stream);
  return index < 0 ? undefined : { node: streams[index] as Obj, index };
}

/**
 * An error's place in the manifest: the one its message names, else (an HTTP failure) the
 * stream's requester path, which is what a wrong request most often comes from.
 */
function locate(message: string, source: Source, stream: string): LocatedError {
  const named = /(?:^|\s)\S*?\.ya?ml:(\d+)(?::(\d+))?(?: ([\w.[\]$-]+))?:/.exec(message);
  if (named) return { message, line: Number(named[1]), column: named[2] ? Number(named[2]) : undefined, path: named[3] };
  const found = streamNode(source, stream);
  const requester = (found?.node.retriever as Obj | undefined)?.requester as Obj | undefined;
  const at = requester ? locationOf(requester, 'path' in requester ? 'path' : 'url_base') : found ? locationOf(found.node) : undefined;
  return { message, line: at?.line, column: at?.column, path: at?.path };
}

function declaredSchemaOf(source: Source, stream: string): Obj | undefined {
  const loader = streamNode(source, stream)?.node.schema_loader as Obj | undefined;
  const schema = loader?.schema;
  return schema && typeof schema === 'object' && !Array.isArray(schema) ? (schema as Obj) : undefined;
}

/** Says, for each page, why another page was or was not requested (from what the read did). */
function explainPagination(slices: TimelineSlice[], source: Source, stream: string, limits: TestReadLimits, recordLimitHit: boolean, failed: boolean): void {
  const retriever = streamNode(source, stream)?.node.retriever as Obj | undefined;
  const paginator = retriever?.paginator as Obj | undefined;
  const pageSize = ((paginator?.pagination_strategy as Obj | undefined)?.page_size as number | undefined) ?? undefined;
  const lastSlice = slices.at(-1);
  for (const slice of slices) {
    slice.pages.forEach((page, i) => {
      const next = slice.pages[i + 1];
      const last = page.exchanges.filter((x) => x.retryInMs === undefined).at(-1);
      if (next) {
        const nextUrl = next.exchanges[0]?.url;
        page.pagination = `continued: the paginator gave a next page${nextUrl && last ? ` (${changedParams(last.url, nextUrl)})` : ''}`;
      } else if (failed && slice === lastSlice && i === slice.pages.length - 1) {
        page.pagination = 'stopped: the request failed';
      } else if (recordLimitHit && slice === lastSlice && i === slice.pages.length - 1) {
        page.pagination = `stopped: the test read's record limit (${limits.records}) was reached`;
      } else if (slice.pages.length >= limits.pages && paginator?.type !== 'NoPagination' && paginator) {
        page.pagination = `stopped: the test read's page limit (${limits.pages} per slice) was reached`;
      } else if (!paginator || paginator.type === 'NoPagination') {
        page.pagination = 'stopped: the stream has no paginator (one request per slice)';
      } else {
        page.pagination = `stopped: the paginator found no next page${pageSize !== undefined ? ` (this page gave ${page.records} record(s); page_size is ${pageSize})` : ''}`;
      }
    });
  }
}

function changedParams(from: string, to: string): string {
  try {
    const a = new URL(from);
    const b = new URL(to);
    const changes: string[] = [];
    for (const [k, v] of b.searchParams) if (a.searchParams.get(k) !== v) changes.push(`${k}=${v}`);
    for (const k of a.searchParams.keys()) if (!b.searchParams.has(k)) changes.push(`${k} removed`);
    if (a.pathname !== b.pathname) changes.push(`path ${b.pathname}`);
    return changes.length ? changes.join(', ') : 'same URL, new body';
  } catch {
    return to;
  }
}

function maskStrings(value: unknown, secrets: SecretRegistry): unknown {
  if (typeof value === 'string') return secrets.appearsIn(value) ? secrets.mask(value) : value;
  if (Array.isArray(value)) return value.map((v) => maskStrings(v, secrets));
  if (value && typeof value === 'object') {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskStrings(v, secrets);
    return out;
  }
  return value;
}
