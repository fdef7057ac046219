/** `read --show-http`, `--output`, `--check-schema`, `--progress`, `--quiet`, `--log-level` through the built CLI. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { records, runCli, type CliResult } from '../helpers/cli.js';
import { API_KEY, BEARER, INITIAL_EVENTS, ITEMS, QUERY_TOKEN, SECRETS, files, sortedIds, startApi, type Api } from './fixture.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.server.close());

/** Every stdout line is a JSON Airbyte message. */
function expectProtocolOnly(result: CliResult): void {
  const lines = result.stdout.split('\n').filter((l) => l.trim());
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const message = JSON.parse(line) as { type?: string };
    expect(['RECORD', 'STATE', 'LOG', 'TRACE', 'SPEC', 'CATALOG', 'CONNECTION_STATUS']).toContain(message.type);
  }
}

function logs(result: CliResult, level?: string): Array<{ level: string; message: string }> {
  return result.messages.filter((m) => m.type === 'LOG' && (level === undefined || m.log.level === level)).map((m) => m.log);
}

describe('read --show-http', () => {
  it('prints each request with secrets masked, and a response excerpt, on stderr; stdout stays protocol', async () => {
    const f = files(api, ['items', 'events', 'notes']);
    const result = await runCli(['read', ...f.args, '--show-http']);
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    expect(records(result, 'items')).toHaveLength(7);

    const err = result.stderr;
    // One request line per request the server got (items 4, events 5, notes 1 failed + 1 retried).
    const requestLines = err.split('\n').filter((l) => / → GET /.test(l));
    expect(requestLines).toHaveLength(4 + 5 + 2);
    expect(err).toMatch(new RegExp(`\\[items\\] → GET ${api.server.url}/api/items\\?page=1&per_page=2`));
    expect(err).toMatch(/\[events\] → GET \S+\/api\/events\?since=2024-01-01T00%3A00%3A00Z&until=2024-01-01T23%3A59%3A59Z/);
    expect(err).toMatch(/\[notes\] → GET \S+\/api\/notes\?token=\S+ \(attempt 2\)/);
    // Headers are listed, secret ones masked; the query token is masked in the URL.
    expect(err).toMatch(/^ {4}x-api-key: \*+$/im);
    expect(err).toMatch(/^ {4}authorization: \*+$/im);
    expect(err).toMatch(/\/api\/notes\?token=\*+ /);
    for (const secret of SECRETS) expect(err).not.toContain(secret);
    expect(err).not.toMatch(/token=notes/);
    // Status and a response excerpt.
    expect(err).toMatch(/\[items\] ← 200 in \d+ ms/);
    expect(err).toContain(JSON.stringify({ data: ITEMS.slice(0, 2) }));
    expect(err).toMatch(/\[notes\] ← 500/);
    expect(err).toContain('{"error":"temporary"}');
    // Nothing of it on stdout.
    expect(result.stdout).not.toContain(' → GET ');
    for (const secret of SECRETS) expect(result.stdout).not.toContain(secret);
  });

  it('is off by default: stderr is empty for a clean read', async () => {
    const f = files(api, ['items']);
    const result = await runCli(['read', ...f.args]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('read --output DIR', () => {
  it('writes records per stream and the final state, then a second run with its state continues incrementally', async () => {
    const f = files(api, ['items', 'events'], 'incremental');
    const out = join(f.dir, 'out');
    const first = await runCli(['read', ...f.args, '--output', out]);
    expect(first.code).toBe(0);
    // Records and states go to the files; stdout keeps only the other messages.
    expect(first.messages.filter((m) => m.type === 'RECORD' || m.type === 'STATE')).toEqual([]);
    expectProtocolOnly(first);
    expect(first.messages.some((m) => m.trace?.stream_status?.status === 'COMPLETE')).toBe(true);
    expect(first.stderr.trim()).toBe(`manifold: wrote items: 7 (replaced), events: 3 (appended) to ${out} (state in ${join(out, 'state.json')})`);

    const lines = (stream: string) =>
      readFileSync(join(out, `${stream}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    expect(readdirSync(out).sort()).toEqual(['events.jsonl', 'items.jsonl', 'state.json']);
    expect(lines('items')).toEqual(ITEMS);
    expect(lines('events').sort((a, b) => a.id - b.id)).toEqual(INITIAL_EVENTS);
    const state = JSON.parse(readFileSync(join(out, 'state.json'), 'utf8'));
    expect(Array.isArray(state)).toBe(true);
    const eventsState = state.find((s: any) => s.stream?.stream_descriptor.name === 'events');
    expect(eventsState.type).toBe('STREAM');
    expect(eventsState.stream.stream_state).toEqual({ updated: '2024-01-03T12:00:00Z' });

    // New data arrives; the second run reads events from the saved cursor on.
    api.events.push({ id: 4, updated: '2024-01-04T09:00:00Z', kind: 'created' }, { id: 5, updated: '2024-01-04T18:00:00Z', kind: 'deleted' });
    const before = api.requestsTo('/api/events').length;
    try {
      const second = await runCli(['read', ...f.args, '--output', out, '--state', join(out, 'state.json')]);
      expect(second.code).toBe(0);
      const sent = api.requestsTo('/api/events').slice(before);
      expect(sent[0]!.query.since).toBe('2024-01-03T12:00:00Z');
      expect(sent.every((r) => r.query.since! >= '2024-01-03T12:00:00Z')).toBe(true);
      // Only the new events are appended (events is incremental); items has no incremental_sync, so
      // it is read in full again and its file replaced, not doubled.
      // The saved cursor value is an inclusive lower bound, as in Airbyte: the record sitting exactly
      // on it (event 3) is delivered again — at-least-once, never a gap.
      expect(sortedIds(lines('events'))).toEqual([1, 2, 3, 3, 4, 5]);
      expect(sortedIds(lines('events').slice(0, 3))).toEqual([1, 2, 3]);
      expect(lines('items')).toEqual(ITEMS);
      const state2 = JSON.parse(readFileSync(join(out, 'state.json'), 'utf8'));
      expect(state2.find((s: any) => s.stream?.stream_descriptor.name === 'events').stream.stream_state).toEqual({ updated: '2024-01-04T18:00:00Z' });
    } finally {
      api.events.splice(INITIAL_EVENTS.length);
    }
  });

  it('holds no secret in the files it writes', async () => {
    const f = files(api, ['items', 'events', 'notes'], 'incremental');
    const out = join(f.dir, 'out');
    const result = await runCli(['read', ...f.args, '--output', out]);
    expect(result.code).toBe(0);
    expect(existsSync(join(out, 'notes.jsonl'))).toBe(true);
    for (const name of readdirSync(out)) {
      const text = readFileSync(join(out, name), 'utf8');
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }
  });
});

describe('read --check-schema', () => {
  it('warns once per mismatch with stream, field, expected and got, then summarises', async () => {
    const f = files(api, ['items', 'events']);
    const result = await runCli(['read', ...f.args, '--check-schema']);
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    // Records still flow unchanged.
    expect(records(result, 'items')).toEqual(ITEMS);
    const warnings = logs(result, 'WARN').map((l) => l.message);
    const mismatch = warnings.filter((m) => m.startsWith('Schema mismatch'));
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0]).toMatch(/stream items/);
    expect(mismatch[0]).toMatch(/field price/);
    expect(mismatch[0]).toMatch(/expected .*number/);
    expect(mismatch[0]).toMatch(/got .*string/);
    // The warning comes right before the offending record.
    const index = result.messages.findIndex((m) => m.type === 'LOG' && m.log.message.startsWith('Schema mismatch'));
    expect(result.messages[index + 1]?.record?.data).toEqual(ITEMS[4]);
    // Summary at the end: the count of records per problem; the null price and events are fine.
    const summary = warnings.filter((m) => m.startsWith('Schema check:'));
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatch(/1 record\(s\) of items have price not matching .*number/);
    const lastLog = logs(result).at(-1)!;
    expect(lastLog.message).toBe(summary[0]);
  });

  it('says every record fits when none violates the schema', async () => {
    const f = files(api, ['events']);
    const result = await runCli(['read', ...f.args, '--check-schema']);
    expect(result.code).toBe(0);
    expect(logs(result, 'WARN')).toEqual([]);
    expect(logs(result).at(-1)?.message).toBe('Schema check: every record fits its declared schema');
  });

  it('adds no schema messages without the flag', async () => {
    const f = files(api, ['items']);
    const result = await runCli(['read', ...f.args]);
    expect(logs(result).filter((l) => /schema/i.test(l.message))).toEqual([]);
  });
});

describe('read --progress', () => {
  it('forced with --progress: stderr shows each stream with records, pages, rec/s and retries', async () => {
    const f = files(api, ['items', 'notes']);
    const result = await runCli(['read', ...f.args, '--progress']);
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    // log-update redraws in place; the last frame holds the final counts.
    const text = result.stderr.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(text).toMatch(/✔ items: 7 records, 4 pages, \d+ rec\/s, 0 retries/);
    expect(text).toMatch(/✔ notes: 2 records, 1 page, \d+ rec\/s, 1 retry, waited \d+\.\d s/);
  });

  it('draws nothing when stderr is not a terminal and --progress is not given', async () => {
    const f = files(api, ['items', 'notes']);
    const result = await runCli(['read', ...f.args]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('--no-progress wins even with --progress listed first', async () => {
    const f = files(api, ['items']);
    const result = await runCli(['read', ...f.args, '--progress', '--no-progress']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('LOG filtering: --quiet and --log-level', () => {
  /** notes logs its retry at INFO; item_notes' manifest makes a DEBUG log; --check-schema adds WARNs. */
  async function read(extra: string[]): Promise<CliResult> {
    const f = files(api, ['notes', 'item_notes', 'items']);
    const result = await runCli(['read', ...f.args, '--check-schema', ...extra]);
    expect(result.code).toBe(0);
    expect(records(result, 'notes')).toHaveLength(2);
    expect(records(result, 'item_notes')).toHaveLength(7);
    return result;
  }
  const levels = (r: CliResult) => [...new Set(logs(r).map((l) => l.level))].sort();

  it('default (info) shows INFO and WARN, no DEBUG', async () => {
    const result = await read([]);
    expect(levels(result)).toEqual(['INFO', 'WARN']);
    expect(logs(result, 'INFO').some((l) => /500.*retrying in/i.test(l.message))).toBe(true);
  });

  it('--log-level debug adds DEBUG messages', async () => {
    const result = await read(['--log-level', 'debug']);
    expect(levels(result)).toEqual(['DEBUG', 'INFO', 'WARN']);
    expect(logs(result, 'DEBUG').some((l) => /lazy_read_pointer/.test(l.message))).toBe(true);
    for (const secret of SECRETS) expect(result.stdout).not.toContain(secret);
  });

  it('--log-level warn drops INFO, keeps the schema warnings', async () => {
    const result = await read(['--log-level', 'warn']);
    expect(levels(result)).toEqual(['WARN']);
  });

  it('--log-level error, --quiet and -q keep no LOG below ERROR (schema warnings included)', async () => {
    for (const flags of [['--log-level', 'error'], ['--quiet'], ['-q']]) {
      const result = await read(flags);
      expect(logs(result)).toEqual([]);
      // Records, states and traces are not logs: they still flow.
      expect(result.messages.some((m) => m.trace?.stream_status?.status === 'COMPLETE')).toBe(true);
    }
  });

  it('--log-level with an unknown level is a config error', async () => {
    const f = files(api, ['notes']);
    const result = await runCli(['read', ...f.args, '--log-level', 'loud']);
    expect(result.code).toBe(1);
    expect(result.messages.find((m) => m.trace?.type === 'ERROR')?.trace.error.message).toMatch(/--log-level must be one of/);
  });
});

void API_KEY;
void BEARER;
void QUERY_TOKEN;
