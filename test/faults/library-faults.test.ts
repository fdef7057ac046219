/**
 * Faults injected into a real local HTTP server, read through the library with a tiny backoff.
 * Each sync either completes with every record exactly once and the right final state, or stops
 * with a clear error TRACE and a last STATE from which a resumed run fills every gap.
 */
import { afterEach, beforeAll, afterAll, describe, expect, it } from '@jest/globals';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import {
  expectExactlyOnce,
  expectUnionCovers,
  faultManifest,
  lastCursor,
  readWithLibrary,
  seededFaults,
  resumeState,
  STACK_FRAME,
  type ReadOutcome,
} from './support.js';

// 40 hourly records from 2024-01-01T00:00Z, 5 per page: day 1 = 24 records (5 pages), day 2 = 16 (4 pages),
// plus the empty one-second window at the end date.
const CLEAN_REQUESTS = 10;
const FINAL_STATE = { updated_at: '2024-01-02T15:00:00Z' };
// Airbyte's default error handler: 5 retries, so 6 attempts at most.
const MAX_ATTEMPTS = 6;

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(async () => server.close());
afterEach(() => server.reset());

function expectComplete(outcome: ReadOutcome): void {
  expect(outcome.errors).toEqual([]);
  expect(outcome.statuses.at(-1)).toBe('COMPLETE');
  expectExactlyOnce(outcome.records, server.records);
  expect(lastCursor(outcome)).toEqual(FINAL_STATE);
}

/** A failed run, then a clean resumed run from its last state: nothing is lost. */
async function expectFailThenResume(outcome: ReadOutcome, messagePattern: RegExp): Promise<void> {
  expect(outcome.statuses).toContain('INCOMPLETE');
  expect(outcome.errors.length).toBeGreaterThanOrEqual(1);
  const [streamError] = outcome.errors;
  expect(streamError!.message).toMatch(messagePattern);
  expect(['system_error', 'transient_error', 'config_error']).toContain(streamError!.failure_type);
  // The run as a whole also reports failure (the CLI turns this into a non-zero exit code).
  expect(outcome.errors.at(-1)!.message).toMatch(/did not sync successfully: items/);
  for (const e of outcome.errors) expect(e.message).not.toContain(STACK_FRAME);
  expect(outcome.records.length).toBeLessThan(server.records.length);

  server.clearFaults();
  const before = server.dataRequests().length;
  const resumed = await readWithLibrary(server, { state: resumeState(outcome) });
  expect(resumed.errors).toEqual([]);
  expectUnionCovers(outcome.records, resumed.records, server.records);
  expect(lastCursor(resumed)).toEqual(FINAL_STATE);
  // The resumed run started from the checkpoint (or from the start date when there was none).
  const checkpoint = (lastCursor(outcome) as { updated_at?: string } | undefined)?.updated_at ?? '2024-01-01T00:00:00Z';
  expect(server.dataRequests()[before]!.query.start).toBe(checkpoint);
}

describe('faults that retries absorb: the sync completes exactly once', () => {
  it('a burst of 500s on one page is retried', async () => {
    server.addFault({ fault: { kind: 'status', status: 500 }, times: 3, when: (_r, n) => n >= 3 });
    const outcome = await readWithLibrary(server);
    expectComplete(outcome);
    expect(server.dataRequests().length).toBe(CLEAN_REQUESTS + 3);
    expect(server.dataRequests().filter((r) => r.fault).length).toBe(3);
  });

  it('502 and 503 bursts are retried', async () => {
    server.addFault({ fault: { kind: 'status', status: 502 }, times: 2, when: (_r, n) => n === 1 || n === 2 });
    server.addFault({ fault: { kind: 'status', status: 503 }, times: 2, when: (_r, n) => n >= 6 });
    const outcome = await readWithLibrary(server);
    expectComplete(outcome);
    expect(server.dataRequests().length).toBe(CLEAN_REQUESTS + 4);
  });

  it('429 with Retry-After in seconds waits and retries the same page', async () => {
    server.addFault({ fault: { kind: 'rate-limit', retryAfter: 'seconds', seconds: 1 }, times: 2, when: (_r, n) => n >= 4 });
    const outcome = await readWithLibrary(server);
    expectComplete(outcome);
    const data = server.dataRequests();
    expect(data.length).toBe(CLEAN_REQUESTS + 2);
    // The retried request is the same page as the rate-limited one.
    expect(data[4]!.query).toEqual(data[3]!.query);
    expect(data[5]!.query).toEqual(data[3]!.query);
  });

  it('429 with Retry-After as an HTTP date waits and retries', async () => {
    server.addFault({ fault: { kind: 'rate-limit', retryAfter: 'date', seconds: 1 }, times: 1, when: (_r, n) => n === 2 });
    const outcome = await readWithLibrary(server);
    expectComplete(outcome);
    expect(server.dataRequests().length).toBe(CLEAN_REQUESTS + 1);
  });

  it('a connection reset mid-body is retried', async () => {
    server.addFault({ fault: { kind: 'reset-mid-body' }, times: 2, when: (_r, n) => n >= 2 });
    const outcome = await readWithLibrary(server);
    expectComplete(outcome);
    expect(server.dataRequests().filter((r) => r.fault === 'reset-mid-body').length).toBe(2);
    expect(server.dataRequests().length).toBe(CLEAN_REQUESTS + 2);
  });

  it('JSON cut short with a matching Content-Length is fetched again', async () => {
    server.addFault({ fault: { kind: 'truncated-json' }, times: 2, when: (_r, n) => n === 7 || n === 8 });
    const outcome = await readWithLibrary(server);
    expectComplete(outcome);
    expect(server.dataRequests().filter((r) => r.fault === 'truncated-json').length).toBe(2);
    expect(server.dataRequests().length).toBe(CLEAN_REQUESTS + 2);
    // The retried request is the same page.
    expect(server.dataRequests()[7]!.query).toEqual(server.dataRequests()[6]!.query);
  });

  it('malformed JSON, an HTML page with status 200 and gzip cut short are fetched again', async () => {
    server.addFault({ fault: { kind: 'malformed-json' }, when: (_r, n) => n === 2 });
    server.addFault({ fault: { kind: 'html-200' }, when: (_r, n) => n === 5 });
    server.addFault({ fault: { kind: 'truncated-gzip' }, when: (_r, n) => n === 9 });
    const outcome = await readWithLibrary(server);
    expectComplete(outcome);
    expect(server.dataRequests().length).toBe(CLEAN_REQUESTS + 3);
  });

  it('a response slower than the client timeout is abandoned and retried', async () => {
    server.addFault({ fault: { kind: 'slow', delayMs: 5_000 }, times: 1, when: (_r, n) => n === 2 });
    const outcome = await readWithLibrary(server, { timeoutMs: 300 });
    expectComplete(outcome);
    expect(server.dataRequests().length).toBe(CLEAN_REQUESTS + 1);
  });

  it('a huge page (50k records) is read whole, each record once', async () => {
    const big = await startFaultServer({ count: 50_000, pageSize: 50_000, spacingMinutes: 1 });
    try {
      const outcome = await readWithLibrary(big, { incremental: false });
      expect(outcome.errors).toEqual([]);
      expect(outcome.statuses.at(-1)).toBe('COMPLETE');
      expect(outcome.records.length).toBe(50_000);
      expect(new Set(outcome.records.map((r) => r.id)).size).toBe(50_000);
      expect(outcome.records.at(-1)).toEqual(big.records.at(-1));
      expect(big.dataRequests().length).toBe(1);
    } finally {
      await big.close();
    }
  });
});

describe('faults that stop the sync: clear error, resumable state', () => {
  it('persistent 503s: bounded retries, error names method, URL and status, resume completes', async () => {
    // Day 1 (requests 1-5) succeeds; every request of day 2 fails.
    server.addFault({ fault: { kind: 'status', status: 503 }, times: Infinity, when: (r) => r.query.start?.startsWith('2024-01-02') ?? false });
    const outcome = await readWithLibrary(server);
    const failing = server.dataRequests().filter((r) => r.fault);
    expect(failing.length).toBe(MAX_ATTEMPTS);
    expect(outcome.errors[0]!.message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/items\?\S*start=2024-01-02\S* returned HTTP 503/);
    expect(outcome.errors[0]!.message).toMatch(/gave up after 6 attempts/);
    expect(outcome.errors[0]!.failure_type).toBe('transient_error');
    // Day 1 was checkpointed before the failure; day 2's records were never emitted.
    expect(outcome.records.map((r) => r.id)).toEqual(server.records.slice(0, 24).map((r) => r.id));
    expect(lastCursor(outcome)).toEqual({ updated_at: '2024-01-01T23:00:00Z' });
    await expectFailThenResume(outcome, /HTTP 503/);
  });

  it('a 429 that never ends gives up after a bounded number of attempts', async () => {
    server.addFault({ fault: { kind: 'rate-limit', retryAfter: 'seconds', seconds: 1 }, times: Infinity, when: (_r, n) => n >= 7 });
    const outcome = await readWithLibrary(server);
    expect(server.dataRequests().filter((r) => r.fault).length).toBe(MAX_ATTEMPTS);
    await expectFailThenResume(outcome, /HTTP 429/);
  });

  it('connection resets on every attempt: network error after bounded retries, resume completes', async () => {
    server.addFault({ fault: { kind: 'reset-mid-body' }, times: Infinity, when: (_r, n) => n >= 6 });
    const outcome = await readWithLibrary(server);
    expect(server.dataRequests().filter((r) => r.fault).length).toBe(MAX_ATTEMPTS);
    await expectFailThenResume(
      outcome,
      /items.*(ECONNRESET|premature|aborted|socket|closed|terminated)|(ECONNRESET|premature|aborted|socket|closed|terminated).*items/i,
    );
  });

  it('a body that stays invalid JSON fails loudly after the retry budget, naming method, URL, status and body', async () => {
    server.addFault({ fault: { kind: 'truncated-json' }, times: Infinity, when: (_r, n) => n >= 7 });
    const outcome = await readWithLibrary(server);
    expect(server.dataRequests().filter((r) => r.fault).length).toBe(MAX_ATTEMPTS);
    expect(outcome.errors[0]!.failure_type).toBe('system_error');
    expect(outcome.errors[0]!.message).toMatch(/gave up after 6 attempts/);
    await expectFailThenResume(
      outcome,
      /GET http:\/\/127\.0\.0\.1:\d+\/items\S* returned HTTP 200 with a body that is not valid JSON \(application\/json\): \{"data":\[/,
    );
  });

  it('a maintenance page with status 200 on every attempt fails with its excerpt', async () => {
    server.addFault({ fault: { kind: 'html-200' }, times: Infinity, when: (_r, n) => n >= 8 });
    const outcome = await readWithLibrary(server);
    expect(server.dataRequests().filter((r) => r.fault).length).toBe(MAX_ATTEMPTS);
    await expectFailThenResume(outcome, /HTTP 200 with a body that is not valid JSON \(text\/html\).*Maintenance/);
  });

  it('a POST read is not sent again when its body is invalid: it fails at once', async () => {
    server.addFault({ fault: { kind: 'malformed-json' }, times: Infinity, when: (_r, n) => n === 2 });
    const outcome = await readWithLibrary(server, { manifest: faultManifest().replace('http_method: GET', 'http_method: POST') });
    expect(server.dataRequests().filter((r) => r.fault).length).toBe(1);
    expect(outcome.states).toEqual([]);
    await expectFailThenResume(outcome, /POST http:\/\/127\.0\.0\.1:\d+\/items\S* returned HTTP 200 with a body that is not valid JSON.*\{"data"/);
  });

  it('an endless paginator returning the same cursor is stopped as a loop', async () => {
    server.addFault({ fault: { kind: 'endless', cursor: 'same' }, times: Infinity, when: (r) => r.query.start?.startsWith('2024-01-02') ?? false });
    const outcome = await readWithLibrary(server);
    // The first page, then the same token once more; then the loop is detected.
    expect(server.dataRequests().filter((r) => r.fault).length).toBeLessThanOrEqual(3);
    await expectFailThenResume(outcome, /Pagination loop in stream "items"/);
  });

  it('an endless paginator returning new cursors but the same records is stopped as a loop', async () => {
    server.addFault({ fault: { kind: 'endless', cursor: 'new' }, times: Infinity });
    const outcome = await readWithLibrary(server);
    expect(server.dataRequests().length).toBeLessThanOrEqual(3);
    await expectFailThenResume(outcome, /Pagination loop in stream "items".*same 5 record/);
  });

  it('slices read concurrently: a failing early window never lets the state skip past it', async () => {
    const pageFour = Buffer.from('offset:15').toString('base64url');
    server.addFault({
      fault: { kind: 'status', status: 500 },
      times: Infinity,
      when: (r) => (r.query.start?.startsWith('2024-01-01') ?? false) && r.query.cursor === pageFour,
    });
    const outcome = await readWithLibrary(server, { concurrency: 4 });
    // Day 2 was read in full while day 1 was stuck on page 4...
    expect(outcome.records.filter((r) => r.updated_at.startsWith('2024-01-02')).length).toBe(16);
    // ...but no checkpoint may claim day 1's unread records (15-24) as synced.
    for (const state of outcome.states) {
      const cursor = state.state.stream.stream_state.updated_at as string | undefined;
      if (cursor !== undefined) expect(cursor < server.records[15]!.updated_at).toBe(true);
    }
    await expectFailThenResume(outcome, /HTTP 500/);
  });

  it('a server that never answers within the timeout fails after bounded attempts', async () => {
    server.addFault({ fault: { kind: 'slow', delayMs: 10_000 }, times: Infinity, when: (_r, n) => n >= 3 });
    const outcome = await readWithLibrary(server, { timeoutMs: 100 });
    expect(server.dataRequests().filter((r) => r.fault).length).toBe(MAX_ATTEMPTS);
    await expectFailThenResume(outcome, /GET http:\/\/127\.0\.0\.1:\d+\/items\S* failed: .*(timeout|timed out)/i);
  });
});

describe('seeded fault runs: a long read through every retryable fault completes exactly once', () => {
  // 500 records, 5 per page, one full-refresh slice: 100 pages.
  let long: FaultServer;
  beforeAll(async () => {
    long = await startFaultServer({ count: 500, pageSize: 5, spacingMinutes: 1 });
  });
  afterAll(async () => long.close());
  afterEach(() => long.reset());

  it.each([1, 2, 3, 4])('seed %i', async (seed) => {
    long.setFaultPicker(seededFaults(seed));
    const outcome = await readWithLibrary(long, { incremental: false, timeoutMs: 5_000 });
    expect(outcome.errors).toEqual([]);
    expect(outcome.statuses.at(-1)).toBe('COMPLETE');
    expect(outcome.records.map((r) => r.id)).toEqual(long.records.map((r) => r.id));
    const faults = long.dataRequests().filter((r) => r.fault);
    expect(long.dataRequests().length).toBe(100 + faults.filter((r) => r.fault !== 'slow').length);
    // The run really went through faults, truncated bodies among them.
    expect(faults.length).toBeGreaterThanOrEqual(8);
    expect(faults.some((r) => r.fault === 'truncated-json' || r.fault === 'truncated-gzip')).toBe(true);
  });
});
