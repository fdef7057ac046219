/**
 * Faults through the real CLI: a failed sync exits non-zero with an error TRACE and a last STATE,
 * and `read --state` with that state completes the sync without gaps.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { records, runCli, tempFiles, type CliResult } from '../helpers/cli.js';
import { startFaultServer, type DataItem, type FaultServer } from '../helpers/fault-server.js';
import { CATALOG, expectExactlyOnce, expectUnionCovers, faultConfig, faultManifest, STACK_FRAME } from './support.js';

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(async () => server.close());
afterEach(() => server.reset());

function files() {
  return tempFiles({ 'manifest.yaml': faultManifest(), 'config.json': faultConfig(server), 'catalog.json': CATALOG });
}

/** The default backoff would wait 10 s before a retry; a constant 0-second backoff keeps tests quick. */
function quickRetryFiles() {
  const manifest = faultManifest({
    errorHandler: `        error_handler:
          type: DefaultErrorHandler
          max_retries: 3
          backoff_strategies: [{ type: ConstantBackoffStrategy, backoff_time_in_seconds: 0 }]`,
  });
  return tempFiles({ 'manifest.yaml': manifest, 'config.json': faultConfig(server), 'catalog.json': CATALOG });
}

async function read(f: ReturnType<typeof files>, extra: string[] = []): Promise<CliResult> {
  return runCli(['read', '--manifest', f['manifest.yaml']!, '--config', f['config.json']!, '--catalog', f['catalog.json']!, '--concurrency', '1', ...extra]);
}

const lastState = (r: CliResult) => r.messages.filter((m) => m.type === 'STATE').at(-1);
const errorTraces = (r: CliResult) => r.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error);

describe('manifold read under faults (CLI)', () => {
  it('a 429 with Retry-After: 1 is waited out; exit 0, every record once, final state', async () => {
    server.addFault({ fault: { kind: 'rate-limit', retryAfter: 'seconds', seconds: 1 }, when: (_r, n) => n === 3 });
    const result = await read(files());
    expect(result.code).toBe(0);
    expect(errorTraces(result)).toEqual([]);
    expectExactlyOnce(records(result, 'items') as DataItem[], server.records);
    expect(lastState(result)!.state.stream.stream_state).toEqual({ updated_at: '2024-01-02T15:00:00Z' });
    expect(server.dataRequests().length).toBe(11);
  });

  it('an HTML page with status 200 that stays: exit 1 after the retries, clear TRACE, and --state resumes without gaps', async () => {
    // Day 1 (5 pages) succeeds, day 2's second page is a maintenance page on every attempt.
    server.addFault({ fault: { kind: 'html-200' }, times: Infinity, when: (_r, n) => n >= 7 });
    const f = quickRetryFiles();
    const first = await read(f);
    expect(first.code).not.toBe(0);
    const [error] = errorTraces(first);
    expect(error.failure_type).toBe('system_error');
    expect(error.message).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/items\S* returned HTTP 200 with a body that is not valid JSON \(text\/html\).*Maintenance.*\(gave up after 4 attempts\)/,
    );
    expect(server.dataRequests().filter((r) => r.fault).length).toBe(4);
    expect(first.stdout + first.stderr).not.toContain(STACK_FRAME);
    expect(first.messages.some((m) => m.trace?.stream_status?.status === 'INCOMPLETE')).toBe(true);
    const state = lastState(first)!;
    expect(state.state.stream.stream_state).toEqual({ updated_at: '2024-01-01T23:00:00Z' });

    server.clearFaults();
    const statePath = join(f.dir, 'state.json');
    writeFileSync(statePath, JSON.stringify([state.state]));
    const second = await read(f, ['--state', statePath]);
    expect(second.code).toBe(0);
    expect(second.messages.filter((m) => m.type === 'RECORD').length).toBeGreaterThan(0);
    expectUnionCovers(records(first, 'items') as DataItem[], records(second, 'items') as DataItem[], server.records);
    expect(lastState(second)!.state.stream.stream_state).toEqual({ updated_at: '2024-01-02T15:00:00Z' });
  });

  it('an endless paginator: exit 1 with a pagination-loop TRACE, never a silent success', async () => {
    server.addFault({ fault: { kind: 'endless', cursor: 'same' }, times: Infinity });
    const result = await read(files());
    expect(result.code).not.toBe(0);
    expect(errorTraces(result)[0].message).toMatch(/Pagination loop in stream "items"/);
    expect(server.dataRequests().length).toBeLessThanOrEqual(3);
    expect(result.stderr).not.toContain(STACK_FRAME);
  });

  it('JSON cut short (Content-Length matching the cut) is fetched again; exit 0, every record once', async () => {
    server.addFault({ fault: { kind: 'truncated-json' }, when: (_r, n) => n === 4 });
    const result = await read(quickRetryFiles());
    expect(result.code).toBe(0);
    expect(errorTraces(result)).toEqual([]);
    expectExactlyOnce(records(result, 'items') as DataItem[], server.records);
    expect(server.dataRequests().length).toBe(11);
  });

  it('a connection reset on the first page is retried; exit 0', async () => {
    server.addFault({ fault: { kind: 'reset-mid-body' }, when: (_r, n) => n === 1 });
    const result = await read(quickRetryFiles());
    expect(result.code).toBe(0);
    expectExactlyOnce(records(result, 'items') as DataItem[], server.records);
    expect(server.dataRequests().length).toBe(11);
  });
});
