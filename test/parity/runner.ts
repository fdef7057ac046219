/**
 * Runs one parity case through the library's Source.read against msw, answering requests the way
 * Airbyte's HttpMocker does: the most recently registered matching mock answers (requests_mock
 * walks its matchers in reverse); a mock matches on scheme, host, path, the parsed query (blank
 * values dropped, repeated keys kept, as urllib's parse_qs), a subset of headers (names
 * case-insensitive) and the exact body (JSON-compared when the mock's body is a mapping, absent
 * means empty); a mock's responses are served in order, the last one repeated; and every mock must
 * have been called at least once per response it lists.
 */
import { http, HttpResponse } from 'msw';
import type { setupServer } from 'msw/node';
import { Source, type AirbyteMessage, type ConfiguredAirbyteCatalog } from '../../engine/index.js';
import { setNowForTesting } from '../../engine/interpolation/datetime.js';
import type { Obj } from '../../engine/types.js';
import type { LoadedCase, MockedExchange } from './cases.js';

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface ReadOutcome {
  messages: AirbyteMessage[];
  sent: SentRequest[];
  unmatched: SentRequest[];
  /** Per mock: how many requests it answered. */
  calls: number[];
  /** Stream names discover returned, for `catalog: discover`. */
  discovered: string[];
  /** For `discover` cases: each stream's json_schema. */
  schemas?: Record<string, Obj>;
  /** For `check` cases: its result, or the error building the source. */
  check?: { status: string; message?: string };
}

type QueryMap = Map<string, string[]>;

function parseQs(search: string): QueryMap {
  const map: QueryMap = new Map();
  for (const [k, v] of new URLSearchParams(search)) {
    if (v === '') continue; // parse_qs drops blank values
    map.set(k, [...(map.get(k) ?? []), v]);
  }
  return map;
}

function sameQuery(a: QueryMap, b: QueryMap): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.length !== v.length || v.some((x, i) => x !== w[i])) return false;
  }
  return true;
}

/** requests_mock's query matching: every value of the mock is among the request's values for its key. */
function queryContains(request: QueryMap, mock: QueryMap, lowercase: boolean): boolean {
  for (const [k, values] of mock) {
    const left = [...(request.get(lowercase ? k.toLowerCase() : k) ?? [])];
    for (const v of values) {
      const i = left.indexOf(lowercase ? v.toLowerCase() : v);
      if (i < 0) return false;
      left.splice(i, 1);
    }
  }
  return true;
}

function mockQuery(mock: MockedExchange): QueryMap | 'any' {
  if (mock.query === 'any') return 'any';
  const url = new URL(mock.url);
  if (!mock.query) return parseQs(url.search);
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(mock.query)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, String(x));
  return parseQs(params.toString());
}

function bodyMatches(expected: unknown, actual: string): boolean {
  if (expected !== null && typeof expected === 'object') {
    try {
      return JSON.stringify(canonical(JSON.parse(actual))) === JSON.stringify(canonical(expected));
    } catch {
      return false;
    }
  }
  return (expected === undefined || expected === null ? '' : String(expected)) === actual;
}

function matches(mock: MockedExchange, req: SentRequest): boolean {
  if ((mock.method ?? 'GET').toUpperCase() !== req.method) return false;
  const want = new URL(mock.url);
  const got = new URL(req.url);
  if (want.protocol !== got.protocol || want.hostname !== got.hostname || want.pathname !== got.pathname) return false;
  const q = mockQuery(mock);
  if (mock.query_match === 'subset') return q === 'any' || queryContains(parseQs(got.search.toLowerCase()), q, true);
  if (q !== 'any' && !sameQuery(q, parseQs(got.search))) return false;
  for (const [name, value] of Object.entries(mock.headers ?? {})) {
    if (req.headers[name.toLowerCase()] !== value) return false;
  }
  return bodyMatches(mock.body, req.body);
}

/** JSON with object keys sorted, for order-insensitive comparisons. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Obj)
        .sort()
        .map((k) => [k, canonical((value as Obj)[k])]),
    );
  }
  return value;
}

async function catalogOf(c: LoadedCase, source: Source, discovered: string[]): Promise<ConfiguredAirbyteCatalog> {
  let entries = c.catalog;
  if (entries === 'discover') {
    discovered.push(...(await source.discover(structuredClone(c.config ?? {}))).streams.map((s) => s.name));
    entries = discovered.map((stream) => ({ stream, sync_mode: 'full_refresh' as const }));
  }
  entries ??= source.streamNames().map((stream) => ({ stream, sync_mode: 'full_refresh' as const }));
  return {
    streams: entries.map((e) => ({
      stream: { name: e.stream, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: e.sync_mode ?? 'full_refresh',
      destination_sync_mode: 'append',
    })),
  };
}

export async function runCase(c: LoadedCase, server: ReturnType<typeof setupServer>): Promise<ReadOutcome> {
  const mocks = c.http ?? [];
  const calls = mocks.map(() => 0);
  const sent: SentRequest[] = [];
  const unmatched: SentRequest[] = [];
  server.use(
    http.all('*', async ({ request }) => {
      const req: SentRequest = {
        method: request.method.toUpperCase(),
        url: request.url,
        headers: Object.fromEntries([...request.headers].map(([k, v]) => [k.toLowerCase(), v])),
        body: await request.text(),
      };
      sent.push(req);
      for (let i = mocks.length - 1; i >= 0; i--) {
        const mock = mocks[i]!;
        if (!matches(mock, req)) continue;
        const response = mock.responses[Math.min(calls[i]!, mock.responses.length - 1)]!;
        calls[i]!++;
        const body =
          response.body_base64 !== undefined
            ? Buffer.from(response.body_base64, 'base64')
            : response.body === undefined || response.body === null
              ? ''
              : typeof response.body === 'string'
                ? response.body
                : JSON.stringify(response.body);
        return new HttpResponse(body, { status: response.status ?? 200, headers: response.headers ?? {} });
      }
      unmatched.push(req);
      return HttpResponse.error();
    }),
  );
  setNowForTesting(c.now ? new Date(c.now) : undefined);
  try {
    const options = { logLevel: 'ERROR' as const, backoffScale: 0, ...(c.apply_budget === false ? { applyBudget: false } : {}) };
    const load = () =>
      typeof c.resolvedManifest === 'string'
        ? Source.fromText(c.resolvedManifest, `${c.file}#${c.id}`, options)
        : Source.fromObject(structuredClone(c.resolvedManifest), `${c.file}#${c.id}`, options);
    if (c.operation === 'check') {
      let check: { status: string; message?: string };
      try {
        const result = await (await load()).check(structuredClone(c.config ?? {}));
        check = { status: result.status, ...(result.message !== undefined ? { message: result.message } : {}) };
      } catch (e) {
        check = { status: 'INVALID', message: e instanceof Error ? e.message : String(e) };
      }
      return { messages: [], sent, unmatched, calls, discovered: [], check };
    }
    const source = await load();
    if (c.operation === 'discover') {
      const catalog = await source.discover(structuredClone(c.config ?? {}));
      const schemas = Object.fromEntries(catalog.streams.map((s) => [s.name, s.json_schema as Obj]));
      return { messages: [], sent, unmatched, calls, discovered: catalog.streams.map((s) => s.name), schemas };
    }
    const messages: AirbyteMessage[] = [];
    const discovered: string[] = [];
    const catalog = await catalogOf(c, source, discovered);
    const readOptions = c.limits ? { limits: c.limits } : {};
    for await (const m of source.read(structuredClone(c.config ?? {}), catalog, structuredClone(c.state), readOptions)) messages.push(m);
    return { messages, sent, unmatched, calls, discovered };
  } finally {
    setNowForTesting(undefined);
  }
}

export interface Observed {
  /** Per stream: the records emitted before each STATE of the stream, with that state. */
  checkpoints: Record<string, { records: Obj[]; state: unknown }[]>;
  records: Record<string, Obj[]>;
  states: Record<string, unknown[]>;
  errors: { message: string; failure_type?: string; stream?: string }[];
}

export function observe(messages: AirbyteMessage[]): Observed {
  const records: Record<string, Obj[]> = {};
  const states: Record<string, unknown[]> = {};
  const errors: Observed['errors'] = [];
  const checkpoints: Observed['checkpoints'] = {};
  const pending: Record<string, Obj[]> = {};
  for (const m of messages) {
    if (m.type === 'RECORD') {
      (records[m.record.stream] ??= []).push(m.record.data);
      (pending[m.record.stream] ??= []).push(m.record.data);
    } else if (m.type === 'STATE') {
      const s = m.state as Obj;
      const stream = s.stream as Obj | undefined;
      const name = ((stream?.stream_descriptor as Obj | undefined)?.name as string | undefined) ?? '__global__';
      (states[name] ??= []).push(stream ? stream.stream_state : (s.global ?? s.data));
      (checkpoints[name] ??= []).push({ records: pending[name] ?? [], state: stream ? stream.stream_state : undefined });
      pending[name] = [];
    } else if (m.type === 'TRACE' && m.trace.type === 'ERROR' && m.trace.error) {
      const e = m.trace.error as Obj;
      errors.push({
        message: String(e.message ?? ''),
        failure_type: e.failure_type as string | undefined,
        stream: (e.stream_descriptor as Obj | undefined)?.name as string | undefined,
      });
    }
  }
  return { records, states, errors, checkpoints };
}
