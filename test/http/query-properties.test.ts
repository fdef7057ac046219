/**
 * QueryProperties through the real loader, SimpleRetriever and HTTP stack (msw): property names
 * read from an endpoint, split into chunks, one paginated request set per chunk, records merged by
 * key before they are emitted.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { loadComponents } from '../../engine/components.js';
import { buildComponent, loadManifestText } from '../../engine/manifest/index.js';
import { createServices } from '../../engine/services.js';
import type { Stream, StreamEvent } from '../../engine/contracts.js';
import { ManifoldError } from '../../engine/errors/manifold-error.js';
import type { Obj } from '../../engine/types.js';

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [contacts] }
definitions:
  requester: { type: HttpRequester, url_base: http://api.test, http_method: GET }
streams:
  - type: DeclarativeStream
    name: contacts
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /contacts
        request_parameters:
          limit: "2"
          properties:
            type: QueryProperties
            property_list:
              type: PropertiesFromEndpoint
              property_field_path: [name]
              retriever:
                type: SimpleRetriever
                requester: { $ref: "#/definitions/requester", path: /properties }
                record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [results] } }
            always_include_properties: [id]
            property_chunking:
              type: PropertyChunking
              property_limit_type: property_count
              property_limit: 2
              record_merge_strategy: { type: GroupByKeyMergeStrategy, key: id }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [results] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: after }
        pagination_strategy:
          type: CursorPagination
          cursor_value: "{{ response.next }}"
          stop_condition: "{{ not response.next }}"
  - type: DeclarativeStream
    name: deals
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /deals
        request_parameters:
          fields:
            type: QueryProperties
            property_list: [alpha, beta, pi, gamma]
            property_chunking: { type: PropertyChunking, property_limit_type: characters, property_limit: 12 }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
`;

const CONTACTS: Obj[] = [
  { id: 1, a: 'a1', b: 'b1', c: 'c1', nested: { x: 1 } },
  { id: 2, a: 'a2', b: 'b2', c: 'c2' },
  { a: 'orphan', c: 'orphan-c' },
];
const requests: string[] = [];
let propertiesStatus = 200;

const server = setupServer(
  http.get('http://api.test/properties', () => {
    requests.push('/properties');
    if (propertiesStatus !== 200) return HttpResponse.json({ message: 'forbidden' }, { status: propertiesStatus });
    return HttpResponse.json({ results: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
  }),
  http.get('http://api.test/contacts', ({ request }) => {
    const url = new URL(request.url);
    requests.push(`/contacts?${url.searchParams}`);
    const wanted = (url.searchParams.get('properties') ?? '').split(',');
    const start = Number(url.searchParams.get('after') ?? 0);
    const page = CONTACTS.slice(start, start + 2).map((c) => {
      const out: Obj = {};
      for (const [k, v] of Object.entries(c)) if (wanted.includes(k) || k === 'nested') out[k] = v;
      return out;
    });
    return HttpResponse.json({ results: page, next: start + 2 < CONTACTS.length ? String(start + 2) : null });
  }),
  http.get('http://api.test/deals', ({ request }) => {
    const url = new URL(request.url);
    requests.push(`/deals?${url.searchParams}`);
    return HttpResponse.json({ id: 7, [String(url.searchParams.get('fields'))]: true });
  }),
);

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  await loadComponents();
});
afterEach(() => {
  requests.length = 0;
  propertiesStatus = 200;
});
afterAll(() => server.close());

function stream(index: number): Stream {
  const { root } = loadManifestText(MANIFEST, 'manifest.yaml');
  const node = (root.streams as Obj[])[index];
  return buildComponent<Stream>(node, `streams[${index}]`, {}, createServices({ logSink: () => undefined, backoffScale: 0.001 }), 'DeclarativeStream');
}

async function records(s: Stream): Promise<Obj[]> {
  const out: Obj[] = [];
  for await (const e of s.read({ syncMode: 'full_refresh' }) as AsyncIterable<StreamEvent>) if (e.kind === 'record') out.push(e.data);
  return out;
}

describe('QueryProperties', () => {
  it('requests each property chunk (with pagination) and merges the records by key', async () => {
    const got = await records(stream(0));
    expect(requests).toEqual([
      '/properties',
      '/contacts?limit=2&properties=id%2Ca%2Cb',
      '/contacts?limit=2&properties=id%2Ca%2Cb&after=2',
      '/contacts?limit=2&properties=id%2Cc',
      '/contacts?limit=2&properties=id%2Cc&after=2',
    ]);
    // The record without a key cannot be merged: it comes as is, once per chunk that returned it.
    expect(got).toEqual([{ a: 'orphan' }, { c: 'orphan-c' }, { id: 1, a: 'a1', b: 'b1', c: 'c1', nested: { x: 1 } }, { id: 2, a: 'a2', b: 'b2', c: 'c2' }]);
  });

  it('chunks by characters (length + 3 per property) from a static list, one request per chunk', async () => {
    const got = await records(stream(1));
    expect(requests).toEqual(['/deals?fields=alpha', '/deals?fields=beta%2Cpi', '/deals?fields=gamma']);
    expect(got).toEqual([{ id: 7, alpha: true, 'beta,pi': true, gamma: true }]);
  });

  it('fails the stream when the properties endpoint refuses, before any data request', async () => {
    propertiesStatus = 403;
    const error = await records(stream(0)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ManifoldError);
    expect((error as ManifoldError).failureType).toBe('config_error');
    expect(requests.every((r) => r === '/properties')).toBe(true);
  });
});
