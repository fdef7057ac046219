/**
 * Keeps docs/authoring.md true: runs the walk-through's commands with the built CLI (offline,
 * against fixtures/tutorial/replay, as the doc tells readers to) and checks the outputs the doc
 * shows. Also re-records against scripts/tutorial-server.mjs to prove the shipped replay is what
 * the server answers.
 */
import { describe, it, expect, beforeAll, afterAll, jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { REPO, records, runCli, type CliResult } from '../helpers/cli.js';

// Part 2 runs several CLI commands per test, each waiting out the tutorial server's 429 (1 s), on a
// machine that may be busy.
jest.setTimeout(120_000);

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
const DOC_COMMANDS = DOC.split('\n')
  .filter((l) => l.startsWith('npx manifold '))
  .map((l) => l.trim());

const covered = new Set<string>();
let work: string;

/** A command line's words, as a shell splits them ("…" quotes one word). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/**
 * Runs a command exactly as the doc spells it (plus `extra` arguments), from the work folder.
 * `> FILE` at the end writes stdout to FILE, as the shell would.
 */
async function run(command: string, extra: string[] = []): Promise<CliResult> {
  expect(DOC_COMMANDS).toContain(command);
  covered.add(command);
  const [line, redirect] = command.split(' > ');
  const result = await runCli([...words(line!.replace(/^npx manifold /, '')), ...extra], { cwd: work });
  if (redirect) writeFileSync(join(work, redirect.trim()), result.stdout);
  return result;
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

    const discovered = await run(
      'npx manifold discover --manifest fixtures/tutorial/bookshop.yaml --config fixtures/tutorial/config.json --replay fixtures/tutorial/replay',
    );
    expect(discovered.code).toBe(0);
    const catalog = discovered.messages.find((m) => m.type === 'CATALOG')!.catalog;
    expect(catalog.streams.map((s: { name: string }) => s.name)).toEqual(['authors', 'books']);
    expect(catalog.streams[1].json_schema.properties.title).toEqual({ type: ['null', 'string'] });

    const read = await run(
      'npx manifold read --manifest fixtures/tutorial/bookshop.yaml --config fixtures/tutorial/config.json --replay fixtures/tutorial/replay --output out',
    );
    expect(read.code).toBe(0);
    const lines = (f: string) =>
      readFileSync(join(work, 'out', f), 'utf8')
        .trim()
        .split('\n');
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
    const result = await runCli(['read', '--manifest', 'fixtures/tutorial/bookshop.yaml', '--config', 'secret-config.json', '--show-http', ...REPLAY], {
      cwd: work,
    });
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
});

/**
 * Part 2 (steps 6–9) runs against scripts/tutorial-server.mjs, as the doc says: its date filters and
 * its 429s are the behaviour being shown. The manifest grows as the reader's does: the finished
 * part 1 plus each step's block, pasted where the doc says.
 */
describe('docs/authoring.md walk-through, part 2', () => {
  let server: TutorialServer;
  /** The doc's URLs: the server's origin as the doc writes it. */
  let asInDoc: (text: string) => string;
  const part1 = readFileSync(join(TUTORIAL, 'bookshop.yaml'), 'utf8');
  const addStreams = (text: string, ...blocks: string[]) => text.replace('\ncheck:\n', `\n${blocks.join('\n')}\ncheck:\n`);
  const step8 = markedBlock('step-8');
  /** The error handler of step 8, pasted under the shared requester's authenticator. */
  const withErrorHandler = (text: string) =>
    text.replace('        field_name: X-Api-Key\n', `        field_name: X-Api-Key\n${step8.slice(step8.indexOf('    error_handler:'))}`);
  const afterStep6 = addStreams(part1, markedBlock('step-6'));
  const afterStep7 = addStreams(part1, markedBlock('step-6'), markedBlock('step-7'));
  const afterStep8 = withErrorHandler(afterStep7);
  /** The stream_state of `name` in a state file written by --output. */
  const savedState = (file: string, name: string) =>
    JSON.parse(readFileSync(join(work, file), 'utf8')).find(
      (m: { stream: { stream_descriptor: { name: string } } }) => m.stream.stream_descriptor.name === name,
    ).stream.stream_state;
  const lines = (f: string) =>
    readFileSync(join(work, f), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));

  beforeAll(async () => {
    server = await startTutorialServer();
    const origin = new URL(server.baseUrl).origin;
    asInDoc = (text) => text.split(origin).join('http://127.0.0.1:4010');
    writeFileSync(join(work, 'config.json'), JSON.stringify({ api_key: 'demo-key', base_url: server.baseUrl }));
    writeFileSync(join(work, 'bad-config.json'), JSON.stringify({ api_key: 'wrong-key', base_url: server.baseUrl }));
  });

  afterAll(() => {
    server.process.kill();
    cpSync(join(TUTORIAL, 'config.json'), join(work, 'config.json'));
  });

  it('the steps, pasted into part 1, give fixtures/tutorial/bookshop-incremental.yaml', () => {
    expect(parse(afterStep8)).toEqual(parse(readFileSync(join(TUTORIAL, 'bookshop-incremental.yaml'), 'utf8')));
    expect(parse(blockAfter('in `bad-config.json`:'))).toEqual({ api_key: 'wrong-key', base_url: 'http://127.0.0.1:4010/v1' });
  });

  it('step 6: catalog makes orders incremental; a read saves its state; the next read asks only since it', async () => {
    writeFileSync(join(work, 'bookshop.yaml'), afterStep6);
    const catalog = await run('npx manifold catalog --manifest bookshop.yaml --config config.json --streams orders > catalog.json');
    expect(catalog.code).toBe(0);
    const entry = JSON.parse(readFileSync(join(work, 'catalog.json'), 'utf8')).streams[0];
    expect(entry).toMatchObject({ sync_mode: 'incremental', cursor_field: ['updated_at'], destination_sync_mode: 'append_dedup', primary_key: [['id']] });
    expect(DOC).toContain(
      '`"sync_mode": "incremental"`, `"cursor_field": ["updated_at"]`,\n`"destination_sync_mode": "append_dedup"` and `"primary_key": [["id"]]`',
    );

    const first = await run('npx manifold read --manifest bookshop.yaml --config config.json --catalog catalog.json --output incremental');
    expect(first.code).toBe(0);
    expect(lines('incremental/orders.jsonl').map((o) => o.id)).toEqual([5001, 5002, 5003, 5004, 5005, 5006]);
    expect(DOC).toContain('`incremental/orders.jsonl` gets the **6 orders**');
    expect(savedState('incremental/state.json', 'orders')).toEqual(JSON.parse(markedBlock('orders-state')));

    const again = await run(
      'npx manifold read --manifest bookshop.yaml --config config.json --catalog catalog.json --state incremental/state.json --show-http',
    );
    expect(again.code).toBe(0);
    expect(records(again, 'orders').map((o) => o.id)).toEqual([5006]);
    const stderr = asInDoc(again.stderr);
    const shown = blockAfter(
      'Run\nagain from that state, watching the requests:\n\n```sh\nnpx manifold read --manifest bookshop.yaml --config config.json --catalog catalog.json --state incremental/state.json --show-http\n```',
    );
    for (const line of shown.split('\n')) expect(stderr).toContain(line.split(' in … ms')[0]);
    expect(stderr).toContain('[orders]   retrying GET http://127.0.0.1:4010/v1/orders?updated_since=2024-03-09T10%3A20%3A00Z in 1.0 s');
  });

  it('step 7: the reviews substream keeps one cursor per author and asks each author from its own', async () => {
    writeFileSync(join(work, 'bookshop.yaml'), afterStep7);
    const catalog = await run('npx manifold catalog --manifest bookshop.yaml --config config.json --streams orders,reviews > catalog.json');
    expect(catalog.code).toBe(0);
    const read = await run(
      'npx manifold read --manifest bookshop.yaml --config config.json --catalog catalog.json --state incremental/state.json --output incremental',
    );
    expect(read.code).toBe(0);
    expect(
      lines('incremental/reviews.jsonl')
        .map((r) => r.id)
        .sort(),
    ).toEqual([9001, 9002, 9003, 9004, 9005]);
    expect(DOC).toContain('`incremental/reviews.jsonl` gets the **5 reviews**');
    const reviews = savedState('incremental/state.json', 'reviews');
    expect(reviews.states).toEqual(JSON.parse(markedBlock('reviews-state')));
    expect(savedState('incremental/state.json', 'orders')).toEqual(JSON.parse(markedBlock('orders-state')));

    const again = await run(
      'npx manifold read --manifest bookshop.yaml --config config.json --catalog catalog.json --state incremental/state.json --show-http',
    );
    expect(again.code).toBe(0);
    expect(
      records(again, 'reviews')
        .map((r) => r.id)
        .sort(),
    ).toEqual([9002, 9004, 9005]);
    const shown = blockAfter(
      'now shows each author\nasked from its own cursor:\n\n```sh\nnpx manifold read --manifest bookshop.yaml --config config.json --catalog catalog.json --state incremental/state.json --show-http\n```',
    );
    for (const line of shown.split('\n')) expect(asInDoc(again.stderr)).toContain(line);
  });

  it('step 8: with the error handler, the 429 is still retried and a wrong key gets the config_error message', async () => {
    writeFileSync(join(work, 'bookshop.yaml'), afterStep8);
    const bad = await run('npx manifold check --manifest bookshop.yaml --config bad-config.json');
    expect(asInDoc(bad.stdout).trim()).toBe(markedBlock('bad-key').trim());
    const status = bad.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus;
    expect(status.status).toBe('FAILED');
    // The 429 of /orders is retried under the step-8 handler: WaitTimeFromHeader waits Retry-After.
    const read = await runCli(['read', '--manifest', 'bookshop.yaml', '--config', 'config.json', '--catalog', 'catalog.json', '--show-http'], { cwd: work });
    expect(read.code).toBe(0);
    expect(records(read, 'orders')).toHaveLength(6);
    expect(read.stderr).toContain('[orders] ← 429');
    expect(read.stderr).toMatch(/\[orders\] {3}retrying GET \S+\/orders\?updated_since=2024-01-01T00%3A00%3A00Z in 1\.0 s/);
  });

  it('step 9: sync loads the four streams; a second sync merges and adds nothing', async () => {
    writeFileSync(join(work, 'bookshop.yaml'), afterStep8);
    const first = await run('npx manifold sync --manifest bookshop.yaml --config config.json --to duckdb:bookshop.duckdb');
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(markedBlock('sync-1').trim());

    const query = await run('npx manifold query duckdb:bookshop.duckdb "SELECT id, status, updated_at FROM orders ORDER BY id"');
    expect(query.code).toBe(0);
    expect(query.stdout.trim()).toBe(markedBlock('query').trim());

    const second = await run('npx manifold sync --manifest bookshop.yaml --config config.json --to duckdb:bookshop.duckdb');
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(markedBlock('sync-2').trim());
    const counts = await runCli(
      [
        'query',
        'duckdb:bookshop.duckdb',
        'SELECT (SELECT count(DISTINCT id)::INTEGER FROM orders) AS orders, (SELECT count(*)::INTEGER FROM orders) AS order_rows, (SELECT count(*)::INTEGER FROM reviews) AS reviews',
        '--json',
      ],
      { cwd: work },
    );
    expect(JSON.parse(counts.stdout.trim())).toEqual({ orders: 6, order_rows: 6, reviews: 5 });
    expect(DOC).toContain('The tables still hold 6 orders and 5 reviews, each once.');
  });

  it('the finished part-2 manifest validates', async () => {
    const validated = await run('npx manifold validate --manifest fixtures/tutorial/bookshop-incremental.yaml');
    expect(validated.code).toBe(0);
    expect(validated.stdout.trim()).toBe('fixtures/tutorial/bookshop-incremental.yaml: valid');
  });
});

describe('docs/authoring.md commands', () => {
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
