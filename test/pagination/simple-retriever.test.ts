/** SimpleRetriever driving paginators against a fake requester: pages requested, tokens injected, records yielded. */
import { describe, it, expect } from '@jest/globals';
import type { Retriever } from '../../engine/contracts.js';
import { ManifoldError } from '../../engine/errors/manifold-error.js';
import { makeSlice, type DataRecord, type Obj, type RequestOptionsProvider } from '../../engine/types.js';
import { build, fakeResponse, FakeRequester } from '../extract/support.js';
import '../../engine/stream/simple-retriever.js';
import '../../engine/pagination/default-paginator.js';
import '../../engine/pagination/no-pagination.js';
import '../../engine/pagination/page-increment.js';
import '../../engine/pagination/offset-increment.js';
import '../../engine/pagination/cursor-pagination.js';
import '../../engine/extract/record-selector.js';
import '../../engine/extract/dpath-extractor.js';
import '../../engine/extract/record-filter.js';
import '../../engine/extract/decoders/json-decoder.js';
import '../../engine/transform/add-fields.js';
import { registerComponent } from '../../engine/registry.js';

let current: FakeRequester;
registerComponent('FakeRequesterForTests', () => current);

function retriever(requester: FakeRequester, extra: Obj = {}): Retriever {
  current = requester;
  return build<Retriever>({
    type: 'SimpleRetriever',
    requester: { type: 'FakeRequesterForTests' },
    record_selector: { type: 'RecordSelector', extractor: { type: 'DpathExtractor', field_path: ['data'] } },
    ...extra,
  });
}

async function collect(r: Retriever, extra: RequestOptionsProvider[] = [], onPage?: (n: number) => void): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const rec of r.readSlice({ stream: 's', slice: makeSlice({ pid: 7 }), extra, onPage: (e) => onPage?.(e.records) })) out.push(rec);
  return out;
}

const pages = (...sizes: number[]) => {
  let id = 0;
  return sizes.map((n) => ({ data: Array.from({ length: n }, () => ({ id: ++id })) }));
};

describe('SimpleRetriever', () => {
  it('pages with PageIncrement until a short page, injecting page and page size', async () => {
    const bodies = pages(2, 2, 1);
    const req = new FakeRequester((_a, n) => fakeResponse({ body: bodies[n - 1] }));
    const r = retriever(req, {
      paginator: {
        type: 'DefaultPaginator',
        pagination_strategy: { type: 'PageIncrement', page_size: 2, start_from_page: 1, inject_on_first_request: true },
        page_token_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'page' },
        page_size_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'per_page' },
      },
    });
    const sizes: number[] = [];
    const records = await collect(r, [], (n) => sizes.push(n));
    expect(records.map((x) => x.id)).toEqual([1, 2, 3, 4, 5]);
    expect(req.params()).toEqual([
      { page: 1, per_page: 2 },
      { page: 2, per_page: 2 },
      { page: 3, per_page: 2 },
    ]);
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('injects an OffsetIncrement token into headers and body_json', async () => {
    const bodies = pages(3, 3, 0);
    const req = new FakeRequester((_a, n) => fakeResponse({ body: bodies[n - 1] }));
    const r = retriever(req, {
      paginator: {
        type: 'DefaultPaginator',
        pagination_strategy: { type: 'OffsetIncrement', page_size: 3 },
        page_token_option: { type: 'RequestOption', inject_into: 'body_json', field_path: ['paging', 'offset'] },
        page_size_option: { type: 'RequestOption', inject_into: 'header', field_name: 'X-Limit' },
      },
    });
    expect((await collect(r)).length).toBe(6);
    const sent = req.calls.map((c) => Object.assign({}, ...c.extra.map((e) => ({ body: e.bodyJson, h: e.headers?.['X-Limit'] })).filter((x) => x.h || x.body)));
    expect(sent).toEqual([{ h: '3' }, { body: { paging: { offset: 3 } }, h: '3' }, { body: { paging: { offset: 6 } }, h: '3' }]);
  });

  it('follows a CursorPagination next URL through RequestPath (path override)', async () => {
    const req = new FakeRequester((a) =>
      a.pathOverride === undefined
        ? fakeResponse({ body: { data: [{ id: 1 }], next: 'https://api.test/items?after=1' } })
        : fakeResponse({ body: { data: [{ id: 2 }], next: null } }),
    );
    const r = retriever(req, {
      paginator: {
        type: 'DefaultPaginator',
        pagination_strategy: { type: 'CursorPagination', cursor_value: '{{ response.next }}' },
        page_token_option: { type: 'RequestPath' },
      },
    });
    expect((await collect(r)).map((x) => x.id)).toEqual([1, 2]);
    expect(req.calls.map((c) => c.pathOverride)).toEqual([undefined, 'https://api.test/items?after=1']);
    expect(req.calls[1]!.nextPageToken).toEqual({ next_page_token: 'https://api.test/items?after=1' });
  });

  it('reads the cursor from the parsed Link header', async () => {
    const req = new FakeRequester((_a, n) =>
      fakeResponse({ body: { data: [{ id: n }] }, headers: n === 1 ? { link: '<https://api.test/items?page=2>; rel="next"' } : {} }),
    );
    const r = retriever(req, {
      paginator: {
        type: 'DefaultPaginator',
        pagination_strategy: { type: 'CursorPagination', cursor_value: '{{ headers.link.next.url }}' },
        page_token_option: { type: 'RequestPath' },
      },
    });
    expect((await collect(r)).map((x) => x.id)).toEqual([1, 2]);
    expect(req.calls[1]!.pathOverride).toBe('https://api.test/items?page=2');
  });

  it('stops with a clear error when the paginator repeats its token', async () => {
    let id = 0;
    const req = new FakeRequester(() => fakeResponse({ body: { data: [{ id: ++id }], next: 'same' } }));
    const r = retriever(req, {
      paginator: {
        type: 'DefaultPaginator',
        pagination_strategy: { type: 'CursorPagination', cursor_value: '{{ response.next }}' },
        page_token_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'cursor' },
      },
    });
    await expect(collect(r)).rejects.toThrow(/same token "same" twice/);
    expect(req.calls.length).toBe(2);
  });

  it('stops with a clear error when the API ignores the page parameter', async () => {
    const req = new FakeRequester(() => fakeResponse({ body: { data: [{ id: 1 }, { id: 2 }] } }));
    const r = retriever(req, {
      paginator: {
        type: 'DefaultPaginator',
        pagination_strategy: { type: 'PageIncrement', page_size: 2 },
        page_token_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'page' },
      },
    });
    const err = await collect(r).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifoldError);
    expect((err as Error).message).toMatch(/page 2 returned the same 2 record\(s\) as page 1/);
    expect(req.calls.length).toBe(2);
  });

  it('ends the slice when the requester ignores a response (undefined)', async () => {
    const req = new FakeRequester(() => undefined);
    const r = retriever(req, { paginator: { type: 'DefaultPaginator', pagination_strategy: { type: 'PageIncrement', page_size: 1 } } });
    expect(await collect(r)).toEqual([]);
    expect(req.calls.length).toBe(1);
  });

  it('drops slicer params on paginated requests when asked to, and judges page fullness before filtering', async () => {
    const bodies = [
      {
        data: [
          { id: 1, keep: false },
          { id: 2, keep: false },
        ],
      },
      { data: [{ id: 3, keep: true }] },
    ];
    const req = new FakeRequester((_a, n) => fakeResponse({ body: bodies[n - 1] }));
    const r = retriever(req, {
      ignore_stream_slicer_parameters_on_paginated_requests: true,
      record_selector: {
        type: 'RecordSelector',
        extractor: { type: 'DpathExtractor', field_path: ['data'] },
        record_filter: { type: 'RecordFilter', condition: '{{ record.keep }}' },
      },
      transformations: [{ type: 'AddFields', fields: [{ path: ['part'], value: '{{ stream_slice.pid }}' }] }],
      paginator: {
        type: 'DefaultPaginator',
        pagination_strategy: { type: 'PageIncrement', page_size: 2 },
        page_token_option: { type: 'RequestOption', inject_into: 'request_parameter', field_name: 'page' },
      },
    });
    const slicer: RequestOptionsProvider = { requestOptions: (s) => ({ params: { pid: s.partition.pid } }) };
    const records = await collect(r, [slicer]);
    expect(records).toEqual([{ id: 3, keep: true, part: 7 }]);
    expect(req.params()).toEqual([{ pid: 7 }, { page: 1 }]);
  });

  it('reads one page without a paginator (NoPagination default)', async () => {
    const req = new FakeRequester(() => fakeResponse({ body: { data: [{ id: 1 }, { id: 2 }] } }));
    expect((await collect(retriever(req))).length).toBe(2);
    expect(req.calls.length).toBe(1);
  });
});
