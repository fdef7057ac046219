/**
 * The README's offline demo commands, run exactly as written (with the built CLI instead of npx):
 * if the README promises a one-minute offline sync, this keeps that promise checked.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runCli } from '../helpers/cli.js';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## A one-minute sync, offline'), readme.indexOf('\n## ', readme.indexOf('## A one-minute sync, offline') + 5));

/** `npx manifold ...` lines of the section, with `\` continuations joined and `< file` split off. */
function commands(): Array<{ args: string[]; stdinFile?: string }> {
  const joined = section.replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/^npx manifold (.+)$/gm)].map((m) => {
    const [command, stdinFile] = m[1]!.split(/\s+<\s+/);
    return { args: command!.trim().split(/\s+/), ...(stdinFile ? { stdinFile: stdinFile.trim() } : {}) };
  });
}

describe('README offline commands', () => {
  const list = commands();

  it('lists a read for every shipped source and a write dry run', () => {
    const manifests = list.map((c) => c.args[c.args.indexOf('--manifest') + 1]);
    expect(manifests).toEqual(
      expect.arrayContaining(['manifests/close-com.yaml', 'manifests/clazar.yaml', 'manifests/chartmogul.yaml', 'manifests/clevertap.yaml', 'manifests/clazar-destination.yaml']),
    );
  });

  it.each(list.map((c) => [c.args.slice(0, 3).join(' '), c] as const))('%s runs offline and succeeds', async (_title, c) => {
    const stdin = c.stdinFile ? readFileSync(join(REPO, c.stdinFile), 'utf8') : undefined;
    const result = await runCli(c.args, stdin === undefined ? {} : { stdin });
    expect(result.code).toBe(0);
    expect(result.messages.filter((m) => m.trace?.type === 'ERROR')).toEqual([]);
    if (c.args[0] === 'read') expect(result.messages.filter((m) => m.type === 'RECORD').length).toBeGreaterThan(0);
    else expect(result.messages.filter((m) => m.type === 'LOG' && String(m.log.message).startsWith('DRY RUN')).length).toBeGreaterThan(0);
  });
});
