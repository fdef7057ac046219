/**
 * infer-schema (live and from a replay), the --record/--replay round trip, the three ways to give
 * the manifest (--manifest, $MANIFOLD_MANIFEST, injected in the config) and --help of every command.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { records, runCli } from '../helpers/cli.js';
import { INITIAL_EVENTS, ITEMS, MANIFEST, SECRETS, files, sortedIds, startApi, type Api } from './fixture.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.server.close());

const ITEMS_SCHEMA_PROPERTIES = {
  id: { type: ['null', 'integer'] },
  name: { type: ['null', 'string'] },
  // 1.5, 3, "free" and null were seen.
  price: { type: ['null', 'number', 'string'] },
  tags: { type: ['null', 'array'], items: { type: 'string' } },
};

describe('infer-schema', () => {
  it('--stream S prints the schema inferred from the records of S alone', async () => {
    const f = files(api, []);
    const result = await runCli(['infer-schema', '--manifest', f.manifest, '--config', f.config, '--stream', 'items']);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(true);
    expect(schema.required).toBeUndefined();
    expect(schema.properties.id).toEqual(ITEMS_SCHEMA_PROPERTIES.id);
    expect(schema.properties.name).toEqual(ITEMS_SCHEMA_PROPERTIES.name);
    expect(new Set(schema.properties.price.type)).toEqual(new Set(ITEMS_SCHEMA_PROPERTIES.price.type));
    expect(schema.properties.tags.type).toEqual(['null', 'array']);
    expect(schema.properties.tags.items.type).toBe('string');
    // Only items was read.
    expect(api.requestsTo('/api/events')).toHaveLength(0);
  });

  it('without --stream prints one schema per stream, keyed by name', async () => {
    const f = files(api, []);
    const result = await runCli(['infer-schema', '--manifest', f.manifest, '--config', f.config]);
    expect(result.code).toBe(0);
    const schemas = JSON.parse(result.stdout);
    expect(Object.keys(schemas).sort()).toEqual(['events', 'item_notes', 'items', 'notes']);
    expect(schemas.events.properties).toEqual({
      id: { type: ['null', 'integer'] },
      updated: { type: ['null', 'string'], format: 'date-time' },
      // null in one record, a string in the others: nullable string.
      kind: { type: ['null', 'string'] },
    });
    expect(schemas.notes.properties).toEqual({ id: { type: ['null', 'integer'] }, text: { type: ['null', 'string'] } });
  });

  it('says on stderr when the records lack the stream primary key (stdout stays the schema)', async () => {
    const f = files(api, []);
    const manifest = f.write('uuid.yaml', MANIFEST.replace('    name: items\n    primary_key: [id]', '    name: items\n    primary_key: [uuid]'));
    const result = await runCli(['infer-schema', '--manifest', manifest, '--config', f.config, '--stream', 'items']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).properties.id).toEqual(ITEMS_SCHEMA_PROPERTIES.id);
    expect(result.stderr).toMatch(/^WARN Stream items: records have no value for primary key field uuid;/m);
    expect(result.stderr.match(/^WARN Stream items:/gm)).toHaveLength(1);
  });

  it('--limit-records N samples N records per stream', async () => {
    const before = api.requestsTo('/api/items').length;
    const f = files(api, []);
    const result = await runCli(['infer-schema', '--manifest', f.manifest, '--config', f.config, '--stream', 'items', '--limit-records', '2']);
    expect(result.code).toBe(0);
    // Only the first page (numbers only): price has no string type yet.
    expect(JSON.parse(result.stdout).properties.price.type).toEqual(['null', 'number']);
    expect(
      api
        .requestsTo('/api/items')
        .slice(before)
        .map((r) => r.query.page),
    ).toEqual(['1']);
  });

  it('a --limit-records that is not a whole number ≥ 1 is a config error, not a silent 1000', async () => {
    const before = api.server.requests.length;
    const f = files(api, []);
    for (const value of ['0', 'abc', '2.5']) {
      const result = await runCli(['infer-schema', '--manifest', f.manifest, '--config', f.config, '--limit-records', value]);
      expect(result.code).toBe(1);
      expect(result.stdout).not.toContain('"properties"');
      expect(result.stderr).toContain(`--limit-records takes a whole number ≥ 1 (got "${value}")`);
    }
    expect(api.server.requests.length).toBe(before);
  });

  it('an unknown --stream is a config error naming the streams', async () => {
    const f = files(api, []);
    const result = await runCli(['infer-schema', '--manifest', f.manifest, '--config', f.config, '--stream', 'itemz']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No stream "itemz".*streams: items, events, notes, item_notes/);
  });

  it('with --replay DIR infers the same schema without any request', async () => {
    const f = files(api, []);
    const dir = join(f.dir, 'rec');
    const live = await runCli(['infer-schema', '--manifest', f.manifest, '--config', f.config, '--stream', 'items', '--record', dir]);
    expect(live.code).toBe(0);
    const before = api.server.requests.length;
    const replayed = await runCli(['infer-schema', '--manifest', f.manifest, '--config', f.config, '--stream', 'items', '--replay', dir]);
    expect(replayed.code).toBe(0);
    expect(api.server.requests.length).toBe(before);
    expect(JSON.parse(replayed.stdout)).toEqual(JSON.parse(live.stdout));
  });
});

describe('read --record DIR then --replay DIR', () => {
  it('replays the same records and states with no request, from files without secrets', async () => {
    const f = files(api, ['items', 'events', 'notes'], 'incremental');
    const dir = join(f.dir, 'recording');
    const recorded = await runCli(['read', ...f.args, '--record', dir]);
    expect(recorded.code).toBe(0);
    expect(records(recorded, 'items')).toEqual(ITEMS);
    expect(records(recorded, 'events').sort((a, b) => a.id - b.id)).toEqual(INITIAL_EVENTS);

    // One file per exchange (items 4, events 5, notes 500 + 200), none holding a secret.
    const names = readdirSync(dir);
    expect(names).toHaveLength(11);
    for (const name of names) {
      const text = readFileSync(join(dir, name), 'utf8');
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }

    const before = api.server.requests.length;
    const replayed = await runCli(['read', ...f.args, '--replay', dir]);
    expect(replayed.code).toBe(0);
    expect(api.server.requests.length).toBe(before);
    // Slices run concurrently, so intermediate checkpoints may interleave differently; the final
    // state of each stream is the same.
    const finalStates = (r: typeof recorded) =>
      Object.fromEntries(r.messages.filter((m) => m.type === 'STATE').map((m) => [m.state.stream.stream_descriptor.name, m.state.stream.stream_state]));
    expect(finalStates(replayed)).toEqual(finalStates(recorded));
    expect(finalStates(replayed).events).toEqual({ updated: '2024-01-03T12:00:00Z' });
    expect(records(replayed, 'items')).toEqual(ITEMS);
    expect(records(replayed, 'notes')).toEqual(records(recorded, 'notes'));
    expect(sortedIds(records(replayed, 'events'))).toEqual([1, 2, 3]);
  });

  it('a replay missing an exchange fails clearly instead of reaching the network', async () => {
    const f = files(api, ['items']);
    const dir = join(f.dir, 'recording');
    expect((await runCli(['read', ...f.args, '--record', dir, '--limit-pages', '1'])).code).toBe(0);
    const before = api.server.requests.length;
    const replayed = await runCli(['read', ...f.args, '--replay', dir]);
    expect(api.server.requests.length).toBe(before);
    expect(replayed.code).toBe(1);
    expect(replayed.messages.find((m) => m.trace?.type === 'ERROR')?.trace.error.message).toMatch(/page=2/);
  });
});

describe('where the manifest comes from', () => {
  const INJECTED = '__injected_declarative_manifest';

  async function expectWorks(args: string[], env: Record<string, string> = {}): Promise<void> {
    const check = await runCli(['check', ...args], { env });
    expect(check.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.status).toBe('SUCCEEDED');
    const discover = await runCli(['discover', ...args], { env });
    expect(discover.code).toBe(0);
    expect(discover.messages.find((m) => m.type === 'CATALOG')?.catalog.streams.map((s: any) => s.name)).toEqual(['items', 'events', 'notes', 'item_notes']);
    const read = await runCli(['read', ...args], { env });
    expect(read.code).toBe(0);
    expect(records(read, 'items')).toEqual(ITEMS);
  }

  it('$MANIFOLD_MANIFEST when --manifest is not given', async () => {
    const f = files(api, ['items']);
    await expectWorks(['--config', f.config], { MANIFOLD_MANIFEST: f.manifest });
  });

  it('the manifest injected in the config (source-declarative-manifest), given as parsed YAML', async () => {
    const f = files(api, ['items']);
    const { parse } = await import('yaml');
    const config = f.write('injected.json', { ...api.config(), [INJECTED]: parse(MANIFEST) });
    await expectWorks(['--config', config]);
  });

  it('--manifest wins over $MANIFOLD_MANIFEST', async () => {
    const f = files(api, ['items']);
    const result = await runCli(['discover', '--manifest', f.manifest, '--config', f.config], { env: { MANIFOLD_MANIFEST: join(f.dir, 'missing.yaml') } });
    expect(result.code).toBe(0);
  });

  it('no manifest anywhere: a config error that says where to put one', async () => {
    const f = files(api, ['items']);
    for (const command of ['check', 'discover', 'read']) {
      const result = await runCli([command, '--config', f.config], { env: { MANIFOLD_MANIFEST: '' } });
      expect(result.code).toBe(1);
      const error = result.messages.find((m) => m.trace?.type === 'ERROR')?.trace.error;
      expect(error.failure_type).toBe('config_error');
      expect(error.message).toMatch(/--manifest.*MANIFOLD_MANIFEST.*__injected_declarative_manifest/);
    }
  });
});

describe('--help', () => {
  const OPTIONS: Record<string, string[]> = {
    spec: ['--manifest'],
    check: ['--manifest', '--config', '--log-level', '--quiet', '--record', '--replay'],
    discover: ['--manifest', '--config', '--log-level', '--quiet', '--record', '--replay'],
    read: [
      '--manifest',
      '--config',
      '--catalog',
      '--state',
      '--concurrency',
      '--limit-records',
      '--limit-pages',
      '--limit-slices',
      '--show-http',
      '--output',
      '--check-schema',
      '--progress',
      '--no-progress',
      '--log-level',
      '--quiet',
      '--record',
      '--replay',
      '--stream',
      '--overwrite',
      '--fail-fast',
      '--max-retries',
      '--max-backoff',
    ],
    write: ['--manifest', '--config', '--catalog', '--dry-run', '--show-http', '--log-level', '--quiet'],
    validate: ['--manifest', '--strict'],
    schema: [],
    'infer-schema': ['--manifest', '--config', '--stream', '--limit-records', '--record', '--replay', '--format', '--fail-fast'],
  };

  it('the top-level help lists every command', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of Object.keys(OPTIONS)) expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it.each(Object.entries(OPTIONS))('%s --help exits 0 and lists its options', async (command, options) => {
    const result = await runCli([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`Usage: manifold ${command}`);
    for (const option of [...options, '--help']) expect(result.stdout).toMatch(new RegExp(`(^|[\\s,])${option}\\b`, 'm'));
  });

  it('help <command> works too', async () => {
    const result = await runCli(['help', 'read']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--limit-records');
  });
});
