/**
 * The studio is a web server on the author's machine: only the page it printed the URL of may use
 * it. Checked with plain HTTP requests (a browser would hide some of these headers).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStudio, type StartedStudio } from '../../cli/studio/server.js';
import { TEST_KEY, own, raw, tutorialCopy } from './helpers.js';

let studio: StartedStudio;
let files: ReturnType<typeof tutorialCopy>;

beforeAll(async () => {
  files = tutorialCopy();
  studio = await startStudio({ manifest: files.manifest, config: files.config, replay: files.replay });
});
afterAll(() => studio.close());

describe('token', () => {
  test('the printed URL is on 127.0.0.1 with a random token', () => {
    expect(studio.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect(studio.server.address()).toMatchObject({ address: '127.0.0.1' });
  });

  test('without the token nothing is served, not even the page', async () => {
    for (const path of ['/', '/app.js', '/api/initial', '/api/events']) {
      const res = await raw(studio.port, path);
      expect([path, res.status]).toEqual([path, 401]);
      expect(res.body).not.toContain('<html');
    }
    expect((await raw(studio.port, '/?token=not-the-token')).status).toBe(401);
  });

  test('the first load with the token sets an HttpOnly, SameSite=Strict cookie that carries it afterwards', async () => {
    const page = await raw(studio.port, `/?token=${studio.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Manifold studio</title>');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toContain(`=${studio.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const pair = cookie.split(';')[0]!;
    const api = await raw(studio.port, '/api/initial', { headers: { Cookie: pair } });
    expect(api.status).toBe(200);
    expect(api.json().manifest.text).toBe(readFileSync(files.manifest, 'utf8'));
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('Host and Origin (DNS rebinding, CSRF)', () => {
  test('a Host other than the server itself is refused even with the token (DNS rebinding)', async () => {
    for (const host of ['attacker.example', `attacker.example:${studio.port}`, '127.0.0.1:1']) {
      const res = await raw(studio.port, `/api/initial?token=${studio.token}`, { headers: { Host: host } });
      expect([host, res.status]).toEqual([host, 403]);
      expect(res.body).not.toContain('bookshop');
    }
    expect((await raw(studio.port, `/api/initial?token=${studio.token}`, { headers: { Host: `localhost:${studio.port}` } })).status).toBe(200);
  });

  test('a request from another origin is refused, and so is a change without an Origin', async () => {
    const body = { text: 'version: 1\n', version: undefined, force: true };
    const before = readFileSync(files.manifest, 'utf8');
    const foreign = await raw(studio.port, '/api/manifest', {
      method: 'PUT',
      body,
      headers: { 'X-Studio-Token': studio.token, Origin: 'http://attacker.example' },
    });
    expect(foreign.status).toBe(403);
    const noOrigin = await raw(studio.port, '/api/manifest', { method: 'PUT', body, headers: { 'X-Studio-Token': studio.token } });
    expect(noOrigin.status).toBe(403);
    const otherPort = await raw(studio.port, '/api/initial', { headers: { 'X-Studio-Token': studio.token, Origin: 'http://127.0.0.1:1' } });
    expect(otherPort.status).toBe(403);
    expect(readFileSync(files.manifest, 'utf8')).toBe(before);
  });

  test('a form post (not JSON) is refused even from the right origin', async () => {
    const res = await raw(studio.port, '/api/config', { method: 'PUT', headers: { ...own(studio.port, studio.token), 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(415);
  });
});

describe('no general file access', () => {
  test('only the bundled assets are served: paths that try to reach other files are 404', async () => {
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/package.json',
      '/etc/passwd',
      '/app.js/../../config.json',
      '/config.json',
      '/bookshop.yaml',
      '/replay/00001-GET-v1-authors.json',
      '/dist/studio/app.js',
      '/index.html',
    ]) {
      const res = await raw(studio.port, path, { headers: own(studio.port, studio.token) });
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.body).not.toContain(TEST_KEY);
    }
  });
});

describe('secrets', () => {
  test('the config goes to the page with its secret replaced by a placeholder; saving the placeholder keeps the stored value', async () => {
    const initial = await raw(studio.port, '/api/initial', { headers: own(studio.port, studio.token) });
    expect(initial.body).not.toContain(TEST_KEY);
    expect(readFileSync(files.config, 'utf8')).toContain(TEST_KEY);
    const values = initial.json().config.values;
    expect(values).toEqual({ api_key: initial.json().secretPlaceholder, base_url: 'http://127.0.0.1:4010/v1' });
    const saved = await raw(studio.port, '/api/config', {
      method: 'PUT',
      headers: own(studio.port, studio.token),
      body: { values: { ...values, base_url: 'http://127.0.0.1:4011/v1' } },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).not.toContain(TEST_KEY);
    expect(JSON.parse(readFileSync(files.config, 'utf8'))).toEqual({ api_key: TEST_KEY, base_url: 'http://127.0.0.1:4011/v1' });
    await raw(studio.port, '/api/config', { method: 'PUT', headers: own(studio.port, studio.token), body: { values } });
  });

  test('a test read shows requests and responses with the secret masked', async () => {
    const text = readFileSync(files.manifest, 'utf8');
    const res = await raw(studio.port, '/api/test-read', { method: 'POST', headers: own(studio.port, studio.token), body: { text, stream: 'authors' } });
    expect(res.status).toBe(200);
    expect(res.json().records).toHaveLength(4);
    expect(res.json().slices[0].pages[0].exchanges[0].requestHeaders).toEqual({ 'X-Api-Key': '****' });
    expect(res.body).not.toContain(TEST_KEY);
  });
});

test('without --config the config lives in .manifold-studio/ beside the manifest, a folder git ignores', async () => {
  const copy = tutorialCopy();
  const other = await startStudio({ manifest: copy.manifest });
  try {
    const res = await raw(other.port, '/api/config', {
      method: 'PUT',
      headers: own(other.port, other.token),
      body: { values: { api_key: TEST_KEY, base_url: 'http://127.0.0.1:4010/v1' } },
    });
    expect(res.status).toBe(200);
    const file = join(copy.dir, '.manifold-studio', 'config.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).api_key).toBe(TEST_KEY);
    expect(readFileSync(join(copy.dir, '.manifold-studio', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    expect(readFileSync(copy.manifest, 'utf8')).not.toContain(TEST_KEY);
    expect(existsSync(join(copy.dir, 'config.json'))).toBe(true);
  } finally {
    await other.close();
  }
});
