/**
 * The incremental, cursor-paginated manifest the fault tests read from the fault server, and a
 * library-level read that collects what a sync produced.
 */
import { expect } from '@jest/globals';
import { Source } from '../../engine/index.js';
import type { Transport } from '../../engine/http/client.js';
import { networkTransport } from '../../engine/http/client.js';
import type { DataItem, FaultKind, FaultServer, ServedRequest } from '../helpers/fault-server.js';

export interface ManifestOptions {
  /** Incremental with daily windows (default), or a plain full-refresh stream. */
  incremental?: boolean;
  /** error_handler YAML block (indented for the requester), default: none (Airbyte's default). */
  errorHandler?: string;
}

export function faultManifest(options: ManifestOptions = {}): string {
  const incremental = options.incremental ?? true;
  return `
version: 6.7.0
type: DeclarativeSource
check:
  type: CheckStream
  stream_names: [items]
streams:
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader:
      type: InlineSchemaLoader
      schema: { type: object, properties: { id: { type: integer }, updated_at: { type: string } } }
${
  incremental
    ? `    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "{{ config['start_date'] }}"
      end_datetime: "{{ config['end_date'] }}"
      step: P1D
      cursor_granularity: PT1S
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: start }
      end_time_option: { type: RequestOption, inject_into: request_parameter, field_name: end }
`
    : ''
}    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['base_url'] }}"
        path: /items
        http_method: GET
${options.errorHandler ?? ''}
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
      paginator:
        type: DefaultPaginator
        pagination_strategy:
          type: CursorPagination
          cursor_value: "{{ response.next_cursor }}"
          stop_condition: "{{ not response.next_cursor }}"
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: cursor }
spec:
  type: Spec
  connection_specification:
    type: object
    required: [base_url]
    properties:
      base_url: { type: string }
      start_date: { type: string }
      end_date: { type: string }
`;
}

export function faultConfig(server: FaultServer): Record<string, string> {
  return { base_url: server.url, start_date: '2024-01-01T00:00:00Z', end_date: '2024-01-03T00:00:00Z' };
}

export const CATALOG = {
  streams: [
    {
      stream: { name: 'items', json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: 'incremental' as const,
      destination_sync_mode: 'append' as const,
      cursor_field: ['updated_at'],
    },
  ],
};

export interface ReadOutcome {
  records: DataItem[];
  /** STATE messages as emitted (usable as --state input). */
  states: Array<Record<string, any>>;
  /** TRACE errors. */
  errors: Array<{ message: string; failure_type: string; internal_message?: string; stack_trace?: string }>;
  statuses: string[];
  logs: string[];
}

export interface ReadArgs {
  state?: unknown;
  incremental?: boolean;
  manifest?: string;
  /** Per-request client timeout (the slow-response fault). */
  timeoutMs?: number;
  /** Streams/slices read at once (default 1, so request order is predictable). */
  concurrency?: number;
  /** Config values added to faultConfig(server). */
  config?: Record<string, string>;
}

/** Reads through the library with a tiny backoff so retries cost no wall time. */
export async function readWithLibrary(server: FaultServer, args: ReadArgs = {}): Promise<ReadOutcome> {
  const incremental = args.incremental ?? true;
  const transport: Transport | undefined =
    args.timeoutMs === undefined ? undefined : { send: (req, ctx) => networkTransport.send({ ...req, timeoutMs: args.timeoutMs }, ctx) };
  const source = await Source.fromText(args.manifest ?? faultManifest({ incremental }), 'faults.yaml', {
    backoffScale: 0.0001,
    ...(transport ? { transport } : {}),
  });
  const out: ReadOutcome = { records: [], states: [], errors: [], statuses: [], logs: [] };
  const catalog = incremental ? CATALOG : { streams: [{ ...CATALOG.streams[0]!, sync_mode: 'full_refresh' as const }] };
  for await (const m of source.read({ ...faultConfig(server), ...args.config }, catalog, args.state, { concurrency: args.concurrency ?? 1 })) {
    const msg = m as Record<string, any>;
    if (msg.type === 'RECORD') out.records.push(msg.record.data);
    else if (msg.type === 'STATE') out.states.push(msg);
    else if (msg.type === 'LOG') out.logs.push(msg.log.message);
    else if (msg.type === 'TRACE' && msg.trace.type === 'ERROR') out.errors.push(msg.trace.error);
    else if (msg.type === 'TRACE' && msg.trace.type === 'STREAM_STATUS') out.statuses.push(msg.trace.stream_status.status);
  }
  return out;
}

/** The input state a resumed run gets: the last STATE message of the failed run. */
export function resumeState(outcome: ReadOutcome): unknown {
  const last = outcome.states.at(-1);
  return last ? [last.state] : undefined;
}

/** Every server record exactly once, in id order. */
export function expectExactlyOnce(records: DataItem[], expected: DataItem[]): void {
  const ids = records.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...records].sort((a, b) => a.id - b.id)).toEqual(expected);
}

/** The union of two runs covers every record (duplicates allowed: at-least-once on resume). */
export function expectUnionCovers(first: DataItem[], second: DataItem[], expected: DataItem[]): void {
  const seen = new Map<number, DataItem>();
  for (const r of [...first, ...second]) seen.set(r.id, r);
  expect([...seen.values()].sort((a, b) => a.id - b.id)).toEqual(expected);
}

export function lastCursor(outcome: ReadOutcome): unknown {
  return outcome.states.at(-1)?.state.stream.stream_state;
}

export const STACK_FRAME = '\n    at ';

/** A small seeded PRNG (mulberry32): the same seed scatters the same faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Every kind of fault a retry should absorb, each on ~3% of the data requests (about one request
 * in six is faulty): 500s, a proxy's 503 HTML page, 429s, resets mid-body, JSON cut short with a
 * matching Content-Length, gzip cut short, and slow pages.
 */
export function seededFaults(seed: number, rate = 0.03): (req: ServedRequest, n: number) => FaultKind | undefined {
  const random = seededRandom(seed);
  const kinds: FaultKind[] = [
    { kind: 'status', status: 500 },
    { kind: 'html-503' },
    { kind: 'rate-limit', retryAfter: 'seconds', seconds: 1 },
    { kind: 'reset-mid-body' },
    { kind: 'truncated-json' },
    { kind: 'truncated-gzip' },
    { kind: 'slow', delayMs: 150 },
  ];
  return () => {
    const r = random();
    const index = Math.floor(r / rate);
    return index < kinds.length ? kinds[index] : undefined;
  };
}
