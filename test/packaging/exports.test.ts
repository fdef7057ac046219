/**
 * The package as another project sees it: `import { Source } from 'manifold'` through
 * package.json `exports`, from a separate folder whose node_modules/manifold links to this repo
 * (as `npm install <path>` or `npm link` would). Uses the built dist/ (`npm test` builds first).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | { types: string; import: string }>;
};
const entry = pkg.exports['.'] as { types: string; import: string };

let project: string;

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: project, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'manifold-consumer-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(REPO, join(project, 'node_modules', pkg.name), 'dir');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

describe('the manifold package', () => {
  it('points its entry at built JavaScript and type declarations that exist', () => {
    expect(pkg.name).toBe('manifold');
    expect(existsSync(join(REPO, entry.import))).toBe(true);
    const dts = readFileSync(join(REPO, entry.types), 'utf8');
    expect(dts).toMatch(/export \{[^}]*\bSource\b/);
    expect(dts).toMatch(/\bcreateTransport\b/);
    expect(dts).toMatch(/export \{[^}]*\bDestination\b/);
    expect(existsSync(join(REPO, 'dist/engine/source/source.d.ts'))).toBe(true);
  });

  it("lets another project import { Source } from 'manifold' and read a manifest from a replay", async () => {
    const fixtures = join(REPO, 'fixtures/tutorial');
    writeFileSync(
      join(project, 'main.mjs'),
      `import { Source, createTransport, registeredTypes } from 'manifold';
const source = await Source.fromFile(${JSON.stringify(join(fixtures, 'bookshop.yaml'))}, {
  logLevel: 'ERROR',
  transport: createTransport({ replay: ${JSON.stringify(join(fixtures, 'replay'))} }),
});
const config = { api_key: 'demo-key', base_url: 'http://127.0.0.1:4010/v1' };
const titles = [];
for await (const m of source.read(config)) if (m.type === 'RECORD' && m.record.stream === 'books') titles.push(m.record.data.title);
console.log(JSON.stringify({
  streams: source.streamNames(),
  specTitle: source.spec().connectionSpecification.title,
  check: await source.check(config),
  books: titles.length,
  first: titles[0],
  knowsDpathExtractor: registeredTypes().includes('DpathExtractor'),
}));
`,
    );
    const result = await run(process.execPath, ['main.mjs']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      streams: ['authors', 'books'],
      specTitle: 'Bookshop',
      check: { status: 'SUCCEEDED' },
      books: 12,
      first: 'A Wizard of Earthsea',
      knowsDpathExtractor: true,
    });
  });

  it("loads a source into DuckDB in three lines with { openDestination, sync } from 'manifold'", async () => {
    const fixtures = join(REPO, 'fixtures/tutorial');
    writeFileSync(
      join(project, 'load.mjs'),
      `import { Source, createTransport, openDestination, sync } from 'manifold';
const source = await Source.fromFile(${JSON.stringify(join(fixtures, 'bookshop.yaml'))}, { logLevel: 'ERROR', transport: createTransport({ replay: ${JSON.stringify(join(fixtures, 'replay'))} }) });
const db = await openDestination('duckdb:books.duckdb');
const result = await sync(source, db, { config: { api_key: 'demo-key', base_url: 'http://127.0.0.1:4010/v1' } });
const [row] = await db.all('SELECT count(*)::INTEGER AS books FROM books');
await db.close();
console.log(JSON.stringify({ ok: result.ok, streams: result.streams.map((s) => [s.table, s.status]), books: row.books }));
`,
    );
    const result = await run(process.execPath, ['load.mjs']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ok: true, streams: [['authors', 'complete'], ['books', 'complete']], books: 12 });
  }, 60_000);

  it("exports the manifest JSON Schema as 'manifold/schema.json'", async () => {
    writeFileSync(
      join(project, 'schema.mjs'),
      `import { createRequire } from 'node:module';
const schema = createRequire(import.meta.url)('manifold/schema.json');
console.log(Object.keys(schema.definitions).includes('DeclarativeSource'), schema.title);
`,
    );
    const result = await run(process.execPath, ['schema.mjs']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('true Manifold connector manifest');
  });

  it("type-checks a TypeScript consumer against the package's declarations", async () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { Source, createTransport, openDestination, sync, type AirbyteMessage, type CheckResult, type SqlDestination, type SyncResult } from 'manifold';
const source: Source = await Source.fromFile('bookshop.yaml', { transport: createTransport({ replay: 'replay' }) });
const result: CheckResult = await source.check({ api_key: 'x' });
const names: string[] = source.streamNames();
for await (const m of source.read({}) as AsyncIterable<AirbyteMessage>) if (m.type === 'RECORD') console.log(m.record.stream, names, result.status);
// @ts-expect-error check() needs a config
await source.check();
const db: SqlDestination = await openDestination('duckdb:x.duckdb');
const synced: SyncResult = await sync(source, db, { config: {}, streams: ['books'], fullRefresh: true });
const rows: number = synced.streams[0]!.inserted;
console.log(rows);
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
          types: ['node'], typeRoots: [join(REPO, 'node_modules/@types')],
        },
        files: ['consumer.ts'],
      }),
    );
    const result = await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
