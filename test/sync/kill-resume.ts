/**
 * The kill -9 scenario, for any destination: a sync (a separate Node process using the built
 * library, committing at every state message) is killed with SIGKILL in the middle of a large
 * read; `manifold sync` then resumes from the state saved in the database, and every record ends
 * up in the table exactly once.
 */
import { expect } from '@jest/globals';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO, runCli, tempFiles } from '../helpers/cli.js';
import { makeItems, manifest, startApi } from './fixture.js';
import { query } from './support.js';

const DAYS = 60;
const PER_DAY = 90;

export async function killAndResume(dest: string): Promise<void> {
  const api = await startApi(makeItems(DAYS * PER_DAY, PER_DAY));
  try {
    const files = tempFiles({ 'items.yaml': manifest(), 'config.json': api.config({ end_date: '2024-03-01' }) });
    const runner = join(files.dir, 'runner.mjs');
    writeFileSync(
      runner,
      `import { Source, openDestination, sync } from ${JSON.stringify(join(REPO, 'dist/engine/index.js'))};
const [manifest, config, dest] = process.argv.slice(2);
const db = await openDestination(dest);
await sync(await Source.fromFile(manifest), db, {
  config: JSON.parse(config),
  streams: ['items'],
  checkpointEvery: { rows: 1, ms: 0 },
  onCheckpoint: (stream) => process.stdout.write('checkpoint ' + stream + '\\n'),
});
await db.close();
`,
    );
    const child = spawn(process.execPath, [runner, files['items.yaml']!, JSON.stringify(api.config({ end_date: '2024-03-01' })), dest], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Half-way through the read the API stops answering until the sync has committed a few
    // times; then the process is killed, and the API answers again (to nobody).
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    api.beforeItems = async (_req, n) => {
      if (n >= DAYS / 2) await held;
    };
    let checkpoints = 0;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      checkpoints += chunk.split('checkpoint items').length - 1;
      if (checkpoints >= 3 && child.exitCode === null) child.kill('SIGKILL');
    });
    const signal = await exited;
    release();
    expect(signal).toBe('SIGKILL');
    api.beforeItems = undefined;

    const committed = Number((await query(dest, `SELECT count(*) AS n FROM items`))[0]!.n);
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(DAYS * PER_DAY);
    const saved = (await query(dest, `SELECT state FROM _manifold_state WHERE stream = 'items'`))[0]!.state;
    const cursor = (typeof saved === 'string' ? JSON.parse(saved) : saved) as { updated_at: string };

    const before = api.requestsTo('/items').length;
    const resumed = await runCli(['sync', '--manifest', files['items.yaml']!, '--config', files['config.json']!, '--to', dest, '--streams', 'items'], {
      cwd: files.dir,
    });
    expect(resumed.stderr).toContain('items → items');
    expect(resumed.code).toBe(0);
    // It resumed from the committed cursor, not from the start.
    expect(api.requestsTo('/items')[before]!.query.since).toBe(cursor.updated_at);

    const [totals] = await query(dest, `SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi FROM items`);
    expect(totals).toEqual({ n: String(DAYS * PER_DAY), ids: String(DAYS * PER_DAY), lo: '1', hi: String(DAYS * PER_DAY) });
  } finally {
    await api.close();
  }
}

export { CLI };
