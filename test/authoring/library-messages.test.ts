/**
 * Library types and messages (issue 18): Destination.write takes a plain array, SourceOptions.transport
 * is a Transport, check/discover hand their LOGs to onLog instead of process.stderr, a missing
 * schema file is reported once naming its streams, and a mistake in a $ref'd definition is one
 * problem listing its uses.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Destination, Source, loadManifestText, validateManifest, type AirbyteMessage } from '../../engine/index.js';
import type { AirbyteLogMessage } from '../../engine/protocol/messages.js';
import { installFakeRequester } from '../destination/fake-requester.js';
import { preloadComponents } from '../destination/preload-components.js';

beforeAll(async () => {
  await preloadComponents();
  installFakeRequester();
});
afterEach(() => {
  jest.restoreAllMocks();
});

const SCHEMA_FILE_MANIFEST = `
version: 6.44.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [a] }
definitions:
  stream:
    type: DeclarativeStream
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: "http://api.test", path: "/{{ parameters.name }}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
    schema_loader: { type: JsonFileSchemaLoader, file_path: "./schemas/stream.json" }
streams:
  - { $ref: "#/definitions/stream", name: a, $parameters: { name: a } }
  - { $ref: "#/definitions/stream", name: b, $parameters: { name: b } }
spec:
  type: Spec
  connection_specification: { type: object, properties: {} }
`;

describe('check and discover: onLog', () => {
  it('discover hands its LOGs to onLog, not to process.stderr; a missing schema file is one WARN naming its streams', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifold-schema-'));
    const source = await Source.fromText(SCHEMA_FILE_MANIFEST, join(dir, 'm.yaml'));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const logs: AirbyteLogMessage[] = [];
    const catalog = await source.discover({}, { onLog: (m) => logs.push(m) });
    expect(stderr).not.toHaveBeenCalled();
    expect(catalog.streams.map((s) => s.name)).toEqual(['a', 'b']);
    expect(logs.map((l) => [l.log.level, l.log.message])).toEqual([
      ['WARN', `schema file ${join(dir, 'schemas/stream.json')} (schema_loader of streams a, b) not found; using a permissive schema`],
    ]);
  });

  it('check hands its LOGs to onLog too', async () => {
    const manifest = SCHEMA_FILE_MANIFEST.replace('check: { type: CheckStream, stream_names: [a] }', 'check: { type: CheckStream, stream_names: [nope] }');
    const source = await Source.fromText(manifest, 'm.yaml');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const logs: AirbyteLogMessage[] = [];
    const result = await source.check({}, undefined, { onLog: (m) => logs.push(m) });
    expect(result.status).toBe('FAILED');
    expect(stderr).not.toHaveBeenCalled();
    // The manifest warning about check.stream_names naming no stream.
    expect(logs.map((l) => l.log.message)).toContainEqual(expect.stringContaining('check.stream_names refers to unknown stream "nope"'));
  });
});

describe('library types', () => {
  it('Destination.write takes a plain array of messages', async () => {
    const destination = await Destination.fromObject({
      version: '0.1.0',
      type: 'DeclarativeDestination',
      spec: { type: 'Spec', connection_specification: { type: 'object', properties: {} } },
      requester: { type: 'CustomRequester', class_name: 'fake', url_base: 'https://api.test' },
      operations: [{ type: 'DestinationOperation', name: 'create', streams: ['s'], http_method: 'POST', path: '/s' }],
    });
    const state = { type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 's' }, stream_state: { n: 1 } } } };
    const out: AirbyteMessage[] = [];
    const catalog = { streams: [{ stream: { name: 's' }, sync_mode: 'full_refresh' as const, destination_sync_mode: 'append' }] };
    for await (const m of destination.write({}, catalog, [{ type: 'RECORD', record: { stream: 's', data: { id: 1 }, emitted_at: 1 } }, state])) out.push(m);
    expect(out.filter((m) => m.type === 'STATE')).toEqual([state]);
  });

  it('SourceOptions.transport is typed as a Transport', async () => {
    // @ts-expect-error a transport has a send() method
    const wrong = () => Source.fromText(SCHEMA_FILE_MANIFEST, 'm.yaml', { transport: 42 });
    expect(typeof wrong).toBe('function');
  });
});

describe('validation of a $ref used in several places', () => {
  it('reports a mistake in the definition once, listing where it is used', () => {
    const manifest = loadManifestText(SCHEMA_FILE_MANIFEST.replace('requester: { type: HttpRequester,', 'requester: { type: HttpRequestr,'), 'm.yaml');
    const problems = validateManifest(manifest);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(
      /unknown component type HttpRequestr; did you mean HttpRequester.*\(used in 2 places: streams\[0\]\.retriever\.requester\.type, streams\[1\]\.retriever\.requester\.type\)$/,
    );
    expect(problems[0]!.location.line).toBe(10);
  });
});
