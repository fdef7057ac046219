/**
 * Progress on a real terminal: the CLI runs under `script` (util-linux), which gives it a
 * pseudo-terminal for stderr while stdout is redirected to a file. Skipped where `script` is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO } from '../helpers/cli.js';
import { files, startApi, type Api } from './fixture.js';

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.server.close());

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI on a pseudo-terminal, stdout to `stdoutFile`; returns what the terminal showed. */
function onTerminal(args: string[], stdoutFile: string, size?: { cols: number; rows: number }): Promise<string> {
  // Left alone, the pseudo-terminal has no size (0x0), as under CI; `stty` gives it one.
  const stty = size ? `stty cols ${size.cols} rows ${size.rows}; ` : '';
  const command = `${stty}${quote(process.execPath)} ${[CLI, ...args].map(quote).join(' ')} > ${quote(stdoutFile)}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let shown = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (shown += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(shown) : reject(new Error(`exit ${code}: ${shown}`))));
    child.stdin.end();
  });
}

const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');

(hasScript ? describe : describe.skip)('progress on a terminal', () => {
  it('is drawn on a terminal by default, while stdout (a file) stays pure protocol', async () => {
    const f = files(api, ['items', 'notes']);
    const out = join(f.dir, 'out.jsonl');
    const shown = plain(await onTerminal(['read', ...f.args], out));
    expect(shown).toMatch(/✔ items: 7 records, 4 pages, \d+ rec\/s, 0 retries/);
    expect(shown).toMatch(/✔ notes: 2 records, 1 page, \d+ rec\/s, 1 retry/);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((m) => m.type === 'RECORD')).toHaveLength(9);
    expect(readFileSync(out, 'utf8')).not.toContain('rec/s');
  });

  it('is drawn the same on a terminal with a size', async () => {
    const f = files(api, ['items']);
    const shown = plain(await onTerminal(['read', ...f.args], join(f.dir, 'out.jsonl'), { cols: 100, rows: 30 }));
    expect(shown).toMatch(/✔ items: 7 records, 4 pages, \d+ rec\/s, 0 retries/);
  });

  it('with --output and stdout on the terminal too: no wall of JSON after the progress block', async () => {
    const f = files(api, ['items', 'notes']);
    const out = join(f.dir, 'out');
    const command = `${quote(process.execPath)} ${[CLI, 'read', ...f.args, '--output', out].map(quote).join(' ')}`;
    const shown = plain(
      await new Promise<string>((resolve, reject) => {
        const child = spawn('script', ['-qec', command, '/dev/null'], {
          cwd: REPO,
          env: { ...process.env, NODE_OPTIONS: '' },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let text = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
        child.stdin.end();
      }),
    );
    expect(shown).toMatch(/✔ items: 7 records, 4 pages/);
    expect(shown).not.toContain('{"type":');
    // The retry of notes is an INFO LOG, shown as a plain line.
    expect(shown).toMatch(/^INFO GET \S+\/api\/notes\S* returned HTTP 500/m);
    expect(shown).toContain(`manifold: wrote items: 7 (replaced), notes: 2 (replaced) to ${out}`);
    expect(readFileSync(join(out, 'items.jsonl'), 'utf8').trim().split('\n')).toHaveLength(7);
  });

  it('is not drawn with --no-progress, --quiet or --show-http', async () => {
    for (const flag of ['--no-progress', '--quiet', '--show-http']) {
      const f = files(api, ['items']);
      const shown = plain(await onTerminal(['read', ...f.args, flag], join(f.dir, 'out.jsonl')));
      expect(shown).not.toContain('rec/s');
    }
  });
});
