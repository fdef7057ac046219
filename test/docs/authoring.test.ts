/**
 * Keeps docs/authoring.md true: runs the walk-through's commands with the built CLI (offline,
 * against fixtures/tutorial/replay, as the doc tells readers to) and checks the outputs the doc
 * shows. Also re-records against scripts/tutorial-server.mjs to prove the shipped replay is what
 * the server answers.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { REPO, records, runCli, type CliResult } from '../helpers/cli.js';

const DOC = readFileSync(join(REPO, 'docs/authoring.md'), 'utf8');
const TUTORIAL = join(REPO, 'fixtures/tutorial');
const REPLAY = ['--replay', 'fixtures/tutorial/replay'];

/** The fenced block right after `<!-- tutorial:NAME -->`. */
function markedBlock(name: string): string {
  const at = DOC.indexOf(`<!-- tutorial:${name} -->`);
  expect(at).toBeGreaterThanOrEqual(0);
  const open = DOC.indexOf('```', at);
  const start = DOC.indexOf('\n', open) + 1;
  return DOC.slice(start, DOC.indexOf('\n```', start) + 1);
}

/** The first fenced block after `text` in the doc. */
function blockAfter(text: string): string {
  const at = DOC.indexOf(text);
  expect(at).toBeGreaterThanOrEqual(0);
  const open = DOC.indexOf('```', at + text.length);
  const start = DOC.indexOf('\n', open) + 1;
  return DOC.slice(start, DOC.indexOf('\n```', start));
}

/** Every `npx manifold …` command the doc tells readers to run. */
const DOC_COMMANDS = DOC.split('\n').filter((l) => l.startsWith('npx manifold ')).map((l) => l.trim());

const covered = new Set<string>();
let work: string;

/** Runs a command exactly as the doc spells it (plus `extra` arguments), from the work folder. */
function run(command: string, extra: string[] = []): Promise<CliResult> {
  expect(DOC_COMMANDS).toContain(command);
  covered.add(command);
  return runCli([...command.replace(/^npx manifold /, '').split(/\s+/), ...extra], { cwd: work });
}

const step1 = markedBlock('step-1');
/** Step 2 replaces the streams of step 1 and adds definitions; version, type and check stay. */
const step2 = step1.slice(0, step1.indexOf('streams:')) + markedBlock('step-2');

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'manifold-tutorial-'));
  symlinkSync(join(REPO, 'fixtures'), join(work, 'fixtures'));
  cpSync(join(TUTORIAL, 'config.json'), join(work, 'config.json'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('docs/authoring.md walk-through', () => {
  it('ships the config the doc shows', () => {
    expect(DOC).toContain('cp fixtures/tutorial/config.json config.json');
    expect(JSON.parse(blockAfter('cp fixtures/tutorial/config.json config.json\n```'))).toEqual(
      JSON.parse(readFileSync(join(TUTORIAL, 'config.json'), 'utf8')),
    );
  });

  it('step 1: the first manifest validates, and a typo is reported as the doc shows', async () => {
    writeFileSync(join(work, 'bookshop.yaml'), step1);
    const ok = await run('npx manifold validate --manifest bookshop.yaml');
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe(blockAfter('npx manifold validate --manifest bookshop.yaml\n```').trim());

    writeFileSync(join(work, 'bookshop.yaml'), step1.replace('type: DpathExtractor', 'type: DpathExtractr'));
    const bad = await run('npx manifold validate --manifest bookshop.yaml');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(blockAfter('With `DpathExtractor` misspelled as `DpathExtractr`:').trim());
  });

  it('step 1: check succeeds against the replay', async () => {
    writeFileSync(join(work, 'bookshop.yaml'), step1);
    const result = await run('npx manifold check --manifest bookshop.yaml --config config.json', REPLAY);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(blockAfter('npx manifold check --manifest bookshop.yaml --config config.json\n```').trim());
  });

  it('step 2: a test read with --limit-records 3 --show-http shows the requests and 3 records per stream', async () => {
    writeFileSync(join(work, 'bookshop.yaml'), step2);
    const result = await run('npx manifold read --manifest bookshop.yaml --config config.json --limit-records 3 --show-http', REPLAY);
    expect(result.code).toBe(0);
    expect(records(result, 'authors')).toHaveLength(3);
    expect(records(result, 'books').map((b) => b.id)).toEqual([101, 102, 103]);
    // Only the first page of books is requested.
    expect(result.stderr).toContain('[books] → GET http://127.0.0.1:4010/v1/books?per_page=5\n    X-Api-Key: ****');
    expect(result.stderr).not.toContain('page=2');
    expect(result.stderr).not.toContain('demo-key');
    const shown = blockAfter('--limit-records 3 --show-http\n```').split('\n');
    for (const line of shown.filter((l) => l.startsWith('[') && !l.includes(' in '))) expect(result.stderr).toContain(line);
    const shownRecord = shown.find((l) => l.startsWith('{"type":"RECORD"'))!.replace(/"emitted_at":….*$/, '');
    expect(result.stdout).toContain(shownRecord);
  });

  it('step 3: replaying the recording gives the 16 records the doc promises', async () => {
    writeFileSync(join(work, 'bookshop.yaml'), step2);
    const result = await run('npx manifold read --manifest bookshop.yaml --config config.json --replay fixtures/tutorial/replay');
    expect(result.code).toBe(0);
    expect(records(result)).toHaveLength(16);
    expect(records(result, 'authors')).toHaveLength(4);
    const books = records(result, 'books');
    expect(books).toHaveLength(12);
    expect(books[0]).toMatchObject({ id: 101, title: 'A Wizard of Earthsea' });
    expect(DOC).toContain('**16 records**: 4 authors and 12 books, the first\nbook being "A Wizard of Earthsea" (id 101)');
  });

  it('step 3: recording against the tutorial server reproduces fixtures/tutorial/replay', async () => {
    const server = await startTutorialServer();
    try {
      writeFileSync(join(work, 'bookshop.yaml'), step2);
      writeFileSync(join(work, 'config.json'), JSON.stringify({ api_key: 'demo-key', base_url: server.baseUrl }));
      const result = await run('npx manifold read --manifest bookshop.yaml --config config.json --record my-replay');
      expect(result.code).toBe(0);
      expect(records(result)).toHaveLength(16);
      // Streams run concurrently, so the sequence numbers in file names may come out in another
      // order: compare the exchanges by request, not by file name.
      const recorded = readdirSync(join(work, 'my-replay')).sort();
      const shipped = readdirSync(join(TUTORIAL, 'replay')).sort();
      const unnumbered = (files: string[]) => files.map((f) => f.replace(/^\d+-/, '')).sort();
      expect(unnumbered(recorded)).toEqual(unnumbered(shipped));
      expect(DOC).toContain(`\`${shipped[0]}\``);
      const origin = new URL(server.baseUrl).origin;
      const mineByUrl = new Map(
        recorded.map((file) => {
          const mine = JSON.parse(readFileSync(join(work, 'my-replay', file), 'utf8'));
          return [mine.request.url.replace(origin, 'http://127.0.0.1:4010'), mine] as const;
        }),
      );
      for (const file of shipped) {
        const theirs = JSON.parse(readFileSync(join(TUTORIAL, 'replay', file), 'utf8'));
        const mine = mineByUrl.get(theirs.request.url);
        expect(mine).toBeDefined();
        expect(mine.request.headers).toEqual({ 'X-Api-Key': '****' });
        expect(theirs.request.headers).toEqual({ 'X-Api-Key': '****' });
        expect(mine.response.status).toBe(theirs.response.status);
        expect(JSON.parse(mine.response.body)).toEqual(JSON.parse(theirs.response.body));
      }
    } finally {
      cpSync(join(TUTORIAL, 'config.json'), join(work, 'config.json'));
      server.process.kill();
    }
  });

  it('step 4: infer-schema prints the schema the doc shows and the finished manifest uses', async () => {
    writeFileSync(join(work, 'bookshop.yaml'), step2);
    const command = 'npx manifold infer-schema --manifest bookshop.yaml --config config.json --replay fixtures/tutorial/replay --stream books';
    const result = await run(command);
    expect(result.code).toBe(0);
    const inferred = JSON.parse(result.stdout);
    expect(inferred).toEqual(JSON.parse(blockAfter(`${command}\n\`\`\``)));
    const finished = parse(readFileSync(join(TUTORIAL, 'bookshop.yaml'), 'utf8'));
    const books = finished.streams.find((s: { name: string }) => s.name === 'books');
    expect(books.schema_loader.schema).toEqual(inferred);
  });

  it('step 5: the finished manifest validates, discovers both streams and reads into files', async () => {
    const validated = await run('npx manifold validate --manifest fixtures/tutorial/bookshop.yaml');
    expect(validated.code).toBe(0);
    expect(validated.stdout.trim()).toBe('fixtures/tutorial/bookshop.yaml: valid');

    const discovered = await run('npx manifold discover --manifest fixtures/tutorial/bookshop.yaml --config fixtures/tutorial/config.json --replay fixtures/tutorial/replay');
    expect(discovered.code).toBe(0);
    const catalog = discovered.messages.find((m) => m.type === 'CATALOG')!.catalog;
    expect(catalog.streams.map((s: { name: string }) => s.name)).toEqual(['authors', 'books']);
    expect(catalog.streams[1].json_schema.properties.title).toEqual({ type: ['null', 'string'] });

    const read = await run('npx manifold read --manifest fixtures/tutorial/bookshop.yaml --config fixtures/tutorial/config.json --replay fixtures/tutorial/replay --output out');
    expect(read.code).toBe(0);
    const lines = (f: string) => readFileSync(join(work, 'out', f), 'utf8').trim().split('\n');
    expect(lines('authors.jsonl')).toHaveLength(4);
    expect(lines('books.jsonl')).toHaveLength(12);
    expect(JSON.parse(lines('books.jsonl')[11]!)).toMatchObject({ id: 112, author_id: 4 });
    expect(existsSync(join(work, 'out/state.json'))).toBe(true);
    expect(DOC).toContain('`out/authors.jsonl` (4 lines), `out/books.jsonl` (12 lines)');
  });

  it('step 5: api_key is an airbyte_secret, and its value never shows in --show-http output', async () => {
    const finished = parse(readFileSync(join(TUTORIAL, 'bookshop.yaml'), 'utf8'));
    expect(finished.spec.connection_specification.properties.api_key.airbyte_secret).toBe(true);
    const key = 'k-9f3c2e71d5';
    writeFileSync(join(work, 'secret-config.json'), JSON.stringify({ api_key: key, base_url: 'http://127.0.0.1:4010/v1' }));
    const result = await runCli(['read', '--manifest', 'fixtures/tutorial/bookshop.yaml', '--config', 'secret-config.json', '--show-http', ...REPLAY], { cwd: work });
    expect(records(result)).toHaveLength(16);
    expect(result.stderr).toContain('X-Api-Key: ****');
    expect(result.stdout + result.stderr).not.toContain(key);
  });

  it('editor support: the yaml-language-server line is the fixture manifest’s first line and points at the schema', () => {
    const line = blockAfter('complete manifests against it when the file starts with one comment line:').trim();
    const first = readFileSync(join(TUTORIAL, 'bookshop.yaml'), 'utf8').split('\n')[0];
    expect(first).toBe(line);
    const target = resolve(TUTORIAL, line.replace('# yaml-language-server: $schema=', ''));
    expect(target).toBe(join(REPO, 'engine/manifest/schema/manifest.schema.json'));
    expect(JSON.parse(readFileSync(target, 'utf8')).definitions.DeclarativeSource).toBeDefined();
  });

  it('every command in the doc is run by this test', () => {
    // Recording needs a live server; it is run above, against one on a free port.
    expect(DOC_COMMANDS.filter((c) => !covered.has(c))).toEqual([]);
  });
});

interface TutorialServer {
  process: ChildProcess;
  baseUrl: string;
}

/** Starts scripts/tutorial-server.mjs on a free port and waits for its "listening" line. */
function startTutorialServer(): Promise<TutorialServer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'scripts/tutorial-server.mjs'), '--port', '0'], {
      cwd: dirname(TUTORIAL),
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolvePromise({ process: child, baseUrl: m[1]! });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`tutorial server exited (${code}): ${err}`)));
  });
}
