/**
 * Every expansion an untrusted manifest or a hostile API controls has a budget: response size,
 * decompressed size (Content-Encoding gzip/deflate/br, GzipDecoder, ZipfileDecoder, gzip+CSV),
 * JSON nesting of responses, YAML aliases, `$ref` expansion, manifest nesting and template values.
 * Each ends in a config_error/system_error naming the limit and the flag/option that raises it —
 * no "Unexpected error", no stack trace, a non-zero exit — and, measured on a child process, with
 * memory bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { zipSync } from 'fflate';
import { Source, LimitExceededError, setTemplateSizeLimit, DEFAULT_LIMITS, type AirbyteMessage, type ManifoldError } from '../../engine/index.js';
import { InterpolatedString } from '../../engine/interpolation/index.js';
import { REPO } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

const MiB = 1024 * 1024;

/** `size` zero bytes compressed by a zlib stream, without ever holding them uncompressed. */
async function compressZeros(size: number, stream: zlib.Gzip | zlib.Deflate | zlib.BrotliCompress): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => stream.on('end', r));
  const zeros = Buffer.alloc(MiB);
  for (let sent = 0; sent < size; sent += MiB) {
    if (!stream.write(zeros)) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
  await done;
  return Buffer.concat(chunks);
}

/** A CSV of `rows` one-column rows, gzipped as a stream. */
async function gzipCsv(rows: number): Promise<Buffer> {
  const gzip = zlib.createGzip({ level: 1 });
  const chunks: Buffer[] = [];
  gzip.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => gzip.on('end', r));
  gzip.write('id\n');
  const block = Buffer.from('1\n'.repeat(MiB / 2));
  for (let n = 0; n < rows; n += MiB / 2) {
    if (!gzip.write(block)) await new Promise((r) => gzip.once('drain', r));
  }
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}

const bodies: Record<string, { body: Buffer; headers: Record<string, string> }> = {};
let server: TestServer;

beforeAll(async () => {
  const json = { 'content-type': 'application/json' };
  bodies['/gzip-bomb'] = { body: await compressZeros(512 * MiB, zlib.createGzip({ level: 1 })), headers: { ...json, 'content-encoding': 'gzip' } };
  bodies['/small-gzip'] = { body: await compressZeros(8 * MiB, zlib.createGzip()), headers: { ...json, 'content-encoding': 'gzip' } };
  bodies['/small-deflate'] = { body: await compressZeros(8 * MiB, zlib.createDeflate()), headers: { ...json, 'content-encoding': 'deflate' } };
  bodies['/small-br'] = {
    body: await compressZeros(8 * MiB, zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } })),
    headers: { ...json, 'content-encoding': 'br' },
  };
  bodies['/raw-gzip-csv'] = { body: await gzipCsv(256 * MiB), headers: { 'content-type': 'application/gzip' } };
  bodies['/small-raw-gzip'] = { body: await compressZeros(8 * MiB, zlib.createGzip()), headers: { 'content-type': 'application/gzip' } };
  bodies['/zip'] = { body: Buffer.from(zipSync({ 'a.json': new Uint8Array(3 * MiB).fill(32) })), headers: { 'content-type': 'application/zip' } };
  bodies['/big'] = { body: Buffer.from(JSON.stringify({ data: ['x'.repeat(3 * MiB)] })), headers: json };
  bodies['/deep'] = { body: Buffer.from(`{"data":[${'['.repeat(200_000)}${']'.repeat(200_000)}]}`), headers: json };
  bodies['/deep-jsonl'] = { body: Buffer.from(`{"id":1}\n${'['.repeat(200_000)}${']'.repeat(200_000)}\n`), headers: { 'content-type': 'application/jsonl' } };
  bodies['/ok'] = { body: Buffer.from(JSON.stringify({ data: [{ id: 1 }] })), headers: json };
  const routes = Object.fromEntries(
    Object.entries(bodies).map(([path, { body, headers }]) => [
      `GET /api${path}`,
      (_req: unknown, res: import('node:http').ServerResponse) => void res.writeHead(200, headers).end(body),
    ]),
  );
  server = await startServer(routes);
}, 120_000);
afterAll(async () => server.close());

function manifest(path: string, decoder = '', extra = ''): string {
  return `version: 6.7.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [things] }
streams:
  - type: DeclarativeStream
    name: things
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "${server.url}/api"
        path: ${path}
${extra}
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: ${decoder.includes('Csv') || decoder.includes('Jsonl') ? '[]' : '[data]'} }
${decoder}
spec:
  type: Spec
  connection_specification: { type: object, properties: {} }
`;
}

async function errorsOfRead(text: string, limits?: Record<string, number>): Promise<Array<{ message: string; failure_type: string; stack_trace?: string }>> {
  const source = await Source.fromText(text, undefined, limits ? { limits } : {});
  const out: AirbyteMessage[] = [];
  for await (const m of source.read({})) out.push(m);
  return out.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => (m as any).trace.error);
}

function expectLimit(error: { message: string; failure_type: string; stack_trace?: string } | undefined, flag: string, option: string, failure: string): void {
  expect(error).toBeDefined();
  expect(error!.failure_type).toBe(failure);
  expect(error!.message).toContain(flag);
  expect(error!.message).toContain(`limits.${option}`);
  expect(error!.message).not.toMatch(/Unexpected error/);
  expect(error!.stack_trace).toBeUndefined();
}

/** Runs the built CLI in a child, returning its exit code, messages and peak RSS in MiB. */
function runMeasured(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; peakMiB: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=16', '--heap-growing-percent=50', join(REPO, 'test/security/peak-rss.mjs'), ...args], {
      cwd: REPO,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const kb = Number(/PEAK_RSS_KB (\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({ code, stdout, stderr, peakMiB: kb / 1024 });
    });
  });
}

function files(contents: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'manifold-limits-'));
  return Object.fromEntries(
    Object.entries(contents).map(([name, text]) => {
      writeFileSync(join(dir, name), text);
      return [name, join(dir, name)];
    }),
  );
}

describe('response bodies', () => {
  it.each([
    ['gzip', '/small-gzip'],
    ['deflate', '/small-deflate'],
    ['br', '/small-br'],
  ])('Content-Encoding %s inflating past the budget is a system_error naming --max-decompressed-mb', async (_coding, path) => {
    const [error] = await errorsOfRead(manifest(path), { maxDecompressedBytes: 1 * MiB });
    expectLimit(error, '--max-decompressed-mb', 'maxDecompressedBytes', 'system_error');
    expect(error!.message).toMatch(/decompresses to more than the limit/);
  });

  it('GzipDecoder inflating past the budget is a system_error naming --max-decompressed-mb', async () => {
    const [error] = await errorsOfRead(manifest('/small-raw-gzip', '      decoder: { type: GzipDecoder, decoder: { type: JsonDecoder } }'), {
      maxDecompressedBytes: 1 * MiB,
    });
    expectLimit(error, '--max-decompressed-mb', 'maxDecompressedBytes', 'system_error');
  });

  it('ZipfileDecoder whose files declare more than the budget is refused before inflating', async () => {
    const [error] = await errorsOfRead(manifest('/zip', '      decoder: { type: ZipfileDecoder, decoder: { type: JsonDecoder } }'), {
      maxDecompressedBytes: 1 * MiB,
    });
    expectLimit(error, '--max-decompressed-mb', 'maxDecompressedBytes', 'system_error');
  });

  it('a body larger than the per-page budget is cut off: system_error naming --max-response-mb', async () => {
    const [error] = await errorsOfRead(manifest('/big'), { maxResponseBytes: 1 * MiB, maxDecompressedBytes: 1 * MiB });
    expectLimit(error, '--max-response-mb', 'maxResponseBytes', 'system_error');
    expect(error!.message).toContain('GET http://127.0.0.1');
  });

  it('bodies within the budgets are read as before', async () => {
    const source = await Source.fromText(manifest('/ok'));
    const records: unknown[] = [];
    for await (const m of source.read({})) if (m.type === 'RECORD') records.push(m.record.data);
    expect(records).toEqual([{ id: 1 }]);
  });

  it.each([
    ['JSON', '/deep', ''],
    ['JSONL', '/deep-jsonl', '      decoder: { type: JsonlDecoder }'],
  ])('%s nested 200k levels deep is a system_error naming --max-record-depth, not a stack overflow', async (_kind, path, decoder) => {
    const [error] = await errorsOfRead(manifest(path, decoder));
    expectLimit(error, '--max-record-depth', 'maxRecordDepth', 'system_error');
    expect(error!.message).toMatch(/nested more than 1000 levels deep/);
    expect(error!.message).not.toMatch(/call stack/);
  });

  it('CLI: a 512 MiB gzip bomb (Content-Encoding) stops at the default budget with exit 1 and bounded memory', async () => {
    const { 'manifest.yaml': m, 'config.json': config } = files({ 'manifest.yaml': manifest('/gzip-bomb'), 'config.json': '{}' });
    const run = await runMeasured(['read', '--manifest', m!, '--config', config!]);
    expect(run.code).toBe(1);
    const trace = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((x) => x.type === 'TRACE' && x.trace.type === 'ERROR');
    expectLimit(trace?.trace.error, '--max-decompressed-mb', 'maxDecompressedBytes', 'system_error');
    expect(run.stderr).not.toMatch(/ {4}at /);
    expect(run.peakMiB).toBeLessThan(300);
  }, 60_000);

  it('CLI: a gzip+CSV bomb (GzipDecoder, 256 MiB of rows) stops at the budget with exit 1 and bounded memory', async () => {
    const { 'manifest.yaml': m, 'config.json': config } = files({
      'manifest.yaml': manifest('/raw-gzip-csv', '      decoder: { type: GzipDecoder, decoder: { type: CsvDecoder } }'),
      'config.json': '{}',
    });
    const run = await runMeasured(['read', '--manifest', m!, '--config', config!]);
    expect(run.code).toBe(1);
    const trace = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((x) => x.type === 'TRACE' && x.trace.type === 'ERROR');
    expectLimit(trace?.trace.error, '--max-decompressed-mb', 'maxDecompressedBytes', 'system_error');
    expect(run.stdout + run.stderr).not.toMatch(/Unexpected error| {4}at /);
    expect(run.peakMiB).toBeLessThan(300);
  }, 60_000);
});

describe('manifests', () => {
  const laughs = (levels: number): string => {
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(',')}]`);
    return `version: 6.7.0\ntype: DeclarativeSource\ncheck: { type: CheckStream, stream_names: [] }\ndefinitions:\n${lines.map((l) => `  ${l}`).join('\n')}\nstreams: []\n`;
  };

  async function manifestError(load: () => Promise<unknown>): Promise<ManifoldError> {
    const e = (await load().then(
      () => undefined,
      (err: unknown) => err,
    )) as ManifoldError;
    expect(e).toBeDefined();
    expect(e.failureType).toBe('config_error');
    return e;
  }

  it('a YAML alias bomb is refused by the alias budget, located at the first alias', async () => {
    const e = await manifestError(() => Source.fromText(laughs(9), 'bomb.yaml'));
    expect(e.message).toMatch(/bomb\.yaml:6:\d+: YAML aliases expand the manifest too much/);
    expect(e.message).toContain('--max-yaml-aliases');
    expect(e.message).toContain('limits.maxYamlAliases');
  });

  it('a few YAML aliases are fine', async () => {
    const source = await Source.fromText(`${laughs(1)}`, 'ok.yaml');
    expect(source.streamNames()).toEqual([]);
  });

  it('40 doubling $refs are refused by the expanded-size budget', async () => {
    const defs = ['  d0: { type: object, title: x }'];
    for (let i = 1; i <= 40; i++) defs.push(`  d${i}: { a: "#/definitions/d${i - 1}", b: "#/definitions/d${i - 1}" }`);
    const text = `version: 6.7.0\ntype: DeclarativeSource\ndefinitions:\n${defs.join('\n')}\nstreams: []\n`;
    const e = await manifestError(() => Source.fromText(text, 'refs.yaml'));
    expect(e.message).toMatch(/more than 2000000 nodes once its \$refs are expanded/);
    expect(e.message).toContain('--max-manifest-nodes');
  });

  it('a manifest nested 300 levels deep is refused with its location', async () => {
    let text = 'version: 6.7.0\ntype: DeclarativeSource\nstreams: []\ndeep:\n';
    for (let i = 1; i <= 300; i++) text += `${' '.repeat(i)}k:\n`;
    const e = await manifestError(() => Source.fromText(text, 'deep.yaml'));
    expect(e.message).toMatch(/deep\.yaml:\d+:\d+: the manifest nests more than 200 levels deep/);
    expect(e.message).toContain('--max-manifest-depth');
  });

  it('a manifest nested 3000 levels deep (beyond the YAML parser) is refused with its location', async () => {
    const text = `version: 6.7.0\ntype: DeclarativeSource\nstreams: []\ndeep: ${'['.repeat(3000)}${']'.repeat(3000)}\n`;
    const e = await manifestError(() => Source.fromText(text, 'deeper.yaml'));
    expect(e.message).toMatch(/deeper\.yaml:4:\d+: the manifest nests too deep/);
    expect(e.message).toContain('--max-manifest-depth');
  });

  it('a manifest injected as data, nested 200k levels deep, is refused without a stack overflow', async () => {
    const deep = JSON.parse(`${'{"k":'.repeat(200_000)}1${'}'.repeat(200_000)}`);
    const e = await manifestError(() => Source.fromObject({ type: 'DeclarativeSource', streams: [], deep }, '<config>'));
    expect(e.message).toMatch(/nests more than 200 levels deep as written/);
    expect(e.message).toMatch(/deep\.k\.k\.k\.k\.…/);
  });

  it('the budgets can be raised by the person running the manifest', async () => {
    let text = 'version: 6.7.0\ntype: DeclarativeSource\ncheck: { type: CheckStream, stream_names: [] }\nstreams: []\ndefinitions:\n';
    for (let i = 1; i <= 250; i++) text += `${' '.repeat(i)}k:\n`;
    const source = await Source.fromText(text, 'deep.yaml', { limits: { maxManifestDepth: 300 } });
    expect(source.streamNames()).toEqual([]);
  });

  it('CLI validate: an alias bomb ends at once with exit 1, the limit named, bounded memory', async () => {
    const { 'bomb.yaml': bomb } = files({ 'bomb.yaml': laughs(12) });
    const run = await runMeasured(['validate', '--manifest', bomb!]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bomb\.yaml:6:\d+: YAML aliases expand the manifest too much .*--max-yaml-aliases/);
    expect(run.stderr).not.toMatch(/ {4}at /);
    expect(run.peakMiB).toBeLessThan(300);
  }, 60_000);
});

describe('templates', () => {
  const evaluate = (template: string): unknown => InterpolatedString.create(template).eval({ config: {} });

  function expectTemplateLimit(template: string): void {
    let error: unknown;
    try {
      evaluate(template);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).failureType).toBe('config_error');
    expect((error as Error).message).toContain('--max-template-size');
    expect((error as Error).message).toContain('limits.maxTemplateSize');
  }

  it.each([
    ['a list repeated with *', '{{ ([1] * 50000000) | length }}'],
    ['a string repeated with *', "{{ 'x' * 1000000000 }}"],
    ['a number times a string', "{{ 1000000000 * 'x' }}"],
    ['ljust', "{{ 'x'.ljust(1000000000) }}"],
    ['rjust', "{{ 'x'.rjust(1000000000) }}"],
    ['center', "{{ 'x'.center(1000000000) }}"],
    ['zfill', "{{ '1'.zfill(1000000000) }}"],
  ])('%s beyond the default budget is a config_error naming --max-template-size, before allocating', (_what, template) => {
    expectTemplateLimit(template);
  });

  // Values built step by step from values within the budget; a small budget keeps these quick.
  it.each([
    ['replace', "{{ ('x' * 500).replace('x', 'yyyyy') }}"],
    ['join', "{{ (['xxxxxxxxxx'] * 200) | join(',') }}"],
    ['+ of strings', "{{ ('x' * 600) + ('x' * 600) }}"],
    ['+ of lists', '{{ ([1] * 600) + ([1] * 600) }}'],
    ['~', "{{ ('x' * 600) ~ ('x' * 600) }}"],
    ['a for loop', "{% for i in 'x' * 500 %}{{ 'yyy' }}{% endfor %}"],
    ['the rendered text', "{{ 'x' * 600 }}{{ 'x' * 600 }}"],
  ])('%s beyond the budget is a config_error naming --max-template-size', (_what, template) => {
    setTemplateSizeLimit(1000);
    try {
      expectTemplateLimit(template);
    } finally {
      setTemplateSizeLimit(DEFAULT_LIMITS.maxTemplateSize);
    }
  });

  it('range is not available (as in Airbyte), so it cannot build a sequence', () => {
    expect(() => evaluate('{{ range(100000000) | length }}')).toThrow(/range|undefined|callable/);
  });

  it('ordinary template values still work, and the budget can be raised', () => {
    expect(evaluate("{{ 'ab' * 3 }}")).toBe('ababab');
    expect(evaluate("{{ 'x'.ljust(3, '-') }}")).toBe('x--');
    setTemplateSizeLimit(20_000_000);
    try {
      expect(evaluate("{{ ('x' * 15000000) | length }}")).toBe(15_000_000);
    } finally {
      setTemplateSizeLimit(DEFAULT_LIMITS.maxTemplateSize);
    }
  });

  it('in a read, a template bomb is a TRACE config_error with the limit named, before any record', async () => {
    const [error] = await errorsOfRead(manifest('/ok', '', '        request_parameters: { q: "{{ \'x\' * 1000000000 }}" }'));
    expectLimit(error, '--max-template-size', 'maxTemplateSize', 'config_error');
  });
});
