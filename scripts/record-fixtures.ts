/**
 * Regenerates fixtures/<vendor>/replay/ by running the real CLI (`read --record`) against the
 * vendor API mocks of test/vendors (served in-process by scripts/vendor-mocks-preload.ts, under
 * the vendors' real hostnames), then replays the recording offline and checks that it yields the
 * same records.
 *
 *   npx tsx scripts/record-fixtures.ts [clazar chartmogul clevertap close-com]
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
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
