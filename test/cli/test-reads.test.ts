/**
 * Test reads through the built CLI (issue 18): `--record` never mixes two recordings, limited
 * reads never write or announce a state, `--output` replaces a full-refresh stream's file and
 * appends an incremental one's, `--stream` picks streams, and `--fail-fast` / `--max-retries` /
 * `--max-backoff` cut the manifest's retries short.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { records, runCli, tempFiles } from '../helpers/cli.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';
import { ITEMS, files, sortedIds, startApi, type Api } from './fixture.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.server.close());

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const logs = (result: { messages: Array<Record<string, any>> }) => result.messages.filter((m) => m.type === 'LOG').map((m) => m.log.message as string);

describe('read --record DIR', () => {
  it('refuses a folder that already holds a recording, before any request', async () => {
    const f = files(api, ['items']);
    const dir = join(f.dir, 'recording');
    expect((await runCli(['read', ...f.args, '--record', dir])).code).toBe(0);
    const first = readdirSync(dir).sort();
    const before = api.server.requests.length;
    const again = await runCli(['read', ...f.args, '--record', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`--record folder ${dir} is not empty (4 files)`);
    expect(again.stderr).toContain('--overwrite');
    expect(api.server.requests.length).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(first);
  });

  it('--overwrite clears the old recording first: the folder holds the new one only, and it replays', async () => {
    const f = files(api, ['items', 'notes']);
    const dir = join(f.dir, 'recording');
    const items = files(api, ['items']);
    expect((await runCli(['read', ...f.args, '--record', dir])).code).toBe(0);
    // 4 pages of items, notes failing once and retried.
    expect(readdirSync(dir)).toHaveLength(6);
    const result = await runCli(['read', ...items.args, '--record', dir, '--overwrite']);
    expect(result.code).toBe(0);
    const names = readdirSync(dir).sort();
    expect(names).toHaveLength(4);
    expect(names.every((n) => n.includes('-GET-api-items'))).toBe(true);
    const replayed = await runCli(['read', ...items.args, '--replay', dir]);
    expect(replayed.code).toBe(0);
    expect(records(replayed, 'items')).toEqual(ITEMS);
  });

  it('--overwrite does not empty a folder holding other files', async () => {
    const f = files(api, ['items']);
    const dir = join(f.dir, 'mine');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    const result = await runCli(['read', ...f.args, '--record', dir, '--overwrite']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('holds files that are not a recording (notes.txt)');
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('an empty or new folder is fine', async () => {
    const f = files(api, ['items']);
    const dir = join(f.dir, 'empty');
    mkdirSync(dir);
    expect((await runCli(['read', ...f.args, '--record', dir, '--limit-pages', '1'])).code).toBe(0);
    expect(readdirSync(dir)).toHaveLength(1);
  });
});

describe('limited test reads emit no state', () => {
  it.each([
    ['--limit-pages', '1'],
    ['--limit-records', '2'],
    ['--limit-slices', '1'],
  ])('%s %s --output writes no state.json, says so, and keeps the state file already there', async (flag, value) => {
    const f = files(api, ['items', 'events'], 'incremental');
    const out = join(f.dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'state.json'), '[]');
    const result = await runCli(['read', ...f.args, '--output', out, flag, value]);
    expect(result.code).toBe(0);
    expect(readFileSync(join(out, 'state.json'), 'utf8')).toBe('[]');
    expect(result.stderr).toContain('(a test read: no state saved)');
    expect(result.stderr).not.toContain('state.json');
    expect(logs(result)).toContainEqual(expect.stringContaining(`Test read (${flag} ${value}): no STATE is emitted or saved`));
  });

  it('without --output, no STATE message reaches stdout', async () => {
    const f = files(api, ['events'], 'incremental');
    const full = await runCli(['read', ...f.args]);
    expect(full.messages.filter((m) => m.type === 'STATE').length).toBeGreaterThan(0);
    const limited = await runCli(['read', ...f.args, '--limit-pages', '1']);
    expect(limited.code).toBe(0);
    expect(sortedIds(records(limited, 'events'))).toEqual([1, 2, 3]);
    expect(limited.messages.filter((m) => m.type === 'STATE')).toEqual([]);
  });
});

describe('read --output DIR', () => {
  it("replaces a full-refresh stream's file on each run instead of doubling it", async () => {
    const f = files(api, ['items']);
    const out = join(f.dir, 'out');
    for (let run = 0; run < 2; run++) expect((await runCli(['read', ...f.args, '--output', out])).code).toBe(0);
    expect(lines(join(out, 'items.jsonl'))).toEqual(ITEMS);
    // No temporary file is left behind.
    expect(readdirSync(out).sort()).toEqual(['items.jsonl', 'state.json']);
  });

  it('a full-refresh stream that reads no records leaves an empty file, not the previous run', async () => {
    const f = files(api, ['items']);
    const out = join(f.dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'items.jsonl'), '{"id":"old"}\n');
    const server = await startServer({ 'GET /api/items': (_req, res) => json(res, 200, { data: [] }) });
    try {
      const config = f.write('empty.json', { ...api.config(), base_url: server.url });
      const result = await runCli(['read', '--manifest', f.manifest, '--config', config, '--catalog', f.catalog, '--output', out]);
      expect(result.code).toBe(0);
      expect(readFileSync(join(out, 'items.jsonl'), 'utf8')).toBe('');
    } finally {
      await server.close();
    }
  });

  it('names the state file without a doubled slash when DIR ends with one', async () => {
    const f = files(api, ['events'], 'incremental');
    const result = await runCli(['read', ...f.args, '--output', `${join(f.dir, 'out')}/`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`(state in ${join(f.dir, 'out', 'state.json')})`);
    expect(result.stderr).not.toContain('//');
  });
});

describe('read --stream NAME', () => {
  it('reads only the named streams (repeatable), without a catalog', async () => {
    const f = files(api, ['items']);
    const result = await runCli(['read', '--manifest', f.manifest, '--config', f.config, '--stream', 'items', '--stream', 'notes']);
    expect(result.code).toBe(0);
    const streams = new Set(result.messages.filter((m) => m.type === 'RECORD').map((m) => m.record.stream));
    expect([...streams].sort()).toEqual(['items', 'notes']);
  });

  it("narrows a catalog to the named streams, keeping the catalog's sync modes", async () => {
    const f = files(api, ['items', 'events'], 'incremental');
    const result = await runCli(['read', ...f.args, '--stream', 'events']);
    expect(result.code).toBe(0);
    expect(records(result, 'items')).toEqual([]);
    expect(sortedIds(records(result, 'events'))).toEqual([1, 2, 3]);
    expect(result.messages.some((m) => m.type === 'STATE' && m.state.stream.stream_descriptor.name === 'events')).toBe(true);
  });

  it('a stream the manifest lacks is a config error with a suggestion, before any request', async () => {
    const f = files(api, ['items']);
    const before = api.server.requests.length;
    const result = await runCli(['read', '--manifest', f.manifest, '--config', f.config, '--stream', 'itemz']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No stream "itemz" in the manifest; did you mean items?');
    expect(api.server.requests.length).toBe(before);
  });
});

describe('read --fail-fast / --max-retries / --max-backoff', () => {
  const MANIFEST = `
version: 6.44.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [things] }
streams:
  - type: DeclarativeStream
    name: things
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: "{{ config['base_url'] }}", path: "/{{ config['path'] }}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
spec:
  type: Spec
  connection_specification: { type: object, properties: { base_url: { type: string }, path: { type: string } } }
`;
  let server: TestServer;
  let throttled = 0;
  beforeAll(async () => {
    server = await startServer({
      'GET /down': (_req, res) => json(res, 503, { error: 'down for maintenance' }),
      // A long Retry-After the first time: the default would wait an hour.
      'GET /throttled': (_req, res) =>
        throttled++ % 2 === 0 ? json(res, 429, { error: 'slow down' }, { 'retry-after': '3600' }) : json(res, 200, { data: [{ id: 1 }] }),
    });
  });
  afterAll(async () => server.close());

  function run(path: string, flags: string[]) {
    const f = tempFiles({ 'manifest.yaml': MANIFEST, 'config.json': { base_url: server.url, path } });
    return runCli(['read', '--manifest', f['manifest.yaml']!, '--config', f['config.json']!, ...flags]);
  }
  const sent = (path: string) => server.requests.filter((r) => r.path === path).length;
  const error = (result: { messages: Array<Record<string, any>> }) =>
    result.messages.find((m) => m.trace?.type === 'ERROR' && m.trace.error.stream_descriptor)?.trace.error;

  it('--fail-fast: the first failed request fails the stream, naming it', async () => {
    const before = sent('/down');
    const result = await run('down', ['--fail-fast']);
    expect(result.code).toBe(1);
    expect(sent('/down') - before).toBe(1);
    expect(error(result).message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/down returned HTTP 503.*down for maintenance.*gave up after 1 attempt\)/);
  });

  it('--max-retries N: N retries at most (with --max-backoff 0 not to wait)', async () => {
    const before = sent('/down');
    const result = await run('down', ['--max-retries', '2', '--max-backoff', '0']);
    expect(result.code).toBe(1);
    expect(sent('/down') - before).toBe(3);
    expect(error(result).message).toMatch(/gave up after 3 attempts/);
  });

  it('--max-backoff S caps a Retry-After', async () => {
    const before = sent('/throttled');
    const result = await run('throttled', ['--max-backoff', '0']);
    expect(result.code).toBe(0);
    expect(sent('/throttled') - before).toBe(2);
    expect(records(result, 'things')).toEqual([{ id: 1 }]);
  });

  it('rejects values that are not counts or seconds', async () => {
    expect((await run('down', ['--max-retries', '-1'])).stderr).toContain('--max-retries takes a whole number ≥ 0 (got "-1")');
    expect((await run('down', ['--max-backoff', 'soon'])).stderr).toContain('--max-backoff takes a number of seconds ≥ 0 (got "soon")');
  });
});

describe('--output leaves no stray files', () => {
  it('after a failed full-refresh stream the temporary file is gone', async () => {
    const f = files(api, ['items']);
    const out = join(f.dir, 'out');
    mkdirSync(join(out, 'items.jsonl'), { recursive: true });
    const result = await runCli(['read', ...f.args, '--output', out]);
    expect(result.code).toBe(1);
    expect(readdirSync(out)).toEqual(['items.jsonl']);
    expect(existsSync(join(out, 'state.json'))).toBe(false);
  });
});
