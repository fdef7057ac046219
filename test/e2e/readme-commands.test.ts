/**
 * The README's offline demo commands, run exactly as written (with the built CLI instead of npx):
 * if the README promises a one-minute offline sync, this keeps that promise checked. They run in
 * a scratch folder that links to the repo's manifests and fixtures, so the DuckDB file `sync`
 * makes stays out of the repo.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, runCli } from '../helpers/cli.js';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## A one-minute sync, offline'), readme.indexOf('\n## ', readme.indexOf('## A one-minute sync, offline') + 5));

/** Splits a command line on spaces, keeping "double-quoted" arguments whole. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** `npx manifold ...` lines of the section, with `\` continuations joined and `< file` split off. */
function commands(): Array<{ args: string[]; stdinFile?: string }> {
  const joined = section.replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/^npx manifold (.+)$/gm)].map((m) => {
    const [command, stdinFile] = m[1]!.split(/\s+<\s+/);
    return { args: shellWords(command!.trim()), ...(stdinFile ? { stdinFile: stdinFile.trim() } : {}) };
  });
}

const cwd = mkdtempSync(join(tmpdir(), 'manifold-readme-'));
for (const dir of ['manifests', 'fixtures']) symlinkSync(join(REPO, dir), join(cwd, dir), 'dir');
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('README offline commands', () => {
  const list = commands();

  it('lists a sync, a query, a read for every shipped source and a write dry run', () => {
    expect(list.map((c) => c.args[0]).slice(0, 2)).toEqual(['sync', 'query']);
    const manifests = list.map((c) => c.args[c.args.indexOf('--manifest') + 1]);
    expect(manifests).toEqual(
      expect.arrayContaining([
        'manifests/close-com.yaml',
        'manifests/clazar.yaml',
        'manifests/chartmogul.yaml',
        'manifests/clevertap.yaml',
        'manifests/clazar-destination.yaml',
      ]),
    );
  });

  it.each(list.map((c) => [c.args.slice(0, 3).join(' '), c] as const))(
    '%s runs offline and succeeds',
    async (_title, c) => {
      const stdin = c.stdinFile ? readFileSync(join(REPO, c.stdinFile), 'utf8') : undefined;
      const result = await runCli(c.args, { cwd, ...(stdin === undefined ? {} : { stdin }) });
      expect(result.code).toBe(0);
      expect(result.messages.filter((m) => m.trace?.type === 'ERROR')).toEqual([]);
      if (c.args[0] === 'read') expect(result.messages.filter((m) => m.type === 'RECORD').length).toBeGreaterThan(0);
      else if (c.args[0] === 'sync') expect(result.stderr).toMatch(/leads → leads: \d+ read, \d+ inserted/);
      else if (c.args[0] === 'query') expect(result.stdout).toMatch(/^leads\s*\|\s*distinct_ids/);
      else expect(result.messages.filter((m) => m.type === 'LOG' && String(m.log.message).startsWith('DRY RUN')).length).toBeGreaterThan(0);
    },
    120_000,
  );

  it('the sync run again adds no duplicates', async () => {
    const [sync] = list;
    const counts = async (): Promise<Array<Record<string, unknown>>> => {
      const result = await runCli(
        [
          'query',
          'duckdb:manifold.duckdb',
          'SELECT count(*) AS n, count(DISTINCT id) AS ids FROM leads UNION ALL SELECT count(*), count(DISTINCT id) FROM email_activities',
          '--json',
        ],
        { cwd },
      );
      return result.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    const before = await counts();
    expect(Number(before[0]!.n)).toBeGreaterThan(0);
    const again = await runCli(sync!.args, { cwd });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/email_activities → email_activities: \d+ read, 0 inserted/);
    const after = await counts();
    expect(after).toEqual(before);
    expect(after.every((r) => r.n === r.ids)).toBe(true);
  }, 120_000);
});
