/** `manifold studio` as a user starts it: the built CLI prints a tokened URL on 127.0.0.1 and serves the page there. */
import { expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { CLI } from '../helpers/cli.js';
import { raw, tutorialCopy } from './helpers.js';

test('prints the URL with its token, serves the page to it, and stops on SIGTERM', async () => {
  const files = tutorialCopy();
  const child = spawn(process.execPath, [CLI, 'studio', '--manifest', files.manifest, '--config', files.config, '--replay', files.replay], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const m = /manifold studio: (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`studio exited with ${code} before printing a URL`)));
    });
    const { port, pathname, searchParams } = new URL(url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    const page = await raw(Number(port), `${pathname}?token=${searchParams.get('token')}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="/app.js"></script>');
    expect((await raw(Number(port), '/')).status).toBe(401);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    await expect(exited).resolves.toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('--port takes a port number', async () => {
  const files = tutorialCopy();
  const child = spawn(process.execPath, [CLI, 'studio', '--manifest', files.manifest, '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(1);
  expect(err).toContain('--port takes a port number (got "eighty")');
});

test('a manifest that does not exist is one line on stderr and exit code 1', async () => {
  const child = spawn(process.execPath, [CLI, 'studio', '--manifest', '/nonexistent/manifest.yaml'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(1);
  expect(err).toMatch(/^manifold: .*\/nonexistent\/manifest\.yaml/);
  expect(err.trim().split('\n')).toHaveLength(1);
});
