/**
 * The bad-input corpus: every file under cases/ is a broken manifest, config or input file run
 * through the real CLI. Each must fail with exit code ≠ 0 and a clear message — located
 * (file:line:column and component path) when it comes from the manifest, naming the field when it
 * comes from the config — and never print a stack trace.
 *
 * cases/NAME.yaml: a manifest; its leading comments say `# command:`, `# expect:` (regex the
 *   message must match), optionally `# path:` (component path the message must name),
 *   `# located: false` (no file:line:column expected: runtime failures) and `# config:` (JSON).
 * cases/NAME.json: a descriptor for config/file problems, run against cases/_spec.yaml:
 *   { command, expect, field?, config? | configRaw? | configPath?, manifestPath?, stateRaw?, catalogRaw? }
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli, tempFiles, type CliResult } from '../helpers/cli.js';

const CASES = join(dirname(fileURLToPath(import.meta.url)), 'cases');
const STACK_FRAME = '\n    at ';

interface ManifestCase {
  command: string;
  expect: RegExp;
  path?: string | undefined;
  located: boolean;
  config: Record<string, unknown>;
}

interface Descriptor {
  command: string;
  expect: string;
  field?: string;
  config?: unknown;
  configRaw?: string;
  configPath?: string;
  manifestPath?: string;
  stateRaw?: string;
  catalogRaw?: string;
}

function header(text: string): ManifestCase {
  const meta: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^#\s*(\w+):\s?(.*)$/.exec(line);
    if (!m) break;
    meta[m[1]!] = m[2]!;
  }
  if (!meta.command || !meta.expect) throw new Error('case file needs # command: and # expect: headers');
  return {
    command: meta.command,
    expect: new RegExp(meta.expect, 'i'),
    path: meta.path || undefined,
    located: meta.located !== 'false',
    config: meta.config ? JSON.parse(meta.config) : {},
  };
}

const files = readdirSync(CASES)
  .filter((f) => !f.startsWith('_'))
  .sort();
const yamlCases = files.filter((f) => f.endsWith('.yaml'));
const jsonCases = files.filter((f) => f.endsWith('.json'));

// Runtime cases (read) get a real API that answers every request with one record.
let server: Server;
let baseUrl: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 1, updated_at: '2024-01-01T10:00:00Z' }], message: 'ok' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Every message a person or the platform would read: TRACE errors, connection status, stderr. */
function allText(result: CliResult): string {
  const parts = [result.stderr];
  for (const m of result.messages) {
    if (m.type === 'TRACE' && m.trace.type === 'ERROR')
      parts.push(m.trace.error.message, m.trace.error.internal_message ?? '', m.trace.error.stack_trace ?? '');
    if (m.type === 'CONNECTION_STATUS') parts.push(m.connectionStatus.message ?? '');
    if (m.type === 'LOG') parts.push(m.log.message);
    if (m.raw) parts.push(m.raw);
  }
  return parts.join('\n');
}

function errorText(result: CliResult): string {
  const traces = result.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error.message as string);
  const status = result.messages.filter((m) => m.type === 'CONNECTION_STATUS').map((m) => m.connectionStatus.message as string);
  return [...traces, ...status, result.stderr].join('\n');
}

function expectCleanFailure(result: CliResult): void {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  expect(allText(result)).not.toContain(STACK_FRAME);
  expect(result.stdout).not.toMatch(/\\n {4}at /);
}

function commandArgs(command: string, manifest: string, config: string | undefined, extra: string[] = []): string[] {
  const args = [command, '--manifest', manifest];
  if (command !== 'validate' && config !== undefined) args.push('--config', config);
  return [...args, ...extra];
}

describe('bad manifests', () => {
  it('the corpus is big enough', () => {
    expect(yamlCases.length + jsonCases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(yamlCases)('%s', async (file) => {
    const manifestPath = join(CASES, file);
    const spec = header(readFileSync(manifestPath, 'utf8'));
    const tmp = tempFiles({ 'config.json': { base_url: baseUrl, ...spec.config } });
    const result = await runCli(commandArgs(spec.command, manifestPath, tmp['config.json']), { cwd: CASES });
    expectCleanFailure(result);
    const text = errorText(result);
    expect(text).toMatch(spec.expect);
    if (spec.located) expect(text).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+:\\d+`));
    if (spec.path !== undefined && spec.path !== '') expect(text).toContain(spec.path);
  });
});

describe('bad configs and input files', () => {
  it.each(jsonCases)('%s', async (file) => {
    const d = JSON.parse(readFileSync(join(CASES, file), 'utf8')) as Descriptor;
    const inputs: Record<string, string | object> = {};
    if (d.configRaw !== undefined) inputs['config.json'] = d.configRaw;
    else if ('config' in d) inputs['config.json'] = JSON.stringify(d.config);
    else inputs['config.json'] = { base_url: baseUrl };
    if (d.stateRaw !== undefined) inputs['state.json'] = d.stateRaw;
    if (d.catalogRaw !== undefined) inputs['catalog.json'] = d.catalogRaw;
    const tmp = tempFiles(inputs);
    const config = d.configPath ? join(tmp.dir, d.configPath) : tmp['config.json'];
    const extra: string[] = [];
    if (d.stateRaw !== undefined) extra.push('--state', tmp['state.json']!);
    if (d.catalogRaw !== undefined) extra.push('--catalog', tmp['catalog.json']!);
    const manifest = d.manifestPath ? join(tmp.dir, d.manifestPath) : join(CASES, '_spec.yaml');
    const result = await runCli(commandArgs(d.command, manifest, config, extra), { cwd: CASES });
    expectCleanFailure(result);
    const text = errorText(result);
    expect(text).toMatch(new RegExp(d.expect, 'i'));
    // A config problem names the offending field.
    if (d.field) expect(text).toContain(d.field);
    // Config is checked before any request: no stream even started.
    if (d.field) expect(result.messages.filter((m) => m.trace?.type === 'STREAM_STATUS')).toEqual([]);
  });
});
