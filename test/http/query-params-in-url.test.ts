/**
 * Request parameters the URL already carries are not sent twice. The rule is the CDK's HTTP
 * client's (`_dedupe_query_params`): a parameter is dropped when the URL's query has the same key
 * with the same value (its first value, compared as Python's str()); with a different value both
 * are sent. Cases written for Manifold from that rule.
 */
import { describe, it, expect } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import type { Requester } from '../../engine/contracts.js';
import { Source, type AirbyteMessage } from '../../engine/index.js';
import { paramsNotInUrl } from '../../engine/http/url.js';
import { makeSlice } from '../../engine/types.js';
import { build } from './support.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();

function captureQueries(respond?: (url: URL) => Response): string[] {
  const seen: string[] = [];
  server.use(
    http.all('http://api.test/*', ({ request }) => {
      const url = new URL(request.url);
      seen.push(url.pathname + url.search);
      return respond ? respond(url) : HttpResponse.json({ ok: true });
    }),
  );
  return seen;
}

const args = (pathOverride: string | undefined, params: Record<string, unknown>) => ({
  stream: 'items',
  slice: makeSlice({}, {}),
  nextPageToken: undefined,
  extra: [{ params }],
  pathOverride,
});

describe('paramsNotInUrl (the CDK rule)', () => {
  it('drops a parameter the URL has with the same value, keeps one with another value', () => {
    expect(paramsNotInUrl('http://x/a?page=2&per_page=50', { per_page: '50', page: '3', q: 'z' })).toEqual({ page: '3', q: 'z' });
  });

  it('compares Python str() of the value with the decoded URL value', () => {
    const url = 'http://x/a?limit=50&flag=True&lower=true&q=a+b&r=c%2Fd';
    expect(paramsNotInUrl(url, { limit: 50, flag: true, lower: true, q: 'a b', r: 'c/d' })).toEqual({ lower: true });
  });

  it('only the first value of a repeated URL key counts; blank URL values count as absent', () => {
    expect(paramsNotInUrl('http://x/a?a=1&a=2&b=&c', { a: '2', b: '1', c: '1' })).toEqual({ a: '2', b: '1', c: '1' });
    expect(paramsNotInUrl('http://x/a?a=1&a=2', { a: '1' })).toEqual({});
  });

  it('leaves parameters alone when the URL has no query (or only a fragment)', () => {
    const params = { a: '1' };
    expect(paramsNotInUrl('http://x/a', params)).toBe(params);
    expect(paramsNotInUrl('http://x/a#a=1', params)).toEqual(params);
  });
});

describe('HttpRequester with a URL that already has a query', () => {
  it('does not repeat page_size/request parameters the next-page URL carries', async () => {
    const seen = captureQueries();
    const requester = build<Requester>({ type: 'HttpRequester', url_base: 'http://api.test/v1', path: 'items', request_parameters: { sort: 'asc' } });
    await requester.send(args('http://api.test/v1/items?page=2&per_page=50&sort=asc', { per_page: 50 }));
    expect(seen).toEqual(['/v1/items?page=2&per_page=50&sort=asc']);
  });

  it('sends a parameter alongside when the URL has it with a different value', async () => {
    const seen = captureQueries();
    const requester = build<Requester>({ type: 'HttpRequester', url_base: 'http://api.test/v1', path: 'items' });
    await requester.send(args('http://api.test/v1/items?page=2&per_page=50', { per_page: 100 }));
    expect(seen).toEqual(['/v1/items?page=2&per_page=50&per_page=100']);
  });

  it('applies to a query written into `url` itself', async () => {
    const seen = captureQueries();
    const requester = build<Requester>({ type: 'HttpRequester', url: 'http://api.test/v1/items?limit=10', request_parameters: { limit: '10', since: 'x' } });
    await requester.send(args(undefined, {}));
    expect(seen).toEqual(['/v1/items?limit=10&since=x']);
  });
});

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
streams:
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: http://api.test
        path: /items
        request_parameters: { status: active }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        page_size_option: { type: RequestOption, inject_into: request_parameter, field_name: per_page }
        page_token_option: { type: RequestPath }
        pagination_strategy:
          type: CursorPagination
          page_size: 2
          cursor_value: "{{ response.next }}"
          stop_condition: "{{ not response.next }}"
`;

describe('a whole read with full next-page URLs', () => {
  it('sends each page request with every parameter once', async () => {
    const seen = captureQueries((url) => {
      const page = url.searchParams.get('page') ?? '1';
      if (page === '1') return HttpResponse.json({ data: [{ id: 1 }, { id: 2 }], next: 'http://api.test/items?page=2&per_page=2&status=active' });
      return HttpResponse.json({ data: [{ id: 3 }], next: null });
    });
    const source = await Source.fromText(MANIFEST, 'm.yaml');
    const messages: AirbyteMessage[] = [];
    for await (const m of source.read({}, undefined, undefined, { concurrency: 1 })) messages.push(m);
    const ids = messages.flatMap((m) => (m.type === 'RECORD' ? [m.record.data.id] : []));
    expect(ids).toEqual([1, 2, 3]);
    expect(seen).toEqual(['/items?status=active&per_page=2', '/items?page=2&per_page=2&status=active']);
  });
});
