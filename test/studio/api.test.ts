/**
 * The studio's API over the tutorial connector (a copy, replayed from its recordings): the same
 * problems as `manifold validate`, saves that notice edits made elsewhere, the test-read timeline,
 * located errors, "use inferred schema" on the file, and recording then replaying.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { startStudio, type StartedStudio } from '../../cli/studio/server.js';
import { json, startServer } from '../helpers/http-server.js';
import { TEST_KEY, own, raw, tutorialCopy } from './helpers.js';

let studio: StartedStudio;
let files: ReturnType<typeof tutorialCopy>;
let original: string;
const post = (path: string, body: unknown, method = 'POST') => raw(studio.port, path, { method, body, headers: own(studio.port, studio.token) });

beforeAll(async () => {
  files = tutorialCopy();
  original = readFileSync(files.manifest, 'utf8');
  studio = await startStudio({ manifest: files.manifest, config: files.config, replay: files.replay });
});
afterAll(() => studio.close());

describe('validate', () => {
  test('reports what manifold validate reports, with line and column: an unknown type and an undeclared template variable', async () => {
    const text = original.replace('type: DpathExtractor', 'type: DpathExtracter').replace('path: /books', 'path: "/books/{{ stream_slce.id }}"');
    const res = await post('/api/validate', { text });
    const errors = res.json().problems.filter((p: { severity: string }) => p.severity === 'error');
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          line: 21,
          column: 13,
          message: expect.stringContaining('unknown component type DpathExtracter; did you mean DpathExtractor'),
        }),
        expect.objectContaining({
          line: 53,
          column: 9,
          path: 'streams[1].retriever.requester.path',
          message: expect.stringContaining("undeclared variable 'stream_slce'"),
        }),
      ]),
    );
    const clean = await post('/api/validate', { text: original });
    expect(clean.json().problems.filter((p: { severity: string }) => p.severity === 'error')).toEqual([]);
    expect(clean.json().streams).toEqual(['authors', 'books']);
  });

  test('a YAML syntax error is a located problem, not a failure of the API', async () => {
    const res = await post('/api/validate', { text: original.replace('name: authors', 'name: [authors') });
    expect(res.status).toBe(200);
    expect(res.json().problems[0]).toMatchObject({ severity: 'error', line: expect.any(Number) });
  });
});

describe('saving and edits made elsewhere', () => {
  test('a save from the version on disk writes the file; a save from an older version is refused with the disk text', async () => {
    const initial = (await post('/api/initial', undefined, 'GET')).json();
    const mine = initial.manifest.text.replace('# The finished manifest', '# Edited in the studio. The finished manifest');
    const saved = await post('/api/manifest', { text: mine, version: initial.manifest.version }, 'PUT');
    expect(saved.status).toBe(200);
    expect(readFileSync(files.manifest, 'utf8')).toBe(mine);
    // Another editor changes the file; the page still holds the version it saved.
    const theirs = mine.replace('version: 6.44.0', 'version: 6.45.0');
    writeFileSync(files.manifest, theirs);
    const stale = await post('/api/manifest', { text: mine + '# more\n', version: saved.json().version }, 'PUT');
    expect(stale.status).toBe(409);
    expect(stale.json().conflict.text).toBe(theirs);
    expect(readFileSync(files.manifest, 'utf8')).toBe(theirs);
    const forced = await post('/api/manifest', { text: mine, version: saved.json().version, force: true }, 'PUT');
    expect(forced.status).toBe(200);
    expect(readFileSync(files.manifest, 'utf8')).toBe(mine);
    writeFileSync(files.manifest, original);
  });

  test('a change made on disk by another editor reaches the page as an event with the new text', async () => {
    const events = await listen(studio.port, studio.token);
    try {
      const changed = original.replace('# The finished manifest', '# Changed elsewhere. The finished manifest');
      writeFileSync(files.manifest, changed);
      const event = await events.next((e) => e.text === changed);
      expect(event).toMatchObject({ type: 'manifest-changed', text: changed, version: expect.any(String) });
    } finally {
      events.close();
      writeFileSync(files.manifest, original);
    }
  });
});

describe('test read', () => {
  test('books: one slice of three pages with their requests, responses, records and why pagination went on or stopped', async () => {
    const res = await post('/api/test-read', { text: original, stream: 'books', limits: { records: 100, pages: 5 } });
    expect(res.status).toBe(200);
    const read = res.json();
    expect(read.errors).toEqual([]);
    expect(read.records.map((r: { id: number }) => r.id)).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112]);
    expect(read.slices).toHaveLength(1);
    const pages = read.slices[0].pages;
    expect(pages.map((p: { exchanges: { url: string }[] }) => p.exchanges.map((x) => x.url))).toEqual([
      ['http://127.0.0.1:4010/v1/books?per_page=5'],
      ['http://127.0.0.1:4010/v1/books?page=2&per_page=5'],
      ['http://127.0.0.1:4010/v1/books?page=3&per_page=5'],
    ]);
    expect(pages.map((p: { records: number; firstRecord: number }) => [p.firstRecord, p.records])).toEqual([
      [0, 5],
      [5, 5],
      [10, 2],
    ]);
    expect(pages[0].pagination).toBe('continued: the paginator gave a next page (page=2)');
    expect(pages[2].pagination).toBe('stopped: the paginator found no next page (this page gave 2 record(s); page_size is 5)');
    const first = pages[0].exchanges[0];
    expect(first).toMatchObject({ method: 'GET', status: 200, requestHeaders: { 'X-Api-Key': '****' } });
    expect(JSON.parse(first.responseBody).data).toHaveLength(5);
    expect(read.slices[0].state).toEqual({ __ab_no_cursor_state_message: true });
    expect(read.inferredSchema.properties.price).toEqual({ type: ['null', 'number'] });
    expect(read.declaredSchema.properties.id).toEqual({ type: ['null', 'integer'] });
    expect(res.body).not.toContain(TEST_KEY);
  });

  test('the page limit stops pagination and says so', async () => {
    const read = (await post('/api/test-read', { text: original, stream: 'books', limits: { pages: 2 } })).json();
    expect(read.records).toHaveLength(10);
    expect(read.slices[0].pages.at(-1).pagination).toBe("stopped: the test read's page limit (2 per slice) was reached");
  });

  test('the unsaved text of the editor is what is read; a failed request is an error located at the requester path', async () => {
    const text = original.replace('path: /authors', 'path: /authorz');
    const read = (await post('/api/test-read', { text, stream: 'authors' })).json();
    expect(read.records).toEqual([]);
    expect(read.errors[0]).toMatchObject({ line: 32, path: 'streams[0].retriever.requester.path', message: expect.stringContaining('/v1/authorz') });
    expect(text.split('\n')[31]).toContain('path: /authorz');
  });

  test('a credential the API echoes into a record or a body is masked there too', async () => {
    const api = await startServer({
      '/v1/authors': (req, res) => json(res, 200, { data: [{ id: 1, name: 'Echo', country: String(req.headers['x-api-key']) }] }),
    });
    const copy = tutorialCopy();
    writeFileSync(copy.config, JSON.stringify({ api_key: TEST_KEY, base_url: `${api.url}/v1` }));
    const other = await startStudio({ manifest: copy.manifest, config: copy.config });
    try {
      const res = await raw(other.port, '/api/test-read', {
        method: 'POST',
        body: { text: original, stream: 'authors' },
        headers: own(other.port, other.token),
      });
      expect(res.json().records).toEqual([{ id: 1, name: 'Echo', country: '****' }]);
      expect(res.body).not.toContain(TEST_KEY);
      expect(api.requests[0]!.headers['x-api-key']).toBe(TEST_KEY);
    } finally {
      await other.close();
      await api.close();
    }
  });

  test('against a live API, the failed request and its response are in the timeline', async () => {
    const api = await startServer({ '/v1/authors': (_req, res) => json(res, 404, { error: 'no such collection' }) });
    const copy = tutorialCopy();
    writeFileSync(copy.config, JSON.stringify({ api_key: TEST_KEY, base_url: `${api.url}/v1` }));
    const other = await startStudio({ manifest: copy.manifest, config: copy.config });
    try {
      const read = (
        await raw(other.port, '/api/test-read', { method: 'POST', body: { text: original, stream: 'authors' }, headers: own(other.port, other.token) })
      ).json();
      expect(read.errors[0]).toMatchObject({ line: 32, path: 'streams[0].retriever.requester.path', message: expect.stringContaining('404') });
      const page = read.slices[0].pages[0];
      expect(page.pagination).toBe('stopped: the request failed');
      expect(page.exchanges.at(-1)).toMatchObject({ method: 'GET', url: `${api.url}/v1/authors`, status: 404, responseBody: '{"error":"no such collection"}' });
    } finally {
      await other.close();
      await api.close();
    }
  });

  test('a manifest that does not load is reported with its located problems', async () => {
    const read = (await post('/api/test-read', { text: original.replace('type: DpathExtractor', 'type: DpathExtracter'), stream: 'books' })).json();
    expect(read.records).toEqual([]);
    expect(read.errors[0]).toMatchObject({ line: 21, column: 13, message: expect.stringContaining('DpathExtracter') });
  });
});

describe('use inferred schema', () => {
  test('writes the schema into the stream on disk; every other line of the file stays as it was', async () => {
    const initial = (await post('/api/initial', undefined, 'GET')).json();
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { id: { type: ['null', 'integer'] }, name: { type: ['null', 'string'] }, born: { type: ['null', 'integer'] } },
    };
    const res = await post('/api/accept-schema', { text: initial.manifest.text, version: initial.manifest.version, stream: 'authors', schema });
    expect(res.status).toBe(200);
    const onDisk = readFileSync(files.manifest, 'utf8');
    expect(res.json().text).toBe(onDisk);
    const root = parseYaml(onDisk);
    expect(root.streams[0].schema_loader).toEqual({ type: 'InlineSchemaLoader', schema });
    expect(root.streams[1].schema_loader.schema.properties.title).toEqual({ type: ['null', 'string'] });
    // Comments, flow style and the other stream are untouched: only the schema's lines differ.
    const before = original.split('\n');
    const after = onDisk.split('\n');
    const schemaLines = (lines: string[]) => [lines.indexOf('      schema:'), lines.indexOf('  - type: DeclarativeStream', lines.indexOf('      schema:'))];
    const [b0, b1] = schemaLines(before);
    const [a0, a1] = schemaLines(after);
    expect(after.slice(0, a0)).toEqual(before.slice(0, b0));
    expect(after.slice(a1)).toEqual(before.slice(b1));
    expect(onDisk).toContain('# The finished manifest of docs/authoring.md');
    // Written in the file's own flow style: padded maps, tight sequences.
    expect(after.slice(a0, a1).join('\n')).toContain('born: { type: ["null", integer] }');
    writeFileSync(files.manifest, original);
  });
});

describe('record and replay', () => {
  test('record mode replaces the old recording and keeps every test read until the mode changes; replay then answers from it with the API gone', async () => {
    const api = await startServer({
      '/v1/authors': (_req, res) => json(res, 200, { data: [{ id: 7, name: 'Recorded Author', country: 'XX' }] }),
      '/v1/books': (_req, res) => json(res, 200, { data: [{ id: 70, title: 'Recorded Book' }] }),
    });
    const copy = tutorialCopy();
    const recordings = `${copy.dir}/recordings`;
    mkdirSync(recordings);
    writeFileSync(`${recordings}/00001-GET-v1-old.json`, '{}');
    writeFileSync(copy.config, JSON.stringify({ api_key: TEST_KEY, base_url: `${api.url}/v1` }));
    const other = await startStudio({ manifest: copy.manifest, config: copy.config, replay: recordings });
    const call = (path: string, body: unknown) => raw(other.port, path, { method: 'POST', body, headers: own(other.port, other.token) });
    try {
      expect((await raw(other.port, '/api/initial', { headers: own(other.port, other.token) })).json().http.mode).toBe('replay');
      expect((await call('/api/mode', { mode: 'record' })).status).toBe(200);
      const recorded = (await call('/api/test-read', { text: original, stream: 'authors' })).json();
      expect(recorded.records).toEqual([{ id: 7, name: 'Recorded Author', country: 'XX' }]);
      expect((await call('/api/test-read', { text: original, stream: 'books' })).json().records).toEqual([{ id: 70, title: 'Recorded Book' }]);
      expect(readdirSync(recordings).sort()).toEqual(['00001-GET-v1-authors.json', '00002-GET-v1-books.json']);
      expect(
        readdirSync(recordings)
          .map((f) => readFileSync(`${recordings}/${f}`, 'utf8'))
          .join(''),
      ).not.toContain(TEST_KEY);
      await api.close();
      expect((await call('/api/mode', { mode: 'replay' })).status).toBe(200);
      const replayed = (await call('/api/test-read', { text: original, stream: 'authors' })).json();
      expect(replayed.errors).toEqual([]);
      expect(replayed.records).toEqual([{ id: 7, name: 'Recorded Author', country: 'XX' }]);
      expect((await call('/api/test-read', { text: original, stream: 'books' })).json().records).toEqual([{ id: 70, title: 'Recorded Book' }]);
      expect(api.requests).toHaveLength(2);
    } finally {
      await other.close();
      await api.close();
    }
  });

  test('record mode refuses a folder that holds other files than a recording, and leaves them', async () => {
    const copy = tutorialCopy();
    writeFileSync(`${copy.replay}/notes.txt`, 'mine');
    const other = await startStudio({ manifest: copy.manifest, config: copy.config, replay: copy.replay });
    try {
      const res = await raw(other.port, '/api/mode', { method: 'POST', body: { mode: 'record' }, headers: own(other.port, other.token) });
      expect(res.status).toBe(400);
      expect(res.json().error).toContain('not a recording');
      expect(readdirSync(copy.replay)).toContain('00001-GET-v1-authors.json');
    } finally {
      await other.close();
    }
  });

  test('without a recordings folder only live mode is allowed', async () => {
    const copy = tutorialCopy();
    const other = await startStudio({ manifest: copy.manifest, config: copy.config });
    try {
      const res = await raw(other.port, '/api/mode', { method: 'POST', body: { mode: 'replay' }, headers: own(other.port, other.token) });
      expect(res.status).toBe(400);
      expect(res.json().error).toContain('--replay');
    } finally {
      await other.close();
    }
  });
});

/** The page's server-sent events, read with a plain request. */
function listen(port: number, token: string): Promise<{ next(match: (e: any) => boolean): Promise<any>; close(): void }> {
  return new Promise((resolve, reject) => {
    const seen: any[] = [];
    const waiters: { match: (e: any) => boolean; resolve: (e: any) => void }[] = [];
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/events', headers: { Host: `127.0.0.1:${port}`, 'X-Studio-Token': token } }, (res) => {
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (!data) continue;
          const event = JSON.parse(data);
          seen.push(event);
          for (const w of waiters.splice(0)) w.match(event) ? w.resolve(event) : waiters.push(w);
        }
      });
      resolve({
        next: (match) =>
          new Promise((r) => {
            const found = seen.find(match);
            if (found) r(found);
            else waiters.push({ match, resolve: r });
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    req.end();
  });
}

describe('use inferred schema, for a stream whose schema is in a file', () => {
  const withFileLoader = (path: string) =>
    original.replace(
      /( {4}schema_loader:\n {6}type: InlineSchemaLoader\n {6}schema:\n(?: {8}.*\n)+)/,
      `    schema_loader:\n      type: JsonFileSchemaLoader\n      file_path: ${path}\n`,
    );

  test('a literal file_path inside the manifest folder: that file is written, the manifest is left alone', async () => {
    const copy = tutorialCopy();
    mkdirSync(join(copy.dir, 'schemas'));
    const text = withFileLoader('./schemas/authors.json');
    writeFileSync(copy.manifest, text);
    writeFileSync(join(copy.dir, 'schemas', 'authors.json'), JSON.stringify({ type: 'object', properties: { id: { type: 'integer' } } }));
    const other = await startStudio({ manifest: copy.manifest, config: copy.config, replay: copy.replay });
    const call = (path: string, body: unknown) => raw(other.port, path, { method: 'POST', body, headers: own(other.port, other.token) });
    try {
      const read = (await call('/api/test-read', { text, stream: 'authors' })).json();
      expect(read.declaredSchema).toEqual({ type: 'object', properties: { id: { type: 'integer' } } });
      const res = await call('/api/accept-schema', { text, stream: 'authors', schema: read.inferredSchema });
      expect(res.status).toBe(200);
      expect(JSON.parse(readFileSync(join(copy.dir, 'schemas', 'authors.json'), 'utf8'))).toEqual(read.inferredSchema);
      expect(readFileSync(copy.manifest, 'utf8')).toBe(text);
    } finally {
      await other.close();
    }
  });

  test('a path leaving the manifest folder, or a template, is refused and nothing is written', async () => {
    const copy = tutorialCopy();
    const other = await startStudio({ manifest: copy.manifest, config: copy.config, replay: copy.replay });
    const call = (text: string) =>
      raw(other.port, '/api/accept-schema', {
        method: 'POST',
        body: { text, stream: 'authors', schema: { type: 'object' } },
        headers: own(other.port, other.token),
      });
    try {
      const outside = await call(withFileLoader('../outside.json'));
      expect(outside.status).toBe(400);
      expect(outside.json().error).toContain("inside the manifest's folder");
      expect(existsSync(join(copy.dir, '..', 'outside.json'))).toBe(false);
      const templated = await call(withFileLoader('"./schemas/{{ parameters.name }}.json"'));
      expect(templated.status).toBe(400);
      expect(templated.json().error).toContain('a template');
      expect(readFileSync(copy.manifest, 'utf8')).toBe(original);
    } finally {
      await other.close();
    }
  });
});
