/**
 * A manifest names files only inside the folders the person running it allows: its own folder by
 * default, plus --allow-path / allowPaths. Every component that takes a path (JsonFileSchemaLoader
 * file_path, a destination's dead_letter_path and response_capture.jsonl_path) refuses `..`,
 * absolute paths elsewhere, symlinks leading out, /proc, /dev, FIFOs and folders with a located
 * manifest error before any request; no file outside is read or written. Replay and recording
 * folders refuse entries that are symlinks out of them or special files.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Destination, Source, createTransport, type ManifoldError } from '../../engine/index.js';
import type { AirbyteMessage } from '../../engine/protocol/messages.js';
import { runCli } from '../helpers/cli.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

const SECRET_FILE_TEXT = '{"api_key": "outside-canary-7f3a"}';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    'GET /api/things': (_req, res) => json(res, 200, { data: [{ id: 1 }] }),
    'PUT /api/things/1': (_req, res) => json(res, 200, { ok: true }),
  });
});
afterAll(async () => server.close());

/** A project folder holding the manifest, and a sibling folder the manifest must not reach. */
function layout(): { project: string; outside: string; secret: string } {
  const root = mkdtempSync(join(tmpdir(), 'manifold-fs-'));
  const project = join(root, 'project');
  const outside = join(root, 'outside');
  mkdirSync(join(project, 'schemas'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(
    join(project, 'schemas', 'things.json'),
    JSON.stringify({ type: 'object', properties: { id: { type: 'integer' }, from_project: { type: 'string' } } }),
  );
  const secret = join(outside, 'creds.json');
  writeFileSync(secret, SECRET_FILE_TEXT);
  return { project, outside, secret };
}

function sourceManifest(filePath: string): string {
  return `version: 6.7.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [things] }
streams:
  - type: DeclarativeStream
    name: things
    primary_key: id
    schema_loader:
      type: JsonFileSchemaLoader
      file_path: ${JSON.stringify(filePath)}
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: "${server.url}/api", path: /things }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
spec:
  type: Spec
  connection_specification: { type: object, properties: {} }
`;
}

async function collect(iterable: AsyncIterable<AirbyteMessage>): Promise<AirbyteMessage[]> {
  const out: AirbyteMessage[] = [];
  for await (const m of iterable) out.push(m);
  return out;
}

function errorsOf(messages: AirbyteMessage[]): Array<{ message: string; failure_type?: string; stack_trace?: string }> {
  return messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => (m as any).trace.error);
}

describe('JsonFileSchemaLoader file_path', () => {
  it('reads a schema file inside the manifest folder', async () => {
    const { project } = layout();
    const source = await Source.fromText(sourceManifest('./schemas/things.json'), join(project, 'manifest.yaml'));
    const catalog = await source.discover({});
    expect(Object.keys((catalog.streams[0]!.json_schema as any).properties)).toEqual(['id', 'from_project']);
  });

  const refusedCases: Array<[string, (l: ReturnType<typeof layout>) => string, RegExp]> = [
    ['a `..` path', () => '../outside/creds.json', /outside the folders this manifest may use/],
    ['an absolute path elsewhere', (l) => l.secret, /outside the folders this manifest may use/],
    ['/proc/self/environ', () => '/proc/self/environ', /outside the folders|system files/],
    ['/dev/zero', () => '/dev/zero', /outside the folders|system files/],
    ['/etc/passwd', () => '/etc/passwd', /outside the folders this manifest may use/],
    [
      'a symlink inside the folder leading out',
      (l) => {
        symlinkSync(l.secret, join(l.project, 'schemas', 'link.json'));
        return './schemas/link.json';
      },
      /symlink to .*outside/,
    ],
    [
      'a path through a symlinked folder leading out',
      (l) => {
        symlinkSync(l.outside, join(l.project, 'elsewhere'));
        return './elsewhere/creds.json';
      },
      /symlink to .*outside/,
    ],
    [
      'a symlink leading nowhere',
      (l) => {
        symlinkSync(join(l.outside, 'missing.json'), join(l.project, 'schemas', 'dangling.json'));
        return './schemas/dangling.json';
      },
      /(symlink that leads nowhere|symlink to .*outside)/,
    ],
    [
      'a FIFO inside the folder',
      (l) => {
        execFileSync('mkfifo', [join(l.project, 'schemas', 'fifo.json')]);
        return './schemas/fifo.json';
      },
      /is a FIFO, not a regular file/,
    ],
    ['a folder', () => './schemas', /is a folder, not a regular file/],
  ];

  it.each(refusedCases)('refuses %s with a located manifest error before any request, reading nothing', async (_name, pathOf, message) => {
    const l = layout();
    const file = join(l.project, 'manifest.yaml');
    const source = await Source.fromText(sourceManifest(pathOf(l)), file);
    const before = server.requests.length;
    const messages = await collect(source.read({}));
    expect(server.requests.length).toBe(before);
    expect(messages.filter((m) => m.type === 'RECORD')).toEqual([]);
    const [error] = errorsOf(messages);
    expect(error!.failure_type).toBe('config_error');
    expect(error!.message).toMatch(message);
    // file:line:col of the file_path field, and the component path.
    expect(error!.message).toContain(`${file}:10:7 streams[0].schema_loader.file_path:`);
    expect(error!.message).toMatch(/--allow-path|system files|not a regular file|leads nowhere/);
    expect(JSON.stringify(messages)).not.toContain('outside-canary');
    expect(error!.stack_trace).toBeUndefined();
    await expect(source.discover({})).rejects.toThrow(message);
  });

  it('refuses a stream name that walks the default schema path out of the folder', async () => {
    const l = layout();
    // The default path is ./source_<source_name>/schemas/<name>.json, both from $parameters.
    const text = sourceManifest('x')
      .replace(/ {4}schema_loader:\n.*\n.*\n/, '    schema_loader: { type: JsonFileSchemaLoader }\n')
      .replace('    name: things\n', '    name: things\n    $parameters: { name: ../../../outside/creds }\n');
    const source = await Source.fromText(text, join(l.project, 'manifest.yaml'));
    const error = (await source.discover({}).catch((e: unknown) => e)) as ManifoldError;
    expect(error.describe()).toMatch(
      /manifest\.yaml:\d+:\d+ streams\[0\]\.schema_loader: .*source_declarative\/schemas\/\.\.\/\.\.\/\.\.\/outside\/creds\.json.*outside the folders/,
    );
  });

  it('reads a file outside once the person running it allows that folder (allowPaths)', async () => {
    const l = layout();
    writeFileSync(join(l.outside, 'shared.json'), JSON.stringify({ type: 'object', properties: { shared: { type: 'string' } } }));
    const source = await Source.fromText(sourceManifest('../outside/shared.json'), join(l.project, 'manifest.yaml'), { allowPaths: [l.outside] });
    const catalog = await source.discover({});
    expect(Object.keys((catalog.streams[0]!.json_schema as any).properties)).toEqual(['shared']);
  });

  it('still refuses /proc even when / is allowed', async () => {
    const l = layout();
    const source = await Source.fromText(sourceManifest('/proc/self/environ'), join(l.project, 'manifest.yaml'), { allowPaths: ['/'] });
    await expect(source.discover({})).rejects.toThrow(/system files under \/proc/);
  });

  it('CLI: discover prints no outside file, no stack trace, exits 1; --allow-path (repeatable) widens it', async () => {
    const l = layout();
    const manifest = join(l.project, 'manifest.yaml');
    writeFileSync(manifest, sourceManifest('/proc/self/environ'));
    const refused = await runCli(['discover', '--manifest', manifest, '--config', '/dev/null'], { env: { MANIFOLD_ENV_CANARY: 'env-canary-3b9' } });
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).not.toMatch(/env-canary-3b9|Unexpected error| {4}at /);
    const trace = refused.messages.find((m) => m.type === 'TRACE');
    expect(trace?.trace.error.message).toMatch(/manifest\.yaml:10:7 streams\[0\]\.schema_loader\.file_path: .*\/proc\/self\/environ/);

    writeFileSync(join(l.outside, 'shared.json'), JSON.stringify({ type: 'object', properties: { shared: { type: 'string' } } }));
    writeFileSync(manifest, sourceManifest('../outside/shared.json'));
    const config = join(l.project, 'config.json');
    writeFileSync(config, '{}');
    const allowed = await runCli(['discover', '--manifest', manifest, '--config', config, '--allow-path', tmpdir(), '--allow-path', l.outside]);
    expect(allowed.code).toBe(0);
    expect(Object.keys(allowed.messages.find((m) => m.type === 'CATALOG')?.catalog.streams[0].json_schema.properties)).toEqual(['shared']);
  });
});

describe('destination report files', () => {
  function destinationManifest(fields: string): string {
    return `type: DeclarativeDestination
requester: { type: HttpRequester, url_base: "${server.url}/api" }
operations:
  - type: DestinationOperation
    name: update
    streams: [things]
    http_method: PUT
    path: "/things/{{ record.id }}"
${fields}
spec:
  type: Spec
  connection_specification: { type: object, properties: {} }
`;
  }
  const catalog = { streams: [{ stream: { name: 'things', json_schema: {} }, sync_mode: 'full_refresh', destination_sync_mode: 'append' }] } as any;
  const input = async function* () {
    yield { type: 'RECORD', record: { stream: 'things', data: { id: 1 }, emitted_at: 0 } };
  };

  const fields: Array<[string, (path: string) => string, number]> = [
    ['dead_letter_path', (p) => `on_failure: dead_letter\ndead_letter_path: ${JSON.stringify(p)}`, 10],
    ['response_capture.jsonl_path', (p) => `response_capture:\n  jsonl_path: ${JSON.stringify(p)}`, 10],
  ];
  const targets: Array<[string, (l: ReturnType<typeof layout>) => string, RegExp]> = [
    ['`..`', () => '../outside/bashrc', /outside the folders/],
    ['an absolute path elsewhere', (l) => join(l.outside, 'bashrc'), /outside the folders/],
    [
      'a planted symlink',
      (l) => {
        symlinkSync(join(l.outside, 'bashrc'), join(l.project, 'capture.jsonl'));
        return './capture.jsonl';
      },
      /symlink to .*outside/,
    ],
    [
      'a FIFO',
      (l) => {
        execFileSync('mkfifo', [join(l.project, 'pipe.jsonl')]);
        return './pipe.jsonl';
      },
      /is a FIFO/,
    ],
    ['/dev/null', () => '/dev/null', /outside the folders|system files/],
  ];

  for (const [field, yaml, line] of fields) {
    it.each(targets)(`${field}: refuses %s before any request, writing nothing outside`, async (_name, target, message) => {
      const l = layout();
      const bashrc = join(l.outside, 'bashrc');
      writeFileSync(bashrc, 'export PS1=original\n');
      const file = join(l.project, 'destination.yaml');
      const destination = await Destination.fromText(destinationManifest(yaml(target(l))), file);
      const before = server.requests.length;
      const out = await collect(destination.write({}, catalog, input()));
      expect(server.requests.length).toBe(before);
      const [error] = errorsOf(out);
      expect(error!.failure_type).toBe('config_error');
      expect(error!.message).toMatch(message);
      expect(error!.message).toContain(`${file}:${line}:`);
      expect(error!.message).toContain(field);
      expect(readFileSync(bashrc, 'utf8')).toBe('export PS1=original\n');
    });
  }

  it('writes inside the manifest folder (relative paths resolve against it) and in allowed folders', async () => {
    const l = layout();
    const destination = await Destination.fromText(
      destinationManifest(`response_capture:\n  jsonl_path: ./capture.jsonl`),
      join(l.project, 'destination.yaml'),
    );
    expect(errorsOf(await collect(destination.write({}, catalog, input())))).toEqual([]);
    expect(JSON.parse(readFileSync(join(l.project, 'capture.jsonl'), 'utf8'))).toMatchObject({ operation: 'update', status: 200 });

    const allowed = await Destination.fromText(
      destinationManifest(`response_capture:\n  jsonl_path: ${JSON.stringify(join(l.outside, 'c.jsonl'))}`),
      join(l.project, 'destination.yaml'),
      {
        allowPaths: [l.outside],
      },
    );
    expect(errorsOf(await collect(allowed.write({}, catalog, input())))).toEqual([]);
    expect(existsSync(join(l.outside, 'c.jsonl'))).toBe(true);
  });

  it('writes to a special file only when the person running it allows that very file', async () => {
    const l = layout();
    const text = destinationManifest(`response_capture:\n  jsonl_path: /dev/null`);
    const refused = await Destination.fromText(text, join(l.project, 'destination.yaml'), { allowPaths: ['/dev'] });
    expect(errorsOf(await collect(refused.write({}, catalog, input())))[0]!.message).toMatch(/system files under \/proc, \/sys and \/dev/);
    const allowed = await Destination.fromText(text, join(l.project, 'destination.yaml'), { allowPaths: ['/dev/null'] });
    expect(errorsOf(await collect(allowed.write({}, catalog, input())))).toEqual([]);
  });
});

describe('replay and recording folders', () => {
  const exchange = (url: string) =>
    JSON.stringify({
      request: { method: 'GET', url, headers: {} },
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"data":[{"id":1}]}' },
    });

  it('refuses a replay entry that is a symlink out of the folder', () => {
    const l = layout();
    const replay = join(l.project, 'replay');
    mkdirSync(replay);
    writeFileSync(join(l.outside, 'x.json'), exchange('https://api.test/x'));
    symlinkSync(join(l.outside, 'x.json'), join(replay, '00001-GET-x.json'));
    expect(() => createTransport({ replay })).toThrow(/00001-GET-x\.json.*symlink to .*outside/);
  });

  it('refuses a replay entry that is a FIFO (and does not hang on it)', () => {
    const l = layout();
    const replay = join(l.project, 'replay');
    mkdirSync(replay);
    execFileSync('mkfifo', [join(replay, '00001-GET-x.json')]);
    expect(() => createTransport({ replay })).toThrow(/00001-GET-x\.json.*(FIFO|not a regular file)/);
  });

  it('accepts a symlink that stays inside the replay folder', async () => {
    const l = layout();
    const replay = join(l.project, 'replay');
    mkdirSync(replay);
    writeFileSync(join(replay, 'real.txt'), exchange(`${server.url}/api/things`));
    symlinkSync(join(replay, 'real.txt'), join(replay, '00001-GET-things.json'));
    const source = await Source.fromText(sourceManifest('./schemas/things.json'), join(l.project, 'm.yaml'), { transport: createTransport({ replay }) });
    const records = (await collect(source.read({}))).filter((m) => m.type === 'RECORD');
    expect(records).toHaveLength(1);
  });

  it('does not follow a symlink planted where a recording file will be written', async () => {
    const l = layout();
    const record = join(l.project, 'rec');
    mkdirSync(record);
    const victim = join(l.outside, 'victim.txt');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, join(record, '00001-GET-api-things.json'));
    const source = await Source.fromText(sourceManifest('./schemas/things.json'), join(l.project, 'm.yaml'), { transport: createTransport({ record }) });
    const messages = await collect(source.read({}));
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(errorsOf(messages)[0]!.message).toMatch(/Cannot write the recording .*symlink; refused/);
  });
});
