/**
 * Manifest expressions are data, not code: Jinja templates and JSONata run in a sandbox that cannot
 * reach Node (process, env, filesystem, network, JS internals); `__proto__`/`constructor` keys in
 * records or config cannot pollute prototypes; config values interpolated into a URL path cannot
 * change the host or the path's structure; an out-of-enum CleverTap region is a config error
 * before any request.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Source } from '../../engine/index.js';
import { runCli, tempFiles } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

const CANARY = 'env-canary-5d1c0ffee';
process.env.MANIFOLD_SANDBOX_CANARY = CANARY;

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    'GET /api/things': (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        // Raw text: JSON.parse makes "__proto__" an own key, as any API response can.
        .end(
          '{"data":[{"id":1,"name":"a","__proto__":{"polluted":"record"},"constructor":{"prototype":{"polluted":"ctor"}},"nested":{"__proto__":{"polluted":"nested"}}}]}',
        );
    },
  });
});
afterAll(async () => server.close());

interface Outcome {
  records: Array<Record<string, unknown>>;
  errors: string[];
}

function manifest(transformations: string, extra = ''): string {
  return `
version: 6.7.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [things] }
streams:
  - type: DeclarativeStream
    name: things
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['base_url'] }}/api"
        path: /things
${extra}
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
    transformations:
${transformations}
spec:
  type: Spec
  connection_specification: { type: object, properties: { base_url: { type: string } } }
`;
}

async function read(text: string, config: Record<string, unknown> = {}): Promise<Outcome> {
  const out: Outcome = { records: [], errors: [] };
  let source: Source;
  try {
    source = await Source.fromText(text, 'sandbox.yaml', { backoffScale: 0.0001 });
  } catch (e) {
    out.errors.push((e as Error).message);
    return out;
  }
  for await (const m of source.read({ base_url: server.url, ...config })) {
    const msg = m as Record<string, any>;
    if (msg.type === 'RECORD') out.records.push(msg.record.data);
    if (msg.type === 'TRACE' && msg.trace.type === 'ERROR') out.errors.push(msg.trace.error.message + String(msg.trace.error.stack_trace ?? ''));
  }
  return out;
}

/** Nothing from Node or JS internals may come out, and nothing may have run. */
function expectHarmless(outcome: Outcome): void {
  const text = JSON.stringify(outcome.records) + outcome.errors.join('\n');
  expect(text).not.toContain(CANARY);
  expect(text).not.toMatch(/\[native code\]|function \w*\(|\[object process\]|\bnode:internal|\/usr\/|\/home\//);
  expect(text).not.toContain(String(process.pid) === '1' ? '\u0000' : `"pid":${process.pid}`);
  for (const e of outcome.errors) expect(e).not.toContain('\n    at ');
  expect((globalThis as Record<string, unknown>).PWNED).toBeUndefined();
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  // Either the record came through with a harmless value, or the stream failed with a clear error.
  expect(outcome.records.length + outcome.errors.length).toBeGreaterThan(0);
}

const JINJA_ATTACKS = [
  '{{ config.__class__ }}',
  '{{ config.__class__.__mro__ }}',
  '{{ config.__class__.__mro__[1].__subclasses__() }}',
  '{{ cycler.__init__.__globals__ }}',
  "{{ lipsum.__globals__['os'].popen('id').read() }}",
  '{{ self.__init__.__globals__ }}',
  "{{ ''.constructor.constructor('return process')() }}",
  "{{ ''.constructor.constructor('globalThis.PWNED = 1')() }}",
  "{{ config.constructor.constructor('return process.env')() }}",
  "{{ config['constructor']['constructor']('return process.env.MANIFOLD_SANDBOX_CANARY')() }}",
  "{{ record.name.constructor.constructor('return process.pid')() }}",
  '{{ record.__proto__ }}',
  '{{ record.__proto__.constructor }}',
  "{{ config.get.constructor('return process')() }}",
  "{{ now_utc.constructor('return process')() }}",
  '{{ now_utc().__class__ }}',
  "{{ (now_utc()).constructor.constructor('return process')() }}",
  "{{ [].map.constructor('return process')() }}",
  '{{ process.env }}',
  '{{ globalThis.process.env }}',
  "{{ require('fs').readFileSync('/etc/passwd') }}",
  "{{ import('fs') }}",
  '{{ record.hasOwnProperty }}',
  '{{ record.toString() }}',
  "{% set f = ''.constructor.constructor %}{{ f('return process.env')() }}",
  "{{ record | attr('constructor') }}",
  "{{ '%s' % record.constructor }}",
];

describe('Jinja templates cannot reach Node or JS internals', () => {
  it.each(JINJA_ATTACKS)('%s', async (attack) => {
    const outcome = await read(
      manifest(`      - type: AddFields
        fields:
          - path: [probe]
            value: ${JSON.stringify(attack)}`),
    );
    expectHarmless(outcome);
    for (const r of outcome.records) {
      const probe = r.probe;
      expect(typeof probe === 'function').toBe(false);
      if (probe !== undefined && probe !== null)
        expect(typeof probe === 'object' ? JSON.stringify(probe) : String(probe)).not.toMatch(/process|env|constructor|Function/i);
    }
  });

  it('a hostile template in a request parameter sends nothing harmful', async () => {
    const before = server.requests.length;
    const outcome = await read(
      manifest(
        '      - type: AddFields\n        fields: [{ path: [x], value: "1" }]',
        `        request_parameters:
          q: "{{ ''.constructor.constructor('return process.env.MANIFOLD_SANDBOX_CANARY')() }}"`,
      ),
    );
    expectHarmless(outcome);
    for (const r of server.requests.slice(before)) expect(JSON.stringify(r.query)).not.toContain(CANARY);
  });
});

const JSONATA_ATTACKS = [
  '$eval(\'$$.constructor.constructor("return process")()\')',
  '$.constructor.constructor("return process.env")()',
  '($f := $$.constructor.constructor; $f("return process")())',
  '$lookup($lookup($$, "constructor"), "constructor")("globalThis.PWNED = 1")()',
  '$string.constructor',
  '$$.__proto__',
  '$eval("$$.__proto__.polluted := 1")',
];

describe('JSONata cannot reach Node or JS internals', () => {
  it.each(JSONATA_ATTACKS)('%s', async (attack) => {
    const outcome = await read(
      manifest(`      - type: JsonataTransformation
        target_field: probe
        expression: ${JSON.stringify(attack)}`),
    );
    expectHarmless(outcome);
    for (const r of outcome.records) {
      if (r.probe !== undefined) expect(JSON.stringify(r.probe)).not.toMatch(/process|Function/);
    }
  });
});

describe('prototype pollution through data', () => {
  const TRANSFORMS: Record<string, string> = {
    AddFields: `      - type: AddFields
        fields:
          - { path: ["__proto__", polluted], value: "addfields" }
          - { path: [constructor, prototype, polluted], value: "addfields-ctor" }
          - { path: [nested, "__proto__", polluted], value: "addfields-nested" }`,
    RemoveFields: `      - type: RemoveFields
        field_pointers: [["__proto__", polluted], [constructor, prototype]]`,
    KeysToLower: '      - type: KeysToLower',
    KeysToSnakeCase: '      - type: KeysToSnakeCase',
    KeysReplace: '      - { type: KeysReplace, old: "proto", new: "proto" }',
    FlattenFields: '      - type: FlattenFields',
    DpathFlattenFields: '      - { type: DpathFlattenFields, field_path: [nested] }',
    'JsonataTransformation (identity)': '      - { type: JsonataTransformation, expression: "$" }',
    'JsonataTransformation ($merge)': `      - { type: JsonataTransformation, expression: '$merge([$, {"added": 1}])' }`,
  };

  it.each(Object.keys(TRANSFORMS))('%s keeps "__proto__" as data and pollutes nothing', async (name) => {
    const outcome = await read(manifest(TRANSFORMS[name]!));
    expectHarmless(outcome);
    expect(Object.prototype).not.toHaveProperty('polluted');
    for (const r of outcome.records) {
      // The record is still a plain object with its own data, and its prototype was not replaced.
      expect(Object.getPrototypeOf(r) === Object.prototype || Object.getPrototypeOf(r) === null).toBe(true);
      // FlattenFields may legitimately lift the nested data key `polluted` into the record itself.
      if ('polluted' in r) expect(Object.hasOwn(r, 'polluted')).toBe(true);
      expect(r.id).toBe(1);
    }
  });

  it('a config carrying "__proto__" and "constructor" keys pollutes nothing', async () => {
    const configText = `{"__proto__": {"polluted": "config"}, "constructor": {"prototype": {"polluted": "config-ctor"}}}`;
    const outcome = await read(
      manifest(`      - type: AddFields
        fields:
          - path: [from_config]
            value: "{{ config['__proto__'] }}"
          - path: [polluted_value]
            value: "{{ config.polluted }}"`),
      JSON.parse(configText),
    );
    expectHarmless(outcome);
    for (const r of outcome.records) expect(r.polluted_value ?? '').toBe('');
  });
});

describe('config values in a URL path cannot change its host or structure', () => {
  const HOSTILE = ['../admin', '../../etc/passwd', 'x?admin=true', 'x#fragment', 'x@evil.example', '//evil.example/x', 'a/b', '%2e%2e', 'http://evil.example/'];

  it.each(HOSTILE)('user_id = %s', async (userId) => {
    const text = `
version: 6.7.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
streams:
  - type: DeclarativeStream
    name: items
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['base_url'] }}/api"
        path: "/users/{{ config['user_id'] }}/items"
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
spec:
  type: Spec
  connection_specification: { type: object, properties: { base_url: { type: string }, user_id: { type: string } } }
`;
    const before = server.requests.length;
    const outcome = await read(text, { user_id: userId });
    const sent = server.requests.slice(before);
    // Either refused up front, or sent to the configured host with the value as one encoded segment.
    for (const r of sent) {
      const segments = r.path.split('/');
      expect(segments.slice(0, 3)).toEqual(['', 'api', 'users']);
      expect(segments).toHaveLength(5);
      expect(segments[4]).toBe('items');
      expect(decodeURIComponent(segments[3]!)).toBe(userId);
      expect(r.query).toEqual({});
    }
    if (sent.length === 0) expect(outcome.errors.join('\n')).toMatch(/user_id|path/);
    for (const e of outcome.errors) expect(e).not.toContain('\n    at ');
  });
});

describe('CleverTap region', () => {
  it('a region outside the enum is a config error before any request', async () => {
    const files = tempFiles({
      'config.json': {
        account_id: 'W9R-486-4W5Z',
        passcode: 'passcode-SECRET-1',
        region: 'evil.example/x?',
        event_name: 'App Launched',
        start_date: '2024-01-01',
        end_date: '2024-01-02',
      },
    });
    const result = await runCli(['read', '--manifest', 'manifests/clevertap.yaml', '--config', files['config.json']!]);
    expect(result.code).not.toBe(0);
    const trace = result.messages.find((m) => m.trace?.type === 'ERROR')?.trace.error;
    expect(trace.failure_type).toBe('config_error');
    expect(trace.message).toMatch(/region/);
    // No request was attempted (a request would have been a network error or an HTTP log line).
    expect(result.messages.filter((m) => m.type === 'RECORD' || m.trace?.type === 'STREAM_STATUS')).toEqual([]);
    expect(result.stdout + result.stderr).not.toContain('passcode-SECRET-1');
    expect(result.stderr).not.toContain('\n    at ');
  });
});
