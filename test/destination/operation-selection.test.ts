/**
 * General DeclarativeDestination machinery the Clazar Endpoint setting is built on, with a
 * stand-in requester: an operation picked by a config value, the object ID from config or from
 * a record field, and request headers typed as one line of text.
 */
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Destination } from '../../engine/destination/destination.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import type { Obj } from '../../engine/types.js';
import { installFakeRequester, resetFake, sent } from './fake-requester.js';
import { preloadComponents } from './preload-components.js';

beforeAll(async () => {
  await preloadComponents();
  installFakeRequester();
});
beforeEach(() => resetFake());

const catalog: ConfiguredAirbyteCatalog = {
  streams: ['contacts', 'deals'].map((name) => ({ stream: { name }, sync_mode: 'full_refresh' as const, destination_sync_mode: 'append' })),
};

function manifest(extra: Obj = {}): Obj {
  return {
    version: '0.1.0',
    type: 'DeclarativeDestination',
    spec: { type: 'Spec', connection_specification: { type: 'object', properties: {} } },
    requester: { type: 'CustomRequester', class_name: 'fake', url_base: 'https://api.test' },
    select_operation: "{{ config['target'] }}",
    operations: [
      { type: 'DestinationOperation', name: 'create', streams: ['create'], path: '/things' },
      {
        type: 'DestinationOperation',
        name: 'archive',
        streams: ['archive'],
        path: '/things/{{ object_id }}/archive',
        object_id: { value: "{{ config['thing_id'] }}", record_field: "{{ config['id_field'] }}" },
        request_headers: "{{ config['headers'] }}",
      },
    ],
    ...extra,
  };
}

async function write(config: Obj, messages: Obj[], m: Obj = manifest()): Promise<AirbyteMessage[]> {
  const destination = await Destination.fromObject(m);
  const out: AirbyteMessage[] = [];
  async function* input(): AsyncGenerator<unknown> {
    yield* messages;
  }
  for await (const msg of destination.write(config, catalog, input())) out.push(msg);
  return out;
}
const rec = (stream: string, data: Obj): Obj => ({ type: 'RECORD', record: { stream, data, emitted_at: 1 } });
const errors = (out: AirbyteMessage[]) =>
  out.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => (m as { trace: { error: { message: string } } }).trace.error.message);

describe('select_operation', () => {
  it('sends every configured stream to the operation the config names', async () => {
    const out = await write({ target: 'archive', thing_id: 't/1', headers: 'X-Team:sales' }, [rec('contacts', { a: 1 }), rec('deals', { b: 2 })]);
    expect(errors(out)).toEqual([]);
    expect(sent.map((s) => [s.method, s.url, s.headers, s.body])).toEqual([
      ['POST', 'https://api.test/things/t%2F1/archive', { 'X-Team': 'sales' }, { a: 1 }],
      ['POST', 'https://api.test/things/t%2F1/archive', { 'X-Team': 'sales' }, { b: 2 }],
    ]);
  });

  it('takes the object ID from a record field when the config names one', async () => {
    await write({ target: 'archive', id_field: 'uid' }, [rec('contacts', { uid: 'u1' }), rec('deals', { uid: 'u2' })]);
    expect(sent.map((s) => s.url)).toEqual(['https://api.test/things/u1/archive', 'https://api.test/things/u2/archive']);
  });

  it('routes by stream name when it renders empty', async () => {
    const out = await write({ target: '', id_field: 'uid' }, [rec('contacts', { uid: 'u1' })]);
    expect(sent).toEqual([]);
    expect(out.some((m) => m.type === 'LOG' && m.log.message.includes('Stream "contacts" is in the catalog but no operation consumes it'))).toBe(true);
  });

  it('names the declared operations when the config picks an unknown one', async () => {
    const out = await write({ target: 'destroy' }, [rec('contacts', { a: 1 })]);
    expect(errors(out)).toEqual([expect.stringMatching(/selects operation "destroy", which the manifest does not declare \(it has: create, archive\)/)]);
  });

  it('refuses request header text that would replace the authentication or the content type', async () => {
    for (const headers of ['Authorization:Basic abc', 'proxy-authorization:x', 'Content-Type:text/plain', 'Host:evil.test', 'no colon']) {
      const out = await write({ target: 'archive', thing_id: 't1', headers }, [rec('contacts', { a: 1 })]);
      expect(errors(out)).toEqual([expect.stringMatching(/request_headers: (the .* header is set by the connector|entry "no colon" is not "name:value")/)]);
      expect(JSON.stringify(out)).not.toContain('Basic abc');
    }
    expect(sent).toEqual([]);
  });

  it('keeps an operation url under the requester url_base', async () => {
    const m = manifest({ operations: [{ type: 'DestinationOperation', name: 'manual', streams: ['*'], url: "{{ config['url'] }}" }] });
    let out = await write({ url: 'https://api.test.evil.example/x' }, [rec('contacts', { a: 1 })], m);
    expect(errors(out)).toEqual([expect.stringMatching(/"https:\/\/api\.test\.evil\.example\/x" is not under "https:\/\/api\.test"/)]);
    out = await write({ url: 'https://api.test/v2/things' }, [rec('contacts', { a: 1 })], m);
    expect(errors(out)).toEqual([]);
    expect(sent.map((s) => s.url)).toEqual(['https://api.test/v2/things']);
  });
});
