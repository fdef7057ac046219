/**
 * The parity suite's case format and loader. A case is one whole read taken from an Airbyte test
 * (see README.md beside this file): the manifest, config, catalog, state and the HTTP exchanges
 * the test mocked, and what the test asserts about the read (records, final state, requests).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import type { Obj } from '../../engine/types.js';

/** One mocked exchange, with Airbyte's HttpMocker matching rules (see runner.ts). */
export interface MockedExchange {
  method?: string;
  /** scheme://host/path, optionally with its query string. */
  url: string;
  /** Query parameters (a value may be a list for a repeated key), or "any" for any query. */
  query?: Record<string, string | string[]> | 'any';
  /** Must be a subset of the request's headers (names case-insensitive). */
  headers?: Record<string, string>;
  /** Exact body: a mapping is compared as JSON, a string byte for byte; absent means no body. */
  body?: unknown;
  /** Served in order, the last one repeated; each must be requested at least once. */
  responses: MockedResponse[];
  /** The test asserts this exact number of calls (HttpMocker.assert_number_of_calls). */
  calls?: number;
  /** The test asserts this request was made (at least once). */
  requested?: boolean;
  /**
   * `subset`: requests_mock's default matching (tests using `requests_mock.Mocker` instead of
   * HttpMocker): the mock's query values need only be among the request's (more may be present),
   * compared case-insensitively; the body is not compared.
   */
  query_match?: 'exact' | 'subset';
}

/**
 * A value in a stream_state, found by path; an object step picks the first array item that has
 * those fields. `numeric`: compared as numbers (a test asserting `int(value) == n`).
 */
export interface StateValue {
  path: (string | number | Obj)[];
  equals?: unknown;
  /** The value, as a number, is at least this. */
  at_least?: number;
  numeric?: boolean;
}

export interface MockedResponse {
  status?: number;
  body?: unknown;
  /** A binary body. */
  body_base64?: string;
  headers?: Record<string, string>;
}

export interface ParityExpectations {
  /** Every record of the stream ("*": of any stream) is one of these (`all(r in expected for r in records)`). */
  records_within?: Record<string, Obj[]>;
  /** Records per stream; compared as a multiset unless `ordered`. */
  records?: Record<string, Obj[]>;
  ordered?: boolean;
  record_counts?: Record<string, number>;
  /** At least this many records (a test asserting `len(records) > 0` or truthiness). */
  record_counts_at_least?: Record<string, number>;
  /**
   * Only these fields of each record (a test asserting e.g. `sorted(r["id"] for r in records)`):
   * compared as a multiset unless `ordered`.
   */
  record_fields?: Record<string, { fields: string[]; values: unknown[][]; ordered?: boolean }>;
  /** The last stream_state emitted per stream. */
  state?: Record<string, unknown>;
  /** For `discover`: each stream's json_schema. */
  schemas?: Record<string, Obj>;
  /** Stream names discover returned (with `catalog: discover`), in order; as a set; how many. */
  discovered?: string[];
  discovered_set?: string[];
  discovered_count?: number;
  /** Records over all streams. */
  total_records?: number;
  /** Single values of the last stream_state of the stream (a test asserting parts of it). */
  state_values?: Record<string, StateValue[]>;
  /** These field tuples are among the stream's records (a test asserting `x in records`). */
  record_fields_include?: Record<string, { fields: string[]; values: unknown[][] }>;
  /** The first stream_state emitted per stream. */
  first_state?: Record<string, unknown>;
  /** No STATE of the stream may carry one of these stream_states. */
  states_exclude?: Record<string, unknown[]>;
  /** Number of STATE messages per stream. */
  state_counts?: Record<string, number>;
  /** An error TRACE is expected (optionally of this failure type / mentioning this text / with exactly this message). */
  error?: boolean | { failure_type?: string; message_contains?: string; message?: string; stream?: string };
  /** For `check`: the status, a text the message must contain; `invalid`: the manifest is refused or check fails. */
  check?: { status?: 'SUCCEEDED' | 'FAILED'; message_contains?: string; invalid?: boolean };
  /** Exact sequence of requests (method + URL), when the test pins the order. */
  requests?: string[];
  /**
   * Per stream, in order: the records emitted since the previous STATE of the stream, and fields
   * the STATE that follows them must have (a test reading the messages up to each STATE).
   */
  checkpoints?: Record<string, { records?: Obj[]; state_has?: Obj }[]>;
  /** The partitions in the final per-partition state (`states[].partition`), as a set. */
  state_partitions?: Record<string, Obj[]>;
  /** Only these top-level keys of the last stream_state per stream (a test asserting `state["state"] == ...`). */
  final_state_has?: Record<string, Obj>;
  /** Entries `{partition, cursor}` that the last per-partition state's `states` must include. */
  state_partition_cursors_include?: Record<string, { partition: Obj; cursor: Obj }[]>;
  /**
   * Assertions on the requests sent, as a test reading requests_mock's `request_history` makes them.
   * Each check selects requests (by `path`, by query values in `where`, then the `index`-th of those)
   * and asserts their number, or query values each selected request has (`has`: the exact list of
   * values of a key), lacks (`lacks`: keys), or starts with (`starts_with`: first value of the key,
   * lowercased as requests_mock's `qs` gives it); `some`: at least one selected request (not each)
   * satisfies them (a test's `any(...)`); `count_at_most`: no more than this many are selected.
   */
  request_checks?: RequestCheck[];
}

export interface RequestCheck {
  path?: string;
  where?: Record<string, string[]>;
  index?: number;
  count?: number;
  count_at_most?: number;
  some?: boolean;
  has?: Record<string, string[]>;
  lacks?: string[];
  starts_with?: Record<string, string>;
  /**
   * Fields of the request's JSON body (`json.loads(request.text or "{}")`), by key or dotted path:
   * exact values, absent keys, and lists compared in any order (a test's `sorted(...) == [...]`).
   */
  body_has?: Obj;
  body_lacks?: string[];
  body_has_set?: Record<string, unknown[]>;
}

export interface ParityCase {
  id: string;
  /** `read` (default), `check` or `discover`. */
  operation?: 'read' | 'check' | 'discover';
  description?: string;
  manifest?: Obj;
  manifest_ref?: string;
  /** A manifest given as YAML text (loaded as a file would be). */
  manifest_yaml?: string;
  config?: Obj;
  /**
   * Streams read and their sync mode. Default: every stream the manifest lists, full refresh;
   * `discover`: every stream discover returns (dynamic streams included), full refresh.
   */
  catalog?: { stream: string; sync_mode?: 'full_refresh' | 'incremental' }[] | 'discover';
  state?: unknown[];
  /** A test read's limits (the Connector Builder's max records / pages per slice / slices). */
  limits?: { records?: number; pages?: number; slices?: number };
  /**
   * false: leave the manifest's api_budget out. For tests whose reads make more calls than the
   * budget's window allows, or that patch time.sleep; the budget changes when requests go out, not
   * what they are or what is read.
   */
  apply_budget?: boolean;
  /** freezegun's frozen time, ISO 8601. */
  now?: string;
  http?: MockedExchange[];
  /**
   * The test used HttpMocker as a decorator, which fails unless every mock was requested at least
   * once per response it lists (the context-manager form does not check this).
   */
  validate_mocks?: boolean;
  /**
   * The test lets the read make requests no mock answers (HttpMocker raises inside the read, the
   * stream fails, and the test asserts only on what was read before): the runner answers them
   * with a network error instead of failing the case.
   */
  allow_unmatched?: boolean;
  expect: ParityExpectations;
  /** A real engine difference: the runner skips the case and lists this reason. */
  known_divergence?: string;
  /** What was adapted from the test (e.g. a patched internal turned into HTTP mocks). */
  notes?: string;
}

export interface ParityFile {
  source: {
    repo: string;
    commit: string;
    path: string;
    license: string;
    connector?: string;
    /** Where the licence was read (connector metadata version and commit). */
    license_source?: string;
    /** Which stored manifest version the cases use, and how it relates to the test's commit. */
    manifest_source?: string;
  };
  manifests?: Record<string, Obj | string>;
  cases: ParityCase[];
}

export interface LoadedCase extends ParityCase {
  file: string;
  origin: ParityFile['source'];
  resolvedManifest: Obj | string;
}

export function loadCases(root: string): LoadedCase[] {
  const out: LoadedCase[] = [];
  for (const path of walk(root)) {
    const file = parse(readFileSync(path, 'utf8'), { maxAliasCount: -1 }) as ParityFile;
    for (const c of file.cases) {
      let resolved: Obj | string | undefined = c.manifest ?? c.manifest_yaml;
      if (c.manifest_ref) resolved = file.manifests?.[c.manifest_ref];
      if (resolved === undefined) throw new Error(`${path}: case ${c.id} has no manifest`);
      out.push({ ...c, file: relative(root, path), origin: file.source, resolvedManifest: resolved });
    }
  }
  return out;
}

function walk(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...walk(path));
    else if (name.endsWith('.yaml') || name.endsWith('.yml')) files.push(path);
  }
  return files;
}
