/**
 * Stopping a read part-way, through the built CLI against a real loopback server: SIGTERM/SIGINT
 * stop it cleanly (no new requests, an error TRACE, exit 128+n), and even `kill -9` loses nothing —
 * a run resumed from the last STATE written delivers every record at least once.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CLI, REPO, runCli, tempFiles } from '../helpers/cli.js';
import { startFaultServer, type DataItem, type FaultServer } from '../helpers/fault-server.js';
import { CATALOG, expectUnionCovers, faultConfig, faultManifest } from '../faults/support.js';

// 300 records 15 minutes apart: ~3 days (daily slices, a STATE after each), 5 records a page,
// every page a little slow so the read is still going when the signal comes.
let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer({ count: 300, pageSize: 5, spacingMinutes: 15 });
});
afterAll(async () => server.close());
afterEach(() => server.reset());

function files() {
  return tempFiles({
    'manifest.yaml': faultManifest(),
    'config.json': { ...faultConfig(server), end_date: '2024-01-05T00:00:00Z' },
    'catalog.json': CATALOG,
  });
}

type Message = Record<string, any>;

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  messages: Message[];
  /** Data requests the server had received when the signal was sent. */
  requestsAtSignal: number;
}

/** Starts a read and sends `signal` once `when` holds for the complete lines written so far. */
function readUntil(args: string[], when: (messages: Message[]) => boolean, signal: NodeJS.Signals): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'read', ...args], { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let requestsAtSignal = -1;
    const complete = (): Message[] =>
      text
        .split('\n')
        .slice(0, -1) // a line cut by kill -9 has no newline yet
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Message);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      text += d;
      if (requestsAtSignal < 0 && when(complete())) {
        requestsAtSignal = server.dataRequests().length;
        child.kill(signal);
      }
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, messages: complete(), requestsAtSignal }));
  });
}

const recordsOf = (messages: Message[]): DataItem[] => messages.filter((m) => m.type === 'RECORD').map((m) => m.record.data);
const statesOf = (messages: Message[]): Message[] => messages.filter((m) => m.type === 'STATE');
/**
 * Part-way: `n` daily checkpoints written (records reach stdout in chunks, and at the latest with
 * the STATE that follows them).
 */
const afterStates =
  (n: number) =>
  (messages: Message[]): boolean =>
    messages.filter((m) => m.type === 'STATE').length >= n;

async function resumeFrom(f: ReturnType<typeof files>, state: Message): Promise<DataItem[]> {
  const statePath = join(f.dir, 'state.json');
  writeFileSync(statePath, JSON.stringify([state.state]));
  const resumed = await runCli([
    'read',
    '-m',
    f['manifest.yaml']!,
    '-c',
    f['config.json']!,
    '--catalog',
    f['catalog.json']!,
    '--concurrency',
    '1',
    '--state',
    statePath,
  ]);
  expect(resumed.code).toBe(0);
  return recordsOf(resumed.messages);
}

/** Every record a STATE covers (cursor at or before it) was written before that STATE. */
function expectStatesCoverOnlyWrittenRecords(messages: Message[]): void {
  const written = new Set<number>();
  for (const m of messages) {
    if (m.type === 'RECORD') written.add(m.record.data.id);
    if (m.type === 'STATE') {
      const cursor = m.state.stream.stream_state.updated_at as string;
      for (const r of server.records) if (r.updated_at <= cursor) expect(written.has(r.id)).toBe(true);
    }
  }
}

// Both thread modes: the engine on the main thread, and in a read worker (engine/workers).
describe('interrupting a read', () => {
  it.each([
    ['SIGTERM', 143, '1'],
    ['SIGINT', 130, '1'],
    ['SIGTERM', 143, '2'],
    ['SIGINT', 130, '2'],
  ] as const)('%s: stops requesting, ends with an interrupted TRACE, exit %i, and a resume skips nothing (--threads %s)', async (signal, exitCode, threads) => {
    server.setFaultPicker(() => ({ kind: 'slow', delayMs: 40 }));
    const f = files();
    const stopped = await readUntil(
      ['-m', f['manifest.yaml']!, '-c', f['config.json']!, '--catalog', f['catalog.json']!, '--concurrency', '1', '--threads', threads],
      afterStates(1),
      signal,
    );
    expect(stopped.code).toBe(exitCode);
    const last = stopped.messages.at(-1)!;
    expect(last.type).toBe('TRACE');
    expect(last.trace.error.message).toMatch(new RegExp(`interrupted by ${signal}`));
    expect(stopped.messages.at(-2)).toMatchObject({ trace: { stream_status: { stream_descriptor: { name: 'items' }, status: 'INCOMPLETE' } } });
    // No new requests once the signal came: at most the page in flight and the one read ahead.
    expect(server.dataRequests().length - stopped.requestsAtSignal).toBeLessThanOrEqual(2);
    expect(recordsOf(stopped.messages).length).toBeLessThan(server.records.length);
    expectStatesCoverOnlyWrittenRecords(stopped.messages);

    server.clearFaults();
    const resumed = await resumeFrom(f, statesOf(stopped.messages).at(-1)!);
    expectUnionCovers(recordsOf(stopped.messages), resumed, server.records);
  });

  it.each(['1', '2'])('kill -9 mid-read: a run resumed from the last STATE written delivers every record at least once (--threads %s)', async (threads) => {
    server.setFaultPicker(() => ({ kind: 'slow', delayMs: 40 }));
    const f = files();
    const killed = await readUntil(
      ['-m', f['manifest.yaml']!, '-c', f['config.json']!, '--catalog', f['catalog.json']!, '--concurrency', '1', '--threads', threads],
      afterStates(2),
      'SIGKILL',
    );
    expect(killed.signal).toBe('SIGKILL');
    const firstRun = recordsOf(killed.messages);
    expect(firstRun.length).toBeLessThan(server.records.length);
    expectStatesCoverOnlyWrittenRecords(killed.messages);

    server.clearFaults();
    const resumed = await resumeFrom(f, statesOf(killed.messages).at(-1)!);
    expectUnionCovers(firstRun, resumed, server.records);
    // The resumed run started at the checkpoint: it re-reads at most what came after it.
    const cursor = statesOf(killed.messages).at(-1)!.state.stream.stream_state.updated_at as string;
    expect(resumed.every((r) => r.updated_at >= cursor)).toBe(true);
  });
});
