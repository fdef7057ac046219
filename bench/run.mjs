/**
 * `npm run bench`: runs each scenario through the real CLI (`node dist/cli/main.js`) and through
 * the hand-written baseline in the same run, against the local bench server, and prints a table.
 *
 *   node bench/run.mjs [--scenarios 1,2,...] [--records N] [--rounds N]
 *
 * Scenarios: 1 cursor pagination · 2 filter + transformations · 3 peak RSS 10k, N/10 and N records ·
 * 4 sixteen streams with 50 ms latency, --concurrency 1 vs default · 5 rate-limited server with an
 * api_budget · 6 cold start (spec, read to first record) · 7 `sync` into DuckDB against `read` of the
 * same records, alternating (records/s ratio, peak RSS at N/10 and N records) · 8 `sync` into
 * PostgreSQL (COPY) against psql's \\copy of the same records as JSON lines into a jsonb column ·
 * 9 incremental substream with per-partition state over 1k / 10k / 30k / 100k parents, one child
 * record each: STATE messages and bytes (target ≤ 5 MB at 30k), wall time, peak RSS ·
 * 10 issue 20's 10-field records (plain, then RecordFilter + 2 AddFields) · 11 wide records (~1 KB:
 * long strings, nested objects and arrays), both with the engine on --threads 2 and on
 * --threads 1 against the baseline, alternating rounds · 12 start-up: `--version` and `spec` through
 * the bin file's shebang (what node_modules/.bin/manifold and a global install run), median of 5.
 * 13 a second incremental `sync` with nothing new, against `read` of the same window from the same
 * state (the API calls): the difference is sync's own overhead (target < 1 s).
 * Children's stdout is consumed line by line, as a destination would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { peakPerWindow, startServer } from './server.mjs';
import { startPostgres } from './postgres.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/cli/main.js');
/** Node flags the installed `manifold` command runs with (from its shebang), so the bench measures the CLI as users run it. */
function cliNodeFlags() {
  // For flag experiments: BENCH_CLI_NODE_FLAGS="--max-semi-space-size=4" npm run bench
  if (process.env.BENCH_CLI_NODE_FLAGS !== undefined) return process.env.BENCH_CLI_NODE_FLAGS.split(/\s+/).filter(Boolean);
  if (!existsSync(cli)) return [];
  const first = readFileSync(cli, 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env -S node (.*)$/.exec(first);
  return m ? m[1].trim().split(/\s+/) : [];
}
const probe = join(root, 'bench/rusage-probe.mjs');
const manifests = join(root, 'bench/manifests');

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: '1,2,3,4,5,6,7,8,9,10,11,12,13' },
    records: { type: 'string', default: '1000000' },
    // Throughput scenarios (1, 2) alternate engine and baseline runs this many times and report medians:
    // on a shared host one run of each can differ by ±15% for reasons that have nothing to do with either.
    rounds: { type: 'string', default: '3' },
  },
});
const selected = new Set(values.scenarios.split(',').map((s) => s.trim()));
const RECORDS = Number(values.records);
const ROUNDS = Math.max(1, Number(values.rounds) || 1);
const work = mkdtempSync(join(tmpdir(), 'manifold-bench-'));
const rows = [];
const notes = [];

function ensureBuilt() {
  if (existsSync(cli)) return;
  process.stderr.write('dist/cli/main.js missing: running npm run build\n');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed; the engine rows cannot run');
}

let runSeq = 0;
/** Runs a node script as a measured child; resolves with records, wall time, CPU, RSS, first-record latency. */
function measure(args, { stopAtFirstRecord = false } = {}) {
  const rusageFile = join(work, `rusage-${++runSeq}.json`);
  const started = process.hrtime.bigint();
  const flags = args[0] === cli ? cliNodeFlags() : [];
  const child = spawn(process.execPath, [...flags, '--import', probe, ...args], {
    cwd: root,
    env: { ...process.env, BENCH_RUSAGE_FILE: rusageFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  let records = 0;
  let states = 0;
  let stateBytes = 0;
  let firstRecordMs;
  const errors = [];
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.startsWith('{"type":"RECORD"')) {
      records++;
      if (firstRecordMs === undefined) {
        firstRecordMs = Number(process.hrtime.bigint() - started) / 1e6;
        if (stopAtFirstRecord) child.kill('SIGTERM');
      }
    } else if (line.startsWith('{"type":"STATE"')) {
      states++;
      stateBytes += Buffer.byteLength(line) + 1;
    } else if (line.includes('"failure_type"') || line.includes('"level":"ERROR"')) {
      if (errors.length < 3) errors.push(line.slice(0, 300));
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      let usage;
      try {
        usage = JSON.parse(readFileSync(rusageFile, 'utf8'));
      } catch {
        usage = undefined;
      }
      const ok = code === 0 || (stopAtFirstRecord && signal === 'SIGTERM') || (stopAtFirstRecord && firstRecordMs !== undefined);
      if (!ok) notes.push(`node ${args.join(' ')} exited ${code ?? signal}: ${(errors[0] ?? stderr).slice(0, 400)}`);
      resolve({
        ok,
        records,
        states,
        stateBytes,
        wallS,
        firstRecordMs,
        cpuS: usage ? (usage.userUs + usage.systemUs) / 1e6 : undefined,
        rssMb: usage ? usage.maxRssKb / 1024 : undefined,
        stderr,
      });
    });
  });
}

function config(values) {
  const file = join(work, `config-${++runSeq}.json`);
  writeFileSync(file, JSON.stringify(values));
  return file;
}

const engine = (manifest, cfg, extra = []) => measure([cli, 'read', '--manifest', join(manifests, manifest), '--config', cfg, ...extra]);
const baseline = (url, streams, extra = []) => measure([join(root, 'bench/baseline.mjs'), '--url', url, '--streams', streams, ...extra]);

function row(scenario, runner, r, extra = '') {
  rows.push({ scenario, runner, ...r, extra });
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Engine and baseline, alternately (who goes first alternates too), ROUNDS times. Rows carry the
 * median wall and CPU time and the highest peak RSS; the note lists each round's throughput ratio.
 */
async function alternating(scenario, runEngine, runBaseline) {
  const runs = { engine: [], baseline: [] };
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? ['engine', 'baseline'] : ['baseline', 'engine'];
    for (const who of order) runs[who].push(await (who === 'engine' ? runEngine() : runBaseline()));
  }
  const summary = (rs) => ({
    ok: rs.every((r) => r.ok),
    records: rs[0].records,
    wallS: median(rs.map((r) => r.wallS)),
    cpuS: median(rs.map((r) => r.cpuS ?? NaN)),
    rssMb: Math.max(...rs.map((r) => r.rssMb ?? 0)),
  });
  const ratios = runs.engine.map((e, i) => (runs.baseline[i].wallS > 0 ? e.records / e.wallS / (runs.baseline[i].records / runs.baseline[i].wallS) : NaN));
  const note = ROUNDS > 1 ? `median of ${ROUNDS} alternating runs; each round ${ratios.map((r) => `${r.toFixed(2)}x`).join(', ')}` : '';
  row(scenario, 'engine', summary(runs.engine), note);
  row(scenario, 'baseline', summary(runs.baseline));
}

/**
 * Like alternating(), for several engine variants (e.g. default threads and --threads 1) against one
 * baseline: every round runs each runner once, the order rotating, so load changes hit all alike.
 * Each engine row's ratio is to the baseline row; the note lists each round's ratio.
 */
async function alternatingRunners(scenario, engines, runBaseline) {
  const runners = [...engines, { name: 'baseline', run: runBaseline }];
  const runs = runners.map(() => []);
  for (let i = 0; i < ROUNDS; i++) {
    for (let k = 0; k < runners.length; k++) {
      const j = (k + i) % runners.length;
      runs[j].push(await runners[j].run());
    }
  }
  const summary = (rs) => ({
    ok: rs.every((r) => r.ok),
    records: rs[0].records,
    wallS: median(rs.map((r) => r.wallS)),
    cpuS: median(rs.map((r) => r.cpuS ?? NaN)),
    rssMb: Math.max(...rs.map((r) => r.rssMb ?? 0)),
  });
  const base = runs.at(-1);
  const rate = (r) => (r.wallS > 0 ? r.records / r.wallS : NaN);
  engines.forEach((e, j) => {
    const ratios = runs[j].map((r, i) => rate(r) / rate(base[i]));
    const note =
      ROUNDS > 1
        ? `median of ${ROUNDS} rotating rounds; each round ${ratios.map((x) => `${x.toFixed(2)}x`).join(', ')}; peak RSS per round ${runs[j].map((r) => fmt(r.rssMb, 0)).join('/')} MB`
        : '';
    row(scenario, e.name, summary(runs[j]), note);
  });
  row(scenario, 'baseline', summary(base));
}

/** The engine in worker mode (--threads 2) and on one thread (--threads 1, the default). */
const threadVariants = (manifest, cfg) => [
  { name: 'engine --threads 2', run: () => engine(manifest, cfg, ['--threads', '2']) },
  { name: 'engine --threads 1', run: () => engine(manifest, cfg, ['--threads', '1']) },
];

async function withServer(options, fn) {
  const server = await startServer(options);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

const streamNames = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`).join(',');

const scenarios = {
  1: async () =>
    withServer({ recordsPerStream: RECORDS }, async (s) => {
      const cfg = config({ base_url: s.url });
      await alternating(
        '1 cursor pagination',
        () => engine('1-cursor-pagination.yaml', cfg),
        () => baseline(s.url, 'items'),
      );
    }),
  2: async () =>
    withServer({ recordsPerStream: RECORDS }, async (s) => {
      const cfg = config({ base_url: s.url });
      await alternating(
        '2 filter+2 AddFields+RemoveFields',
        () => engine('2-filter-transform.yaml', cfg),
        () => baseline(s.url, 'items', ['--transform']),
      );
    }),
  3: async () => {
    // Three sizes, so a plateau (flat) is told apart from growth with the record count.
    for (const n of [...new Set([10_000, Math.max(10_000, Math.round(RECORDS / 10)), RECORDS])]) {
      await withServer({ recordsPerStream: n }, async (s) => {
        const cfg = config({ base_url: s.url });
        row(`3 peak RSS, ${n} records`, 'engine', await engine('1-cursor-pagination.yaml', cfg));
        row(`3 peak RSS, ${n} records`, 'baseline', await baseline(s.url, 'items'));
      });
    }
  },
  4: async () => {
    // 16 streams × 10 pages × 50 ms: concurrency is what decides the wall time here.
    const perStream = Math.max(1000, Math.min(10_000, Math.floor(RECORDS / 16)));
    await withServer({ recordsPerStream: perStream, latencyMs: 50 }, async (s) => {
      const cfg = config({ base_url: s.url });
      const streams = streamNames('s', 16);
      row('4 16 streams, 50 ms latency', 'engine --concurrency 1', await engine('4-sixteen-streams.yaml', cfg, ['--concurrency', '1']));
      row('4 16 streams, 50 ms latency', 'engine (default)', await engine('4-sixteen-streams.yaml', cfg));
      row('4 16 streams, 50 ms latency', 'baseline concurrency 1', await baseline(s.url, streams, ['--concurrency', '1']));
      row('4 16 streams, 50 ms latency', 'baseline concurrency 4', await baseline(s.url, streams, ['--concurrency', '4']));
    });
  },
  5: async () => {
    // 4 streams × 15 pages of 100 against 10 requests per 2 s: the run spans several windows.
    const limit = 10;
    const windowMs = 2000;
    const perStream = 1500;
    const pages = 4 * Math.ceil(perStream / 100);
    const scenario = `5 rate limit ${limit}/${windowMs / 1000}s`;
    for (const runner of ['engine', 'baseline']) {
      await withServer({ recordsPerStream: perStream, rateLimit: { limit, windowMs } }, async (s) => {
        const cfg = config({ base_url: s.url, rate_limit: limit, page_size: 100 });
        const r =
          runner === 'engine'
            ? await engine('5-rate-limited.yaml', cfg, ['--concurrency', '4'])
            : await baseline(s.url, 'r1,r2,r3,r4', ['--concurrency', '4', '--page-size', '100']);
        const peak = peakPerWindow(s.stats.acceptedAt, windowMs);
        const span = s.stats.acceptedAt.length > 1 ? s.stats.acceptedAt.at(-1) - s.stats.acceptedAt[0] : 0;
        // Ideal: `limit` requests per window after the first burst.
        const idealS = (Math.ceil(pages / limit) - 1) * (windowMs / 1000);
        row(
          scenario,
          runner,
          r,
          `${pages} pages; peak ${peak}/${limit} per window; 429s ${s.stats.rejected}; pages span ${(span / 1000).toFixed(1)} s (ideal ${idealS.toFixed(1)} s, utilisation ${span ? Math.min(100, (100 * idealS * 1000) / span).toFixed(0) : '-'}%)`,
        );
      });
    }
  },
  6: async () => {
    const specCfg = [cli, 'spec', '--manifest', join(manifests, '1-cursor-pagination.yaml')];
    const spec = await measure(specCfg);
    row('6 cold start', 'engine spec', spec, `spec exits after ${(spec.wallS * 1000).toFixed(0)} ms`);
    await withServer({ recordsPerStream: 10_000 }, async (s) => {
      const cfg = config({ base_url: s.url });
      const r = await measure([cli, 'read', '--manifest', join(manifests, '1-cursor-pagination.yaml'), '--config', cfg], { stopAtFirstRecord: true });
      row('6 cold start', 'engine read', r, `first record after ${r.firstRecordMs?.toFixed(0)} ms`);
      const b = await measure([join(root, 'bench/baseline.mjs'), '--url', s.url, '--streams', 'items'], { stopAtFirstRecord: true });
      row('6 cold start', 'baseline read', b, `first record after ${b.firstRecordMs?.toFixed(0)} ms`);
    });
  },
  7: async () => {
    // `sync` pairs with `read` of the same server in the same run (read is this scenario's
    // "baseline" row, so the ratio column is sync records/s over read records/s).
    const syncRun = async (cfg, db) => {
      const r = await measure([cli, 'sync', '--manifest', join(manifests, '1-cursor-pagination.yaml'), '--config', cfg, '--to', `duckdb:${db}`]);
      const m = /items → items: (\d+) read/.exec(r.stderr);
      return { ...r, records: m ? Number(m[1]) : 0 };
    };
    // Sync and read alternate (ROUNDS times, who goes first alternating) so the ratio is not the
    // machine's mood; the RSS at N/10 and N shows whether memory stays flat.
    for (const n of [...new Set([Math.max(10_000, Math.round(RECORDS / 10)), RECORDS])]) {
      await withServer({ recordsPerStream: n }, async (s) => {
        const cfg = config({ base_url: s.url });
        let runs = 0;
        await alternating(
          `7 sync into DuckDB, ${n} records (engine = sync, baseline = read)`,
          () => syncRun(cfg, join(work, `sync-${n}-${++runs}.duckdb`)),
          () => engine('1-cursor-pagination.yaml', cfg),
        );
      });
    }
  },
  8: async () => {
    const pg = await startPostgres();
    if (!pg) {
      notes.push('scenario 8 skipped: PostgreSQL binaries not installed (apt-get install -y postgresql)');
      return;
    }
    try {
      await withServer({ recordsPerStream: RECORDS }, async (s) => {
        const cfg = config({ base_url: s.url });
        const scenario = `8 sync into PostgreSQL, ${RECORDS} records`;
        // The same records as JSON lines, written once by the engine (not timed).
        const jsonl = join(pg.dir, 'records.jsonl');
        await new Promise((resolve, reject) => {
          const out = createWriteStream(jsonl);
          const child = spawn(process.execPath, [cli, 'read', '--manifest', join(manifests, '1-cursor-pagination.yaml'), '--config', cfg], {
            stdio: ['ignore', 'pipe', 'ignore'],
          });
          createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (l) => {
            if (l.startsWith('{"type":"RECORD"')) out.write(`${JSON.stringify(JSON.parse(l).record.data)}\n`);
          });
          child.on('error', reject);
          child.on('close', () => out.end(resolve));
        });
        if (userInfo().uid === 0) spawnSync('chown', ['postgres', jsonl]);
        pg.psql(['-c', 'CREATE TABLE raw_copy (doc jsonb)']);
        const started = process.hrtime.bigint();
        // CSV with quote and delimiter characters JSON text never contains: each line is one value.
        pg.psql(['-c', `\\copy raw_copy (doc) FROM '${jsonl}' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')`]);
        const wallS = Number(process.hrtime.bigint() - started) / 1e9;
        const copied = Number(pg.psql(['-tA', '-c', 'SELECT count(*) FROM raw_copy']).trim());
        row(
          scenario,
          'baseline: psql \\copy JSONL',
          { ok: copied === RECORDS, records: copied, wallS },
          'one jsonb column; CPU and RSS are psql + server, not measured',
        );
        const r = await measure([cli, 'sync', '--manifest', join(manifests, '1-cursor-pagination.yaml'), '--config', cfg, '--to', pg.url]);
        const m = /items → items: (\d+) read/.exec(r.stderr);
        row(scenario, 'engine sync', { ...r, records: m ? Number(m[1]) : 0 }, 'typed columns + V2 metadata, overwrite; client CPU/RSS only');
        // The same rows through sync's loader alone (no HTTP, no parsing): the COPY path itself.
        const load = await measure([join(root, 'bench/sync-load.mjs'), '--to', pg.url, '--records', String(RECORDS)]);
        const loaded = /loaded (\d+) rows/.exec(load.stderr);
        row(
          scenario,
          'engine load only (COPY)',
          { ...load, records: loaded ? Number(loaded[1]) : 0 },
          'stream loader fed in memory: typed columns + V2 metadata, overwrite',
        );
        // And the read alone, so the load's cost shows as sync vs read.
        const read = await engine('1-cursor-pagination.yaml', cfg);
        row(scenario, 'engine read (no load)', read, `sync/read ${fmt(r.wallS > 0 && read.wallS > 0 ? read.wallS / r.wallS : NaN, 2)}x rec/s`);
      });
    } finally {
      pg.stop();
    }
  },
  9: async () => {
    for (const n of [1_000, 10_000, 30_000, 100_000]) {
      await withServer({ parents: n }, async (s) => {
        const cfg = config({ base_url: s.url });
        const catalog = join(work, `catalog-9-${n}.json`);
        writeFileSync(
          catalog,
          JSON.stringify({
            streams: [
              {
                stream: { name: 'children', json_schema: {}, supported_sync_modes: ['incremental'] },
                sync_mode: 'incremental',
                destination_sync_mode: 'append',
              },
            ],
          }),
        );
        const r = await engine('9-n-parents.yaml', cfg, ['--catalog', catalog]);
        row(`9 ${n} parents, per-partition state`, 'engine', r, `${r.states} STATE messages, ${fmt(r.stateBytes / 1e6, 2)} MB of state`);
      });
    }
  },
  10: async () =>
    withServer({ recordsPerStream: RECORDS, shape: 'ten' }, async (s) => {
      const cfg = config({ base_url: s.url });
      await alternatingRunners('10a 10 fields, plain', threadVariants('1-cursor-pagination.yaml', cfg), () => baseline(s.url, 'items'));
      // The same manifest as scenario 2: its RemoveFields names a field these records do not have.
      await alternatingRunners('10b 10 fields, filter+2 AddFields', threadVariants('2-filter-transform.yaml', cfg), () =>
        baseline(s.url, 'items', ['--transform']),
      );
    }),
  11: async () =>
    withServer({ recordsPerStream: RECORDS, shape: 'wide' }, async (s) => {
      const cfg = config({ base_url: s.url });
      await alternatingRunners('11 wide records (~1 KB, nested)', threadVariants('1-cursor-pagination.yaml', cfg), () => baseline(s.url, 'items'));
    }),
  12: async () => {
    // The bin file run through its own shebang, as node_modules/.bin/manifold (a symlink to it) and
    // a global install run it; the probe is left out so nothing but the CLI is timed.
    const timed = (args) => {
      const started = process.hrtime.bigint();
      const r = spawnSync(cli, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      return { ok: r.status === 0, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    };
    for (const [label, args] of [
      ['--version', ['--version']],
      ['spec', ['spec', '--manifest', join(manifests, '1-cursor-pagination.yaml')]],
    ]) {
      const runs = Array.from({ length: 5 }, () => timed(args));
      const ms = median(runs.map((r) => r.ms));
      row(
        '12 start-up (bin shebang)',
        `engine ${label}`,
        { ok: runs.every((r) => r.ok), records: 0, wallS: ms / 1000 },
        `median of 5: ${ms.toFixed(0)} ms (target ≤ 200 ms); runs ${runs.map((r) => r.ms.toFixed(0)).join(', ')} ms`,
      );
    }
  },
};

scenarios[13] = async () => {
  // First sync loads N records; the second finds nothing new: it asks from the saved cursor (one
  // record, on the cursor) and writes nothing. Its API calls are timed alone as `read` with the same
  // state, alternating with the second sync.
  const n = Math.max(10_000, Math.round(RECORDS / 10));
  await withServer({ recordsPerStream: n }, async (s) => {
    const cfg = config({ base_url: s.url });
    const manifest = join(manifests, '10-incremental.yaml');
    const db = join(work, 'incremental.duckdb');
    const syncOnce = async () => {
      const r = await measure([cli, 'sync', '--manifest', manifest, '--config', cfg, '--to', `duckdb:${db}`]);
      const m = /items → items: (\d+) read, (\d+) inserted, (\d+) updated/.exec(r.stderr);
      return { ...r, records: m ? Number(m[1]) : 0, written: m ? Number(m[2]) + Number(m[3]) : NaN };
    };
    const first = await syncOnce();
    row(`13 incremental sync, ${n} records`, 'engine first sync', first, `${first.written} rows written`);
    const catalog = join(work, 'catalog-10.json');
    writeFileSync(catalog, spawnSync(process.execPath, [cli, 'catalog', '--manifest', manifest, '--config', cfg], { encoding: 'utf8' }).stdout);
    const last = new Date(Date.UTC(2024, 0, 1) + (n - 1) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const state = join(work, 'state-10.json');
    writeFileSync(state, JSON.stringify([{ type: 'STREAM', stream: { stream_descriptor: { name: 'items' }, stream_state: { updated_at: last } } }]));
    const seconds = [];
    const reads = [];
    for (let i = 0; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? ['sync', 'read'] : ['read', 'sync'];
      let again;
      let read;
      for (const who of order) {
        if (who === 'sync') again = await syncOnce();
        else read = await measure([cli, 'read', '--manifest', manifest, '--config', cfg, '--catalog', catalog, '--state', state]);
      }
      seconds.push(again);
      reads.push(read);
    }
    const overheads = seconds.map((r, i) => r.wallS - reads[i].wallS);
    const med = (xs) => median(xs);
    row(
      `13 second sync, nothing new`,
      'engine second sync',
      { ...seconds[0], wallS: med(seconds.map((r) => r.wallS)), cpuS: med(seconds.map((r) => r.cpuS ?? NaN)) },
      `${seconds.map((r) => r.written).join('/')} rows written, ${seconds.map((r) => r.records).join('/')} read; overhead over read ${overheads.map((o) => `${o.toFixed(2)} s`).join(', ')}`,
    );
    row(
      `13 second sync, nothing new`,
      'baseline: read from the same state',
      { ...reads[0], wallS: med(reads.map((r) => r.wallS)), cpuS: med(reads.map((r) => r.cpuS ?? NaN)) },
      'the API calls alone',
    );
  });
};

function fmt(n, digits = 1) {
  return n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);
}

function printTable() {
  // The i-th engine row of a scenario compares with its i-th baseline row (e.g. concurrency 1 with 1).
  const pairs = new Map();
  const seen = new Map();
  for (const r of rows) {
    const kind = r.runner.startsWith('baseline') ? 'baseline' : 'engine';
    const key = `${r.scenario}|${kind}`;
    const i = seen.get(key) ?? 0;
    seen.set(key, i + 1);
    if (kind === 'baseline') pairs.set(`${r.scenario}|${i}`, r);
    else r.pairIndex = i;
  }
  const header = ['scenario', 'runner', 'records', 'wall s', 'records/s', 'CPU s', 'peak RSS MB', 'engine/baseline', 'notes'];
  const body = rows.map((r) => {
    // Scenarios with several engine variants against one baseline compare each with that one.
    const base = r.pairIndex === undefined ? undefined : (pairs.get(`${r.scenario}|${r.pairIndex}`) ?? pairs.get(`${r.scenario}|0`));
    const coldStart = r.scenario.startsWith('6') || r.scenario.startsWith('12');
    const rate = r.wallS > 0 && !coldStart ? r.records / r.wallS : undefined;
    const baseRate = base && base.wallS > 0 && !coldStart ? base.records / base.wallS : undefined;
    const ratio = r.runner.startsWith('engine') && rate && baseRate ? `${fmt(rate / baseRate, 2)}x rec/s, ${fmt(r.cpuS / base.cpuS, 2)}x CPU` : '';
    return [
      r.scenario,
      r.runner + (r.ok ? '' : ' (FAILED)'),
      String(r.records),
      fmt(r.wallS, 2),
      rate ? Math.round(rate).toLocaleString('en-US') : '-',
      fmt(r.cpuS, 2),
      fmt(r.rssMb, 0),
      ratio,
      r.extra,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(`${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${body.map(line).join('\n')}\n`);
  if (notes.length) process.stdout.write(`\nProblems:\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
}

try {
  ensureBuilt();
  for (const id of Object.keys(scenarios)) {
    if (!selected.has(id)) continue;
    process.stderr.write(`scenario ${id}...\n`);
    await scenarios[id]();
  }
  printTable();
} finally {
  rmSync(work, { recursive: true, force: true });
}
