/**
 * The package as another project gets it: `npm pack` makes the real tarball, a fresh temp project
 * installs it (dependencies from the registry, or npm's cache after `npm ci`), and then imports the
 * library (type-checked with tsc), requires it from CommonJS, runs the CLI through its bin and reads
 * a shipped manifest by its package path. Uses the built dist/ (`npm test` builds first).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, string | { types: string; import: string }>;
};
const entry = pkg.exports['.'] as { types: string; import: string };

let project: string;
let tarball: string;
let packed: string[];

function run(command: string, args: string[], cwd = project): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'manifold-consumer-'));
  // --ignore-scripts: dist/ is already built; `prepare` would rebuild it.
  const pack = await run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', project], REPO);
  expect(pack.code).toBe(0);
  const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(project, info!.filename);
  packed = info!.files.map((f) => f.path);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { [pkg.name]: `file:${tarball}` } }),
  );
  const install = await run(npm, ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']);
  expect(install.stderr).not.toMatch(/ERR!/);
  expect(install.code).toBe(0);
}, 300_000);

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the build, manifests and licence, and no source maps pointing at absent sources', () => {
    expect(packed).toContain('dist/engine/index.js');
    expect(packed).toContain('dist/cli/main.js');
    expect(packed).toContain('manifests/close-com.yaml');
    expect(packed).toContain('LICENSE');
    expect(packed.filter((path) => path.endsWith('.map'))).toEqual([]);
    expect(packed.filter((path) => path.startsWith('test/') || path.startsWith('engine/'))).toEqual([]);
    // Installed as a real copy, not a link to this repo.
    expect(existsSync(join(project, 'node_modules', pkg.name, 'dist/engine/index.js'))).toBe(true);
    expect(readdirSync(join(project, 'node_modules', pkg.name))).not.toContain('test');
  });

  it('runs the CLI through its bin and reads a shipped manifest by its package path', async () => {
    const manifest = join('node_modules', pkg.name, 'manifests/close-com.yaml');
    const version = await run(join(project, 'node_modules/.bin/manifold'), ['--version']);
    expect(version.stdout.trim()).toBe(pkg.version);
    const spec = await run(join(project, 'node_modules/.bin/manifold'), ['spec', '--manifest', manifest]);
    expect(spec.code).toBe(0);
    expect(JSON.parse(spec.stdout).spec.connectionSpecification.required).toContain('api_key');
    const read = await run(join(project, 'node_modules/.bin/manifold'), [
      'read',
      '--manifest',
      manifest,
      '--config',
      join(REPO, 'fixtures/close-com/config.json'),
      '--replay',
      join(REPO, 'fixtures/close-com/replay'),
      '--quiet',
    ]);
    expect(read.code).toBe(0);
    expect(read.stdout.split('\n').filter((line) => line.includes('"type":"RECORD"')).length).toBeGreaterThan(50);
  });

  // The start-up fast paths docs/performance.md names (how long they take is bench scenario 12).
  it('answers --version and spec through node_modules/.bin/manifold and through a global install, with no npm in between', async () => {
    expect(await run(join(project, 'node_modules/.bin/manifold'), ['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const prefix = join(project, 'global');
    const install = await run(npm, [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      tarball,
    ]);
    expect(install.code).toBe(0);
    const bin = join(prefix, 'bin/manifold');
    expect(await run(bin, ['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const spec = await run(bin, ['spec', '--manifest', join(prefix, 'lib/node_modules', pkg.name, 'manifests/close-com.yaml')]);
    expect(spec.code).toBe(0);
    expect(JSON.parse(spec.stdout).spec.connectionSpecification.required).toContain('api_key');
    // The bin runs node directly, with the heap flags main.ts's shebang sets (the Docker entrypoint's too).
    expect(readFileSync(join(prefix, 'lib/node_modules', pkg.name, 'dist/cli/main.js'), 'utf8').split('\n', 1)[0]).toBe(
      '#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=50',
    );
  }, 300_000);

  it("resolves 'manifests/*' through exports and loads it as a library", async () => {
    writeFileSync(
      join(project, 'by-path.mjs'),
      `import { Source } from '${pkg.name}';
import { fileURLToPath } from 'node:url';
const file = fileURLToPath(import.meta.resolve('${pkg.name}/manifests/chartmogul.yaml'));
const source = await Source.fromFile(file);
console.log(JSON.stringify(source.streamNames()));
`,
    );
    const result = await run(process.execPath, ['by-path.mjs']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(expect.arrayContaining(['customers', 'activities']));
  });

  it('can be required from CommonJS (require(esm), Node >= 20.19)', async () => {
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const { Source, registeredTypes } = require('${pkg.name}');\nconsole.log(typeof Source.fromFile, typeof registeredTypes);\n`,
    );
    const result = await run(process.execPath, ['--disable-warning=ExperimentalWarning', 'cjs.cjs']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('function function');
  });
});

describe('the installed package', () => {
  it('points its entry at built JavaScript and type declarations that exist', () => {
    expect(existsSync(join(REPO, entry.import))).toBe(true);
    const dts = readFileSync(join(REPO, entry.types), 'utf8');
    expect(dts).toMatch(/export \{[^}]*\bSource\b/);
    expect(dts).toMatch(/\bcreateTransport\b/);
    expect(dts).toMatch(/export \{[^}]*\bDestination\b/);
    expect(existsSync(join(REPO, 'dist/engine/source/source.d.ts'))).toBe(true);
  });

  it('lets another project import { Source } from the package and read a manifest from a replay', async () => {
    const fixtures = join(REPO, 'fixtures/tutorial');
    writeFileSync(
      join(project, 'main.mjs'),
      `import { Source, createTransport, registeredTypes } from '${pkg.name}';
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

  it('loads a source into DuckDB in three lines with { openDestination, sync } from the package', async () => {
    const fixtures = join(REPO, 'fixtures/tutorial');
    writeFileSync(
      join(project, 'load.mjs'),
      `import { Source, createTransport, openDestination, sync } from '${pkg.name}';
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
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      streams: [
        ['authors', 'complete'],
        ['books', 'complete'],
      ],
      books: 12,
    });
  }, 60_000);

  it("exports the manifest JSON Schema as '<package>/schema.json'", async () => {
    writeFileSync(
      join(project, 'schema.mjs'),
      `import { createRequire } from 'node:module';
const schema = createRequire(import.meta.url)('${pkg.name}/schema.json');
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
      `import { Source, createTransport, openDestination, sync, type SqlDestination, type SyncResult, loadManifestText, validateManifest, SchemaInferrer, RecordChecker, type AirbyteMessage, type CheckResult, type ManifestProblem } from '${pkg.name}';
const problems: ManifestProblem[] = validateManifest(await loadManifestText('version: 6.0.0\\ntype: DeclarativeSource\\n', 'x.yaml'));
const inferrer = new SchemaInferrer();
console.log(problems.length, typeof inferrer, typeof RecordChecker);
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
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(REPO, 'node_modules/@types')],
        },
        files: ['consumer.ts'],
      }),
    );
    const result = await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
