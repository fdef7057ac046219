/**
 * The Docker image's contract, without Docker (no engine runs on these machines): the Dockerfile's
 * own ENTRYPOINT and ENV lines are read and run exactly as the Airbyte platform runs a connector
 * image — `spec`, `check --config /secrets/config.json`, `discover …`, `read --config … --catalog …
 * --state …`, `write …` with messages on stdin — with /app mapped onto this repo's build and
 * /secrets onto a temp folder. The manifest comes from each of the three documented places: baked
 * into the image (MANIFOLD_MANIFEST_DEFAULT), mounted and named by $MANIFOLD_MANIFEST, or injected
 * in the config (source-declarative-manifest's convention).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO } from '../helpers/cli.js';

const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
/** The final stage: what the image runs. */
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

function entrypoint(): string[] {
  const line = /^ENTRYPOINT (\[.*\])$/m.exec(finalStage);
  if (!line) throw new Error('Dockerfile has no exec-form ENTRYPOINT');
  return JSON.parse(line[1]!) as string[];
}

function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of finalStage.matchAll(/^ENV (\w+)=(.*)$/gm)) env[match[1]!] = match[2]!.replace(/^"(.*)"$/, '$1');
  return env;
}

/** /app in the image is this repo after `npm run build`. */
function onHost(path: string, baked: string): string {
  if (path === '/app/manifest.yaml') return baked;
  return path.startsWith('/app/') ? join(REPO, path.slice('/app/'.length)) : path;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  messages: Array<Record<string, any>>;
}

let secrets: string;
let api: ChildProcess;
let baseUrl: string;
let written: Array<{ method: string; url: string; body: string }> = [];
let writeApi: Server;
let writeBase: string;

/** Runs the image's entrypoint with Airbyte's arguments; `manifestAt` says where the manifest is. */
function runImage(args: string[], manifestAt: { baked?: string; mounted?: string }, stdin = ''): Promise<Run> {
  const [command, ...rest] = entrypoint();
  const baked = manifestAt.baked ?? join(secrets, 'no-baked-manifest.yaml');
  const env: Record<string, string> = { ...process.env, NODE_OPTIONS: '' } as Record<string, string>;
  delete env.MANIFOLD_MANIFEST;
  for (const [key, value] of Object.entries(imageEnv())) env[key] = onHost(value, baked);
  if (manifestAt.mounted) env.MANIFOLD_MANIFEST = manifestAt.mounted;
  expect(command).toBe('node');
  const child = spawn(process.execPath, [...rest.map((arg) => onHost(arg, baked)), ...args], { cwd: secrets, env });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const messages = stdout
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as Record<string, any>);
      resolve({ code, stdout, stderr, messages });
    });
    child.stdin.end(stdin);
  });
}

function startTutorialApi(): Promise<string> {
  return new Promise((resolve, reject) => {
    api = spawn(process.execPath, [join(REPO, 'scripts/tutorial-server.mjs'), '--port', '0'], {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    api.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const match = /listening on (http:\/\/\S+)/.exec(err);
      if (match) resolve(match[1]!);
    });
    api.on('error', reject);
  });
}

const BOOKSHOP = join(REPO, 'fixtures/tutorial/bookshop.yaml');

/** A small destination manifest: each record POSTed to the local write API. */
function destinationManifest(url: string): string {
  return `version: 0.1.0
type: DeclarativeDestination
spec:
  type: Spec
  connection_specification:
    type: object
    required: [token]
    properties:
      token: { type: string, airbyte_secret: true }
requester:
  type: HttpRequester
  url_base: "${url}"
  authenticator: { type: BearerAuthenticator, api_token: "{{ config['token'] }}" }
check: { type: HttpRequestCheck, path: /me }
operations:
  - type: DestinationOperation
    name: create_book
    streams: [books]
    http_method: POST
    path: /books
`;
}

beforeAll(async () => {
  secrets = mkdtempSync(join(tmpdir(), 'manifold-image-'));
  baseUrl = await startTutorialApi();
  writeApi = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      if (req.url === '/me') {
        const ok = req.headers.authorization === 'Bearer tok-123';
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '{"me":1}' : '{"error":"bad token"}');
        return;
      }
      written.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => writeApi.listen(0, '127.0.0.1', resolve));
  writeBase = `http://127.0.0.1:${(writeApi.address() as { port: number }).port}`;
  writeFileSync(join(secrets, 'config.json'), JSON.stringify({ api_key: 'demo-key', base_url: baseUrl }));
  writeFileSync(
    join(secrets, 'injected-config.json'),
    JSON.stringify({ api_key: 'demo-key', base_url: baseUrl, __injected_declarative_manifest: parseYaml(readFileSync(BOOKSHOP, 'utf8')) }),
  );
  writeFileSync(
    join(secrets, 'catalog.json'),
    JSON.stringify({
      streams: [
        { stream: { name: 'books', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'append' },
      ],
    }),
  );
  writeFileSync(join(secrets, 'state.json'), '[]');
  copyFileSync(BOOKSHOP, join(secrets, 'mounted.yaml'));
  copyFileSync(BOOKSHOP, join(secrets, 'baked.yaml'));
});

afterAll(async () => {
  api?.kill();
  await new Promise((resolve) => writeApi?.close(resolve));
  rmSync(secrets, { recursive: true, force: true });
});

describe('the Dockerfile', () => {
  it("starts node directly (no shell, no npm) with the heap flags of the CLI's shebang", () => {
    const shebang = readFileSync(join(REPO, 'cli/main.ts'), 'utf8').split('\n', 1)[0]!;
    const flags = /^#!\/usr\/bin\/env -S node (.*)$/.exec(shebang)![1]!.split(' ');
    expect(entrypoint()).toEqual(['node', ...flags, '/app/dist/cli/main.js']);
  });

  it('runs as uid 1000 on a supported Node LTS and labels the image from build args', () => {
    expect(finalStage).toMatch(/^USER 1000(:1000)?$/m);
    const base = /^FROM node:(\d+)/m.exec(finalStage);
    expect(Number(base?.[1])).toBeGreaterThanOrEqual(22);
    expect(finalStage).toMatch(/^LABEL .*io\.airbyte\.name=\$AIRBYTE_NAME/m);
    expect(finalStage).toMatch(/^LABEL .*io\.airbyte\.version=\$AIRBYTE_VERSION/m);
    expect(finalStage).toMatch(/^ARG AIRBYTE_NAME/m);
  });
});

describe("the image's entrypoint, run as the platform runs it", () => {
  it('answers spec in the generic image with a spec that asks for the injected manifest', async () => {
    const run = await runImage(['spec'], {});
    expect(run.code).toBe(0);
    const spec = run.messages.find((m) => m.type === 'SPEC')?.spec;
    expect(spec.connectionSpecification.required).toEqual(['__injected_declarative_manifest']);
    expect(spec.connectionSpecification.properties.__injected_declarative_manifest.type).toBe('object');
  });

  const places = {
    baked: () => ({ baked: join(secrets, 'baked.yaml') }),
    mounted: () => ({ mounted: join(secrets, 'mounted.yaml') }),
    injected: () => ({}),
  };

  for (const [place, manifestAt] of Object.entries(places)) {
    const configFile = () => join(secrets, place === 'injected' ? 'injected-config.json' : 'config.json');

    it(`spec/check/discover/read with the manifest ${place}`, async () => {
      if (place !== 'injected') {
        const spec = await runImage(['spec'], manifestAt());
        expect(spec.code).toBe(0);
        expect(spec.messages[0]!.spec.connectionSpecification.required).toContain('api_key');
      }

      const check = await runImage(['check', '--config', configFile()], manifestAt());
      expect(check.code).toBe(0);
      expect(check.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.status).toBe('SUCCEEDED');

      const discover = await runImage(['discover', '--config', configFile()], manifestAt());
      expect(discover.code).toBe(0);
      const names = discover.messages.find((m) => m.type === 'CATALOG')?.catalog.streams.map((s: { name: string }) => s.name);
      expect(names).toEqual(['authors', 'books']);

      const read = await runImage(
        ['read', '--config', configFile(), '--catalog', join(secrets, 'catalog.json'), '--state', join(secrets, 'state.json')],
        manifestAt(),
      );
      expect(read.code).toBe(0);
      const records = read.messages.filter((m) => m.type === 'RECORD');
      expect(records).toHaveLength(12);
      expect(new Set(records.map((m) => m.record.stream))).toEqual(new Set(['books']));
      expect(read.stdout).not.toContain('demo-key');
    });
  }

  it('answers spec/check as a destination and writes records from stdin, echoing STATE after they are sent', async () => {
    written = [];
    const manifest = join(secrets, 'destination.yaml');
    writeFileSync(manifest, destinationManifest(writeBase));
    writeFileSync(join(secrets, 'destination-config.json'), JSON.stringify({ token: 'tok-123' }));
    const input = [
      { type: 'RECORD', record: { stream: 'books', data: { id: 1, title: 'A' }, emitted_at: 1 } },
      { type: 'RECORD', record: { stream: 'books', data: { id: 2, title: 'B' }, emitted_at: 1 } },
      { type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'books' }, stream_state: { id: 2 } } } },
    ]
      .map((m) => JSON.stringify(m))
      .join('\n');
    const spec = await runImage(['spec'], { baked: manifest });
    expect(spec.code).toBe(0);
    expect(spec.messages[0]!.spec.supported_destination_sync_modes).toContain('append');
    expect(spec.messages[0]!.spec.connectionSpecification.required).toEqual(['token']);
    const check = await runImage(['check', '--config', join(secrets, 'destination-config.json')], { baked: manifest });
    expect(check.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.status).toBe('SUCCEEDED');
    writeFileSync(join(secrets, 'destination-bad.json'), JSON.stringify({ token: 'wrong' }));
    const badCheck = await runImage(['check', '--config', join(secrets, 'destination-bad.json')], { baked: manifest });
    expect(badCheck.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.status).toBe('FAILED');

    const run = await runImage(
      ['write', '--config', join(secrets, 'destination-config.json'), '--catalog', join(secrets, 'catalog.json')],
      { baked: manifest },
      `${input}\n`,
    );
    expect(run.code).toBe(0);
    expect(written.map((w) => [w.method, w.url, JSON.parse(w.body)])).toEqual([
      ['POST', '/books', { id: 1, title: 'A' }],
      ['POST', '/books', { id: 2, title: 'B' }],
    ]);
    expect(run.messages.filter((m) => m.type === 'STATE')).toHaveLength(1);
    expect(run.stdout).not.toContain('tok-123');

    // The same with the destination manifest injected in the config (generic image).
    written = [];
    writeFileSync(
      join(secrets, 'destination-injected.json'),
      JSON.stringify({ token: 'tok-123', __injected_declarative_manifest: parseYaml(destinationManifest(writeBase)) }),
    );
    const injected = await runImage(
      ['write', '--config', join(secrets, 'destination-injected.json'), '--catalog', join(secrets, 'catalog.json')],
      {},
      `${input}\n`,
    );
    expect(injected.code).toBe(0);
    expect(written).toHaveLength(2);
    expect(injected.messages.filter((m) => m.type === 'STATE')).toHaveLength(1);
  });
});
