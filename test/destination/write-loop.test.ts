import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, beforeEach } from '@jest/globals';
import { Destination } from '../../engine/destination/destination.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import type { Obj } from '../../engine/types.js';
import { installFakeRequester, resetFake, sent, setAnswer } from './fake-requester.js';
import { preloadComponents } from './preload-components.js';

beforeAll(async () => {
  await preloadComponents();
  installFakeRequester();
});

const catalog: ConfiguredAirbyteCatalog = {
  streams: [
    { stream: { name: 'listings' }, sync_mode: 'full_refresh', destination_sync_mode: 'append', primary_key: [['id']] },
    { stream: { name: 'offers' }, sync_mode: 'full_refresh', destination_sync_mode: 'append' },
  ],
};

function manifest(operations: Obj[], extra: Obj = {}): Obj {
  return {
    version: '0.1.0',
    type: 'DeclarativeDestination',
    spec: { type: 'Spec', connection_specification: { type: 'object', properties: { token: { type: 'string', airbyte_secret: true } } } },
    definitions: { requester: { type: 'CustomRequester', class_name: 'fake', url_base: 'https://api.test' } },
    requester: { $ref: '#/definitions/requester' },
    operations: operations.map((op) => ({ type: 'DestinationOperation', ...op })),
    ...extra,
  };
}

const record = (stream: string, data: Obj): Obj => ({ type: 'RECORD', record: { stream, data, emitted_at: 1 } });
const state = (n: number): Obj => ({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'listings' }, stream_state: { n } } } });

async function* from(messages: Obj[]): AsyncGenerator<unknown> {
  yield* messages;
}

async function write(m: Obj, messages: Obj[], config: Obj = {}, dryRun = false): Promise<AirbyteMessage[]> {
  const destination = await Destination.fromObject(m, undefined, { allowPaths: [tmpdir()] });
  const out: AirbyteMessage[] = [];
  for await (const msg of destination.write(config, catalog, from(messages), { dryRun })) out.push(msg);
  return out;
}

const states = (out: AirbyteMessage[]): unknown[] => out.filter((m) => m.type === 'STATE').map((m) => (m as unknown as Obj).state);
const errors = (out: AirbyteMessage[]) =>
  out
    .filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR')
    .map((m) => (m as { trace: { error: { message: string; stream_descriptor?: { name: string } } } }).trace.error);

beforeEach(() => resetFake());

describe('operations', () => {
  it('routes records by stream and condition, encodes record values in the path and picks idempotency by method', async () => {
    const ops = [
      { name: 'create', streams: ['listings'], http_method: 'POST', path: '/listings', condition: '{{ not record.id }}' },
      { name: 'update', streams: ['listings'], http_method: 'PUT', path: '/listings/{{ record.id }}', condition: '{{ record.id }}' },
    ];
    // the naive interpolation has no `not`: use a jsonata-free condition on a flag instead
    ops[0]!.condition = '{{ record.new }}';
    const out = await write(manifest(ops), [record('listings', { new: 'yes', title: 'A' }), record('listings', { id: '../admin?x=1', title: 'B' })]);
    expect(errors(out)).toEqual([]);
    expect(sent.map((s) => [s.method, s.url, s.idempotent])).toEqual([
      ['POST', 'https://api.test/listings', false],
      ['PUT', 'https://api.test/listings/..%2Fadmin%3Fx%3D1', true],
    ]);
    expect(sent[1]!.body).toEqual({ id: '../admin?x=1', title: 'B' });
  });

  it('never lets a record value made of dots walk up the path', async () => {
    await write(manifest([{ name: 'update', streams: ['listings'], http_method: 'PUT', path: '/listings/{{ record.id }}' }]), [
      record('listings', { id: '..' }),
    ]);
    expect(sent[0]!.url).toBe('https://api.test/listings/%2E%2E');
  });

  it('excludes fields, renders templates and sends no body on DELETE', async () => {
    const ops = [
      { name: 'excluded', streams: ['listings'], path: '/a', exclude_fields: ['secret', 'internal'] },
      { name: 'templated', streams: ['listings'], path: '/b', body: { template: { listing: { title: '{{ record.title }}' }, source: 'manifold' } } },
      { name: 'jsonata', streams: ['listings'], path: '/c', body: { jsonata: '{"name": $uppercase(title), "n": $count(tags)}' } },
      { name: 'remove', streams: ['listings'], http_method: 'DELETE', path: '/d/{{ record.id }}' },
    ];
    await write(manifest(ops), [record('listings', { id: '7', title: 'x', secret: 's', internal: 1, tags: [1, 2] })]);
    expect(sent.map((s) => [s.url, s.body])).toEqual([
      ['https://api.test/a', { id: '7', title: 'x', tags: [1, 2] }],
      ['https://api.test/b', { listing: { title: 'x' }, source: 'manifold' }],
      ['https://api.test/c', { name: 'X', n: 2 }],
      ['https://api.test/d/7', undefined],
    ]);
  });

  it('takes headers as a mapping or as "name:value,name:value" config text', async () => {
    const ops = [
      { name: 'mapped', streams: ['listings'], path: '/a', request_headers: { 'X-Record': '{{ record.id }}' } },
      { name: 'text', streams: ['listings'], path: '/b', request_headers: '{{ config.headers }}' },
    ];
    await write(manifest(ops), [record('listings', { id: '7' })], { headers: 'X-One: 1,X-Two:two' });
    expect(sent.map((s) => s.headers)).toEqual([{ 'X-Record': '7' }, { 'X-One': '1', 'X-Two': 'two' }]);
  });

  it('ignores records of streams that are not in the catalog', async () => {
    const out = await write(manifest([{ name: 'all', streams: ['*'], path: '/all' }]), [record('unknown', { a: 1 }), record('offers', { b: 2 })]);
    expect(sent.map((s) => s.body)).toEqual([{ b: 2 }]);
    expect(out.some((m) => m.type === 'LOG' && m.log.message.includes('"unknown"'))).toBe(true);
  });

  it('reports a located config error for a bad operation', async () => {
    const out = await write(manifest([{ name: 'bad', streams: ['listings'], http_method: 'FETCH', path: '/a' }]), []);
    expect(errors(out)[0]!.message).toMatch(/operations\[0\].*http_method must be one of/);
  });
});

describe('batching', () => {
  it('wraps batches of batch_size into a property with extra fields, flushing the rest at the end', async () => {
    const ops = [
      {
        name: 'bulk',
        streams: ['listings'],
        path: '/bulk',
        batching: { batch_size: 2, wrap: { property: 'items', extra: { mode: 'upsert' } } },
        exclude_fields: ['x'],
      },
    ];
    await write(
      manifest(ops),
      [1, 2, 3].map((id) => record('listings', { id, x: 0 })),
    );
    expect(sent.map((s) => s.body)).toEqual([
      { mode: 'upsert', items: [{ id: 1 }, { id: 2 }] },
      { mode: 'upsert', items: [{ id: 3 }] },
    ]);
  });

  it('reshapes a batch with a JSONata expression', async () => {
    const ops = [{ name: 'bulk', streams: ['listings'], path: '/bulk', batching: { batch_size: 10, jsonata: '{"ids": $.id, "count": $count($)}' } }];
    await write(manifest(ops), [record('listings', { id: 'a' }), record('listings', { id: 'b' })]);
    // JSONata marks its result arrays with extra properties; what goes on the wire is the JSON.
    expect(JSON.parse(JSON.stringify(sent.map((s) => s.body)))).toEqual([{ ids: ['a', 'b'], count: 2 }]);
  });

  it('flushes a partial batch before echoing a STATE', async () => {
    const ops = [{ name: 'bulk', streams: ['listings'], path: '/bulk', batching: { batch_size: 100 } }];
    const out = await write(manifest(ops), [record('listings', { id: 1 }), state(1), record('listings', { id: 2 })]);
    expect(sent.map((s) => s.body)).toEqual([[{ id: 1 }], [{ id: 2 }]]);
    expect(states(out)).toEqual([state(1).state]);
  });
});

describe('state and failures', () => {
  const ops = [{ name: 'update', streams: ['listings'], http_method: 'PUT', path: '/listings/{{ record.id }}' }];
  const input = [
    record('listings', { id: 1 }),
    state(1),
    record('listings', { id: 2 }),
    record('listings', { id: 3 }),
    state(2),
    record('listings', { id: 4 }),
    state(3),
  ];

  it('echoes every STATE once the records before it are written', async () => {
    const out = await write(manifest(ops), input);
    expect(states(out)).toEqual([state(1).state, state(2).state, state(3).state]);
  });

  it('stop mode: a failure ends the run with a TRACE naming stream and key, and no later STATE', async () => {
    setAnswer((req) => (req.url.endsWith('/2') ? { status: 500 } : { status: 200 }));
    const out = await write(manifest(ops), input);
    expect(states(out)).toEqual([state(1).state]);
    expect(sent.map((s) => s.url)).toEqual(['https://api.test/listings/1', 'https://api.test/listings/2']);
    const [error] = errors(out);
    expect(error!.stream_descriptor).toEqual({ name: 'listings' });
    expect(error!.message).toMatch(/Operation update failed for stream "listings", record 2: .*HTTP 500/);
  });

  it('dead_letter mode: failed records go to the file and the sync goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifold-dl-'));
    const path = join(dir, 'dead.jsonl');
    setAnswer((req) => (req.url.endsWith('/2') ? { status: 422, body: { error: 'bad' } } : { status: 200 }));
    const out = await write(manifest(ops, { on_failure: '{{ config.on_failure }}', dead_letter_path: '{{ config.dead_letter_path }}' }), input, {
      on_failure: 'dead_letter',
      dead_letter_path: path,
    });
    expect(errors(out)).toEqual([]);
    expect(states(out)).toEqual([state(1).state, state(2).state, state(3).state]);
    expect(sent).toHaveLength(4);
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ operation: 'update', stream: 'listings', key: 2, record: { id: 2 } })]);
    expect(lines[0].error).toMatch(/HTTP 422/);
  });

  it('captures every response to a JSONL file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifold-cap-'));
    const path = join(dir, 'responses.jsonl');
    setAnswer((req) => ({ status: 201, body: { echoed: req.url } }));
    await write(manifest(ops, { response_capture: { jsonl_path: path } }), [record('listings', { id: 1 }), record('listings', { id: 2 })]);
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { operation: 'update', stream: 'listings', status: 201, key: 1, body: { echoed: 'https://api.test/listings/1' } },
      { operation: 'update', stream: 'listings', status: 201, key: 2, body: { echoed: 'https://api.test/listings/2' } },
    ]);
  });
});

describe('dry run', () => {
  it('prints the prepared requests with credentials masked and sends nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifold-dry-'));
    const capture = join(dir, 'responses.jsonl');
    const ops = [
      { name: 'update', streams: ['listings'], http_method: 'PUT', path: '/listings/{{ record.id }}', request_headers: { 'X-Token': '{{ config.token }}' } },
    ];
    const out = await write(
      manifest(ops, { response_capture: { jsonl_path: capture } }),
      [record('listings', { id: 1, t: 'x' }), state(1)],
      { token: 'super-secret-token' },
      true,
    );
    expect(sent).toEqual([]);
    const dry = out.filter((m) => m.type === 'LOG' && m.log.message.startsWith('DRY RUN')).map((m) => (m as { log: { message: string } }).log.message);
    expect(dry).toHaveLength(1);
    const request = JSON.parse(dry[0]!.slice('DRY RUN update '.length));
    expect(request).toEqual({
      method: 'PUT',
      url: 'https://api.test/listings/1',
      headers: { 'X-Token': '****', Authorization: '****' },
      body: { id: 1, t: 'x' },
    });
    expect(JSON.stringify(out)).not.toContain('super-secret-token');
    // Nothing was written, so no STATE is echoed (that would tell the platform the records are saved).
    expect(states(out)).toEqual([]);
    expect(existsSync(capture)).toBe(false);
  });
});
