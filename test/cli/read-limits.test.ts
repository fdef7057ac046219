/** `read --limit-records / --limit-pages / --limit-slices` (test reads) through the built CLI. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { records, runCli } from '../helpers/cli.js';
import { files, sortedIds, startApi, type Api } from './fixture.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.server.close());

function since(path: string, from: number): Array<string | undefined> {
  return api
    .requestsTo(path)
    .slice(from)
    .map((r) => r.query.since);
}

describe('read limits', () => {
  it('without limits reads all pages and all slices (the baseline the limits cut)', async () => {
    const before = api.server.requests.length;
    const f = files(api, ['items', 'events']);
    const result = await runCli(['read', ...f.args]);
    expect(result.code).toBe(0);
    expect(records(result, 'items').map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(sortedIds(records(result, 'events'))).toEqual([1, 2, 3]);
    const sent = api.server.requests.slice(before);
    expect(sent.filter((r) => r.path === '/api/items').map((r) => r.query.page)).toEqual(['1', '2', '3', '4']);
    // Five one-day windows, 2024-01-01 .. 2024-01-05 (requested concurrently: in any order).
    expect(
      sent
        .filter((r) => r.path === '/api/events')
        .map((r) => r.query.since?.slice(0, 10))
        .sort(),
    ).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
  });

  it('--limit-records N emits N records and stops requesting pages once it has them', async () => {
    const before = api.requestsTo('/api/items').length;
    const f = files(api, ['items']);
    const result = await runCli(['read', ...f.args, '--limit-records', '3']);
    expect(result.code).toBe(0);
    expect(records(result, 'items').map((r) => r.id)).toEqual([1, 2, 3]);
    // Record 3 is on page 2: pages 3 and 4 are never asked for.
    expect(
      api
        .requestsTo('/api/items')
        .slice(before)
        .map((r) => r.query.page),
    ).toEqual(['1', '2']);
  });

  it('--limit-records applies to each stream separately', async () => {
    const f = files(api, ['items', 'events']);
    // One slice at a time, so "the first two records" of events are well defined.
    const result = await runCli(['read', ...f.args, '--limit-records', '2', '--concurrency', '1']);
    expect(records(result, 'items').map((r) => r.id)).toEqual([1, 2]);
    expect(records(result, 'events').map((r) => r.id)).toEqual([1, 2]);
  });

  // Known engine bug (engine/stream, not cli/): the page after the limit is still requested — the
  // retriever asks for the next page before the stream sees the limit reached; the extra page's
  // records are dropped, so the output is right but the API gets one request too many.
  it('--limit-pages N requests N pages', async () => {
    const before = api.requestsTo('/api/items').length;
    const f = files(api, ['items']);
    const result = await runCli(['read', ...f.args, '--limit-pages', '2']);
    expect(result.code).toBe(0);
    expect(
      api
        .requestsTo('/api/items')
        .slice(before)
        .map((r) => r.query.page),
    ).toEqual(['1', '2']);
    expect(records(result, 'items').map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });

  it('--limit-pages counts pages per slice, as its help says (each one-page slice is still read)', async () => {
    const before = api.requestsTo('/api/events').length;
    const f = files(api, ['events']);
    const result = await runCli(['read', ...f.args, '--limit-pages', '1']);
    expect(result.code).toBe(0);
    expect(since('/api/events', before)).toHaveLength(5);
    expect(sortedIds(records(result, 'events'))).toEqual([1, 2, 3]);
  });

  it('--limit-pages counts per slice in incremental reads too', async () => {
    const before = api.requestsTo('/api/events').length;
    const f = files(api, ['events'], 'incremental');
    // Fewer slices in flight than the 5 slices, so a per-stream count would stop the read early.
    const result = await runCli(['read', ...f.args, '--limit-pages', '1', '--concurrency', '4']);
    expect(result.code).toBe(0);
    expect(since('/api/events', before)).toHaveLength(5);
  });

  it('--limit-pages N still emits the records of the first N pages', async () => {
    const f = files(api, ['items']);
    const result = await runCli(['read', ...f.args, '--limit-pages', '2']);
    expect(result.code).toBe(0);
    expect(records(result, 'items').map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });

  it('--limit-slices N reads the first N slices only', async () => {
    const before = api.requestsTo('/api/events').length;
    const f = files(api, ['events']);
    const result = await runCli(['read', ...f.args, '--limit-slices', '2']);
    expect(result.code).toBe(0);
    expect(
      since('/api/events', before)
        .map((s) => s?.slice(0, 10))
        .sort(),
    ).toEqual(['2024-01-01', '2024-01-02']);
    expect(sortedIds(records(result, 'events'))).toEqual([1, 2]);
  });

  it('rejects a limit that is not a whole number ≥ 1 before sending anything', async () => {
    const before = api.server.requests.length;
    const f = files(api, ['items']);
    for (const [flag, value] of [
      ['--limit-records', '0'],
      ['--limit-pages', 'two'],
      ['--limit-slices', '1.5'],
    ]) {
      const result = await runCli(['read', ...f.args, flag!, value!]);
      expect(result.code).toBe(1);
      const trace = result.messages.find((m) => m.trace?.type === 'ERROR');
      expect(trace?.trace.error.failure_type).toBe('config_error');
      expect(trace?.trace.error.message).toContain(flag);
      expect(result.stderr).toContain(`${flag} takes a whole number`);
    }
    expect(api.server.requests.length).toBe(before);
  });
});
