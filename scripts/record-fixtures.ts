/**
 * Regenerates fixtures/<vendor>/replay/ by running the real CLI (`read --record`) against the
 * vendor API mocks of test/vendors (served in-process by scripts/vendor-mocks-preload.ts, under
 * the vendors' real hostnames), then replays the recording offline and checks that it yields the
 * same records.
 *
 * For close-com it also records what a second `manifold sync` asks for (the incremental streams'
 * windows after the first run's cursors) as `second-sync-*` files, so the README's sync can be
 * run twice offline.
 *
 *   npx tsx scripts/record-fixtures.ts [clazar chartmogul clevertap close-com]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ALL = ['clazar', 'chartmogul', 'clevertap', 'close-com'];
const vendors = process.argv.slice(2).length ? process.argv.slice(2) : ALL;

function cli(args: string[], env: Record<string, string> = {}, preload = false): { status: number | null; stdout: string; stderr: string } {
  const nodeArgs = ['--import', 'tsx', ...(preload ? ['--import', './scripts/vendor-mocks-preload.ts'] : []), 'cli/main.ts', ...args];
  const run = spawnSync(process.execPath, nodeArgs, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 512 * 1024 * 1024 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function recordCounts(stdout: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const msg = JSON.parse(line) as { type: string; record?: { stream: string } };
    if (msg.type === 'RECORD') counts[msg.record!.stream] = (counts[msg.record!.stream] ?? 0) + 1;
  }
  // Streams finish in any order when read concurrently; compare counts, not arrival order.
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Two syncs against the mocks; the second one's requests not already recorded join the replay. */
function recordSecondSync(vendor: string, replayDir: string): void {
  const scratch = mkdtempSync(join(tmpdir(), 'manifold-record-'));
  const keyOf = (dir: string, file: string): string => {
    const { request } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { request: { method: string; url: string; body?: string } };
    return `${request.method} ${request.url} ${request.body ?? ''}`;
  };
  const known = new Set(readdirSync(replayDir).map((f) => keyOf(replayDir, f)));
  for (const run of ['first', 'second']) {
    const args = ['sync', '--manifest', `manifests/${vendor}.yaml`, '--config', `fixtures/${vendor}/config.json`, '--to', `duckdb:${join(scratch, 'db.duckdb')}`, '--record', join(scratch, run)];
    const result = cli(args, { MANIFOLD_MOCK_VENDOR: vendor }, true);
    if (result.status !== 0) throw new Error(`${vendor}: ${run} sync failed\n${result.stderr.slice(-2000)}`);
  }
  for (const file of readdirSync(join(scratch, 'second'))) {
    if (!known.has(keyOf(join(scratch, 'second'), file))) copyFileSync(join(scratch, 'second', file), join(replayDir, `second-sync-${file}`));
  }
  rmSync(scratch, { recursive: true, force: true });
}

let failed = false;
for (const vendor of vendors) {
  const replayDir = join('fixtures', vendor, 'replay');
  rmSync(replayDir, { recursive: true, force: true });
  const common = ['read', '--manifest', `manifests/${vendor}.yaml`, '--config', `fixtures/${vendor}/config.json`, '--quiet'];
  const recorded = cli([...common, '--record', replayDir], { MANIFOLD_MOCK_VENDOR: vendor }, true);
  if (recorded.status !== 0) {
    console.error(`${vendor}: recording failed (exit ${recorded.status})\n${recorded.stderr.slice(-2000)}`);
    failed = true;
    continue;
  }
  if (vendor === 'close-com') recordSecondSync(vendor, replayDir);
  const replayed = cli([...common, '--replay', replayDir]);
  const a = recordCounts(recorded.stdout);
  const b = recordCounts(replayed.stdout);
  const same = replayed.status === 0 && JSON.stringify(a) === JSON.stringify(b);
  const total = Object.values(a).reduce((x, y) => x + y, 0);
  console.log(`${vendor}: recorded ${total} records in ${Object.keys(a).length} streams → ${replayDir}; offline replay ${same ? 'matches' : 'DIFFERS'}`);
  if (!same) {
    console.error(replayed.stderr.slice(-2000));
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
