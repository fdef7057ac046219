/**
 * End-to-end parity with Airbyte's CDK: whole reads extracted from Airbyte's own tests (cases/,
 * provenance and licences in README.md and NOTICE), run through Source.read; records, final
 * state, errors and requests must be what the Airbyte test asserts. Cases marked
 * known_divergence are skipped with their reason in the test name.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setupServer } from 'msw/node';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCases, type LoadedCase, type RequestCheck } from './cases.js';
import { canonical, observe, runCase } from './runner.js';
import type { Obj } from '../../engine/types.js';

/** PARITY_RUN_DIVERGENT=1 runs the known_divergence cases too (to see which a fix re-enables). */
const RUN_DIVERGENT = process.env.PARITY_RUN_DIVERGENT === '1';
const CASES = loadCases(join(dirname(fileURLToPath(import.meta.url)), 'cases'));
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const sortKey = (v: unknown) => JSON.stringify(canonical(v));

/** `value` has the fields of `pattern` (recursively for nested mappings). */
function hasFields(value: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) return sortKey(value) === sortKey(pattern);
  return Object.entries(pattern as Obj).every(([k, v]) => hasFields((value as Obj | undefined)?.[k], v));
}

/** The value at `path` in a state; an object step picks the first array item having those fields. */
function valueAt(value: unknown, path: (string | number | Obj)[]): unknown {
  let at = value;
  for (const step of path) {
    if (typeof step === 'object') {
      const items = Array.isArray(at) ? at : [];
      at = items.find((item) => hasFields(item, step));
    } else {
      at = (at as Record<string | number, unknown> | undefined)?.[step];
    }
  }
  return at;
}

async function check(c: LoadedCase): Promise<void> {
  server.resetHandlers();
  const outcome = await runCase(c, server);
  const seen = observe(outcome.messages);
  const want = c.expect;

  if (!c.allow_unmatched) {
    expect({ unmatchedRequests: outcome.unmatched.map((r) => `${r.method} ${r.url} ${r.body}`) }).toEqual({ unmatchedRequests: [] });
  }
  const uncalled = (c.http ?? []).flatMap((m, i) =>
    (m.calls !== undefined ? outcome.calls[i] !== m.calls : m.requested ? outcome.calls[i] === 0 : c.validate_mocks && outcome.calls[i]! < m.responses.length)
      ? [`${m.method ?? 'GET'} ${m.url} ${JSON.stringify(m.query ?? '')}: ${outcome.calls[i]} call(s), expected ${m.calls ?? `>= ${m.responses.length}`}`]
      : [],
  );
  expect({ mocksNotCalledAsExpected: uncalled }).toEqual({ mocksNotCalledAsExpected: [] });

  if (c.operation === 'check') {
    const got = outcome.check!;
    const w = want.check ?? {};
    if (w.invalid) expect(['INVALID', 'FAILED']).toContain(got.status);
    else expect(got).toEqual({ status: w.status, ...(got.message !== undefined && w.status === got.status ? { message: got.message } : {}) });
    if (w.message_contains) expect(got.message ?? '').toContain(w.message_contains);
    return;
  }
  if (c.operation === 'discover') {
    if (want.discovered) expect(outcome.discovered).toEqual(want.discovered);
    if (want.discovered_count !== undefined) expect(outcome.discovered.length).toBe(want.discovered_count);
    for (const [stream, schema] of Object.entries(want.schemas ?? {})) expect({ [stream]: outcome.schemas?.[stream] }).toEqual({ [stream]: schema });
    return;
  }
  if (want.error) {
    expect(seen.errors.length).toBeGreaterThan(0);
    if (typeof want.error === 'object') {
      const e = want.error;
      expect(
        seen.errors.some(
          (x) =>
            (!e.failure_type || x.failure_type === e.failure_type) &&
            (!e.message_contains || x.message.includes(e.message_contains)) &&
            (e.message === undefined || x.message === e.message) &&
            (!e.stream || x.stream === e.stream),
        ),
      ).toBe(true);
    }
  } else {
    expect({ errors: seen.errors }).toEqual({ errors: [] });
  }

  for (const [stream, records] of Object.entries(want.records ?? {})) {
    const got = seen.records[stream] ?? [];
    if (want.ordered) expect({ [stream]: got }).toEqual({ [stream]: records });
    else expect({ [stream]: got.map(sortKey).sort() }).toEqual({ [stream]: records.map(sortKey).sort() });
  }
  for (const [stream, count] of Object.entries(want.record_counts_at_least ?? {})) {
    expect((seen.records[stream] ?? []).length).toBeGreaterThanOrEqual(count);
  }
  for (const [stream, allowed] of Object.entries(want.records_within ?? {})) {
    const keys = new Set(allowed.map(sortKey));
    const got = stream === '*' ? Object.values(seen.records).flat() : (seen.records[stream] ?? []);
    expect({ [stream]: got.filter((r) => !keys.has(sortKey(r))) }).toEqual({ [stream]: [] });
  }
  for (const [stream, count] of Object.entries(want.record_counts ?? {})) {
    expect({ [stream]: (seen.records[stream] ?? []).length }).toEqual({ [stream]: count });
  }
  for (const [stream, { fields, values, ordered }] of Object.entries(want.record_fields ?? {})) {
    const got = (seen.records[stream] ?? []).map((r) => fields.map((f) => r[f]));
    if (ordered) expect({ [stream]: got }).toEqual({ [stream]: values });
    else expect({ [stream]: got.map(sortKey).sort() }).toEqual({ [stream]: values.map(sortKey).sort() });
  }
  for (const [stream, state] of Object.entries(want.state ?? {})) {
    const states = seen.states[stream] ?? [];
    expect({ [stream]: states[states.length - 1] }).toEqual({ [stream]: state });
  }
  for (const [stream, values] of Object.entries(want.state_values ?? {})) {
    const states = seen.states[stream] ?? [];
    const last = states[states.length - 1];
    for (const v of values) {
      const got = valueAt(last, v.path);
      const label = `${stream} ${JSON.stringify(v.path)}`;
      if (v.at_least !== undefined) expect({ [label]: Number(got) >= v.at_least ? 'ok' : got }).toEqual({ [label]: 'ok' });
      if ('equals' in v) expect({ [label]: v.numeric ? Number(got) : got }).toEqual({ [label]: v.equals });
    }
  }
  for (const [stream, { fields, values }] of Object.entries(want.record_fields_include ?? {})) {
    const got = new Set((seen.records[stream] ?? []).map((r) => sortKey(fields.map((f) => r[f]))));
    expect({ [stream]: values.filter((v) => !got.has(sortKey(v))) }).toEqual({ [stream]: [] });
  }
  for (const [stream, state] of Object.entries(want.first_state ?? {})) {
    expect({ [stream]: (seen.states[stream] ?? [])[0] }).toEqual({ [stream]: state });
  }
  for (const [stream, excluded] of Object.entries(want.states_exclude ?? {})) {
    const bad = new Set(excluded.map(sortKey));
    expect({ [stream]: (seen.states[stream] ?? []).filter((s) => bad.has(sortKey(s))) }).toEqual({ [stream]: [] });
  }
  for (const [stream, count] of Object.entries(want.state_counts ?? {})) {
    expect({ [stream]: (seen.states[stream] ?? []).length }).toEqual({ [stream]: count });
  }
  for (const [stream, expected] of Object.entries(want.checkpoints ?? {})) {
    const got = (seen.checkpoints[stream] ?? []).slice(0, expected.length);
    expect({
      [stream]: got.map((g, i) => ({
        ...(expected[i]!.records ? { records: g.records } : {}),
        ...(expected[i]!.state_has
          ? { state_has: Object.fromEntries(Object.keys(expected[i]!.state_has!).map((k) => [k, (g.state as Obj | undefined)?.[k]])) }
          : {}),
      })),
    }).toEqual({ [stream]: expected });
  }
  for (const [stream, partitions] of Object.entries(want.state_partitions ?? {})) {
    const states = seen.states[stream] ?? [];
    const last = states[states.length - 1] as { states?: { partition: unknown }[] } | undefined;
    expect({ [stream]: (last?.states ?? []).map((s) => sortKey(s.partition)).sort() }).toEqual({ [stream]: partitions.map(sortKey).sort() });
  }
  for (const [stream, fields] of Object.entries(want.final_state_has ?? {})) {
    const states = seen.states[stream] ?? [];
    const last = (states[states.length - 1] ?? {}) as Obj;
    expect({ [stream]: Object.fromEntries(Object.keys(fields).map((k) => [k, last[k]])) }).toEqual({ [stream]: fields });
  }
  for (const [stream, entries] of Object.entries(want.state_partition_cursors_include ?? {})) {
    const states = seen.states[stream] ?? [];
    const last = states[states.length - 1] as { states?: { partition: unknown; cursor: unknown }[] } | undefined;
    const have = new Set((last?.states ?? []).map((s) => sortKey({ partition: s.partition, cursor: s.cursor })));
    expect({ [stream]: entries.filter((e) => !have.has(sortKey(e))) }).toEqual({ [stream]: [] });
  }
  for (const [i, rc] of (want.request_checks ?? []).entries()) checkRequests(i, rc, outcome.sent);
  if (want.discovered) expect(outcome.discovered).toEqual(want.discovered);
  if (want.discovered_set) expect([...outcome.discovered].sort()).toEqual([...want.discovered_set].sort());
  if (want.discovered_count !== undefined) expect(outcome.discovered.length).toBe(want.discovered_count);
  if (want.total_records !== undefined) expect(Object.values(seen.records).flat().length).toBe(want.total_records);
  if (want.requests) {
    expect(outcome.sent.map((r) => `${r.method} ${r.url}`)).toEqual(want.requests);
  }
}

/** A body field by key or dotted path. */
function at(body: Obj, path: string): unknown {
  if (path in body) return body[path];
  return path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Obj)[k] : undefined), body);
}

/** One `request_checks` entry (see cases.ts), against the requests in the order they were sent. */
function checkRequests(i: number, rc: RequestCheck, sent: { url: string; body: string }[]): void {
  const parsed = sent.map((r) => {
    const url = new URL(r.url);
    const qs = new Map<string, string[]>();
    // requests_mock's request_history lowercases the query (case_sensitive=False, its default)
    for (const [k, v] of new URLSearchParams(url.search.toLowerCase())) if (v !== '') qs.set(k, [...(qs.get(k) ?? []), v]);
    let body: Obj = {};
    try {
      body = JSON.parse(r.body || '{}') as Obj;
    } catch {
      body = { '(not JSON)': r.body };
    }
    return { path: url.pathname, qs, body };
  });
  let selected = parsed.filter(
    (r) => (rc.path === undefined || r.path === rc.path) && Object.entries(rc.where ?? {}).every(([k, v]) => sortKey(r.qs.get(k)) === sortKey(v)),
  );
  if (rc.index !== undefined) selected = selected.slice(rc.index, rc.index + 1);
  const label = `request_checks[${i}]`;
  if (rc.count !== undefined) expect({ [label]: selected.length }).toEqual({ [label]: rc.count });
  else expect({ [label]: selected.length > 0 }).toEqual({ [label]: true });
  if (rc.count_at_most !== undefined) expect(selected.length).toBeLessThanOrEqual(rc.count_at_most);
  const problems = selected.map((r) => [
    ...Object.entries(rc.has ?? {})
      .filter(([k, v]) => sortKey(r.qs.get(k)) !== sortKey(v))
      .map(([k]) => `${k}=${JSON.stringify(r.qs.get(k))}`),
    ...(rc.lacks ?? []).filter((k) => r.qs.has(k)).map((k) => `${k} present`),
    ...Object.entries(rc.starts_with ?? {})
      .filter(([k, p]) => !(r.qs.get(k)?.[0] ?? '').startsWith(p))
      .map(([k]) => `${k}=${JSON.stringify(r.qs.get(k))}`),
    ...Object.entries(rc.body_has ?? {})
      .filter(([k, v]) => sortKey(at(r.body, k)) !== sortKey(v))
      .map(([k]) => `body.${k}=${JSON.stringify(at(r.body, k))}`),
    ...(rc.body_lacks ?? []).filter((k) => at(r.body, k) !== undefined).map((k) => `body.${k} present`),
    ...Object.entries(rc.body_has_set ?? {})
      .filter(([k, v]) => {
        const got = at(r.body, k);
        return !Array.isArray(got) || sortKey(got.map(sortKey).sort()) !== sortKey(v.map(sortKey).sort());
      })
      .map(([k]) => `body.${k}=${JSON.stringify(at(r.body, k))}`),
  ]);
  const failing = rc.some ? (problems.some((p) => p.length === 0) ? [] : problems.flat()) : problems.flat();
  expect({ [label]: failing }).toEqual({ [label]: [] });
}

const byFile = new Map<string, LoadedCase[]>();
for (const c of CASES) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);

describe.each([...byFile.keys()])('%s', (file) => {
  for (const c of byFile.get(file)!) {
    if (c.known_divergence && !RUN_DIVERGENT) it.skip(`${c.id} [known divergence: ${c.known_divergence}]`, () => {});
    else it(c.id, () => check(c));
  }
});
