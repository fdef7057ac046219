/**
 * `npm run soak`: the shipped source manifests (manifests/*.yaml except destinations) each read in
 * full from their recorded replays (fixtures/<vendor>/replay) many times in a row through the
 * built CLI, while a busy child process competes for the CPU. Every run must exit 0, and every run
 * of a manifest must produce the same messages (emitted_at stripped; compared as a sorted multiset
 * of lines, since streams read concurrently interleave differently from run to run).
 *
 *   node bench/soak.mjs [--runs 50] [--busy 1]
 *
 * Not part of `npm test` (minutes of wall time). Exits 1 if any run fails or differs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/cli/main.js');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '50' }, busy: { type: 'string', default: '1' } } });
const RUNS = Math.max(1, Number(values.runs) || 50);
const BUSY = Math.max(0, Number(values.busy) || 0);

if (!existsSync(cli)) {
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

const vendors = readdirSync(join(root, 'manifests'))
  .filter((f) => f.endsWith('.yaml') && !/type:\s*DeclarativeDestination/.test(readFileSync(join(root, 'manifests', f), 'utf8')))
  .map((f) => f.replace(/\.yaml$/, ''))
  .filter((v) => existsSync(join(root, 'fixtures', v, 'replay')));

/** The CPU hog: a child spinning until killed. */
function startBusy() {
  return spawn(process.execPath, ['-e', 'for (;;) { Math.sqrt(Math.random()); }'], { stdio: 'ignore' });
}

/** One read; resolves with its exit code, stderr and the canonical form of its stdout. */
function readOnce(vendor) {
  const args = [
    cli,
    'read',
    '-m',
    join(root, 'manifests', `${vendor}.yaml`),
    '-c',
    join(root, 'fixtures', vendor, 'config.json'),
    '--replay',
    join(root, 'fixtures', vendor, 'replay'),
  ];
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    let stderr = '';
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => {
      const text = Buffer.concat(out).toString('utf8');
      const lines = text.split('\n').filter((l) => l.trim());
      let unparsable = 0;
      const canonical = lines
        .map((l) => {
          try {
            return JSON.stringify(withoutTimestamps(JSON.parse(l)));
          } catch {
            unparsable++;
            return l;
          }
        })
        .sort();
      const counts = {};
      for (const l of lines) {
        if (!l.startsWith('{"type":"RECORD"')) continue;
        const stream = JSON.parse(l).record.stream;
        counts[stream] = (counts[stream] ?? 0) + 1;
      }
      resolve({
        code,
        signal,
        stderr,
        ms: Date.now() - started,
        lines: lines.length,
        unparsable,
        records: Object.values(counts).reduce((a, b) => a + b, 0),
        hash: createHash('sha256').update(canonical.join('\n')).digest('hex').slice(0, 16),
      });
    });
  });
}

function withoutTimestamps(message) {
  if (message.record) delete message.record.emitted_at;
  if (message.trace) delete message.trace.emitted_at;
  if (message.control) delete message.control.emitted_at;
  return message;
}

const hogs = Array.from({ length: BUSY }, startBusy);
const stopHogs = () => hogs.forEach((h) => h.kill('SIGKILL'));
process.on('exit', stopHogs);

const startedAt = new Date().toISOString();
const summary = [];
let failed = false;
for (const vendor of vendors) {
  const results = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await readOnce(vendor);
    results.push(r);
    if (r.code !== 0) process.stderr.write(`${vendor} run ${i + 1}: exit ${r.code ?? r.signal}\n${r.stderr.slice(0, 2000)}\n`);
  }
  const codes = {};
  for (const r of results) codes[r.code ?? r.signal] = (codes[r.code ?? r.signal] ?? 0) + 1;
  const hashes = new Set(results.map((r) => r.hash));
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const ok = results.every((r) => r.code === 0 && r.unparsable === 0) && hashes.size === 1;
  if (!ok) failed = true;
  summary.push({
    vendor,
    runs: RUNS,
    exitCodes: codes,
    distinctOutputs: hashes.size,
    records: results[0].records,
    lines: results[0].lines,
    medianMs: ms[Math.floor(ms.length / 2)],
    maxMs: ms.at(-1),
    ok,
  });
  process.stderr.write(`${vendor}: ${JSON.stringify(summary.at(-1))}\n`);
}
stopHogs();

console.log(
  `\nSoak: ${RUNS} runs per manifest, ${BUSY} busy process(es), ${cpus().length} cores, Node ${process.version}, started ${startedAt}, load average now ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
console.log('| manifest | runs | exit codes | distinct outputs | records per run | lines per run | median s | max s | result |');
console.log('|----------|------|------------|------------------|-----------------|---------------|----------|-------|--------|');
for (const s of summary) {
  const codes = Object.entries(s.exitCodes)
    .map(([c, n]) => `${c}: ${n}`)
    .join(', ');
  console.log(
    `| ${s.vendor} | ${s.runs} | ${codes} | ${s.distinctOutputs} | ${s.records} | ${s.lines} | ${(s.medianMs / 1000).toFixed(2)} | ${(s.maxMs / 1000).toFixed(2)} | ${s.ok ? 'pass' : 'FAIL'} |`,
  );
}
process.exit(failed ? 1 : 0);
