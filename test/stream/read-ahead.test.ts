/**
 * SimpleRetriever reads one page ahead: the next page is requested as soon as its token is known,
 * while the consumer still holds the current page. Never more than one page ahead, never past a
 * test read's limits, aborted when the consumer stops, and its failure surfaces only after the
 * page before it went out.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { loadComponents } from '../../engine/components.js';
import type { Retriever } from '../../engine/contracts.js';
import { buildComponent, loadManifestText } from '../../engine/manifest/index.js';
import { createServices } from '../../engine/services.js';
import { makeSlice, type DataRecord, type Obj } from '../../engine/types.js';
import { json, startServer, type LoggedRequest, type TestServer } from '../helpers/http-server.js';

const PAGES = 4;
let server: TestServer;
/** Per page number: what the server does instead of answering at once. */
let special: Record<number, (res: ServerResponse) => void> = {};
let closedEarly: number[] = [];

beforeAll(async () => {
  await loadComponents();
  server = await startServer({
    '/items': (req: LoggedRequest, res: ServerResponse) => {
      const page = Number(req.query.page ?? '1');
      res.on('close', () => {
        if (!res.writableFinished) closedEarly.push(page);
      });
      const handler = special[page];
      if (handler) return handler(res);
      const data = page > PAGES ? [] : [{ id: page * 10 + 1 }, { id: page * 10 + 2 }];
      json(res, 200, { data, next: page < PAGES ? page + 1 : null });
    },
  });
});
afterEach(() => {
  special = {};
  closedEarly = [];
  server.requests.length = 0;
});
afterAll(async () => server.close());

function retriever(): Retriever {
  const { root } = loadManifestText(
    `
type: SimpleRetriever
requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /items, error_handler: { type: DefaultErrorHandler, max_retries: 0 } }
record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
paginator:
  type: DefaultPaginator
  pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}", stop_condition: "{{ not response.next }}" }
  page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
`,
    'retriever.yaml',
  );
  return buildComponent<Retriever>(
    root as Obj,
    'retriever',
    { base_url: server.url },
    createServices({ logSink: () => undefined, backoffScale: 0 }),
    'SimpleRetriever',
  );
}

const args = (extra: Partial<Parameters<Retriever['readSlice']>[0]> = {}) => ({ stream: 'items', slice: makeSlice(), extra: [], ...extra });
const pagesRequested = (): string[] => server.requests.map((r) => r.query.page ?? '1');

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('SimpleRetriever read-ahead', () => {
  it('requests the next page while the consumer holds this one, and only one page ahead', async () => {
    const pages = retriever().readPages!(args())[Symbol.asyncIterator]();
    const first = await pages.next();
    expect(first.value).toEqual([{ id: 11 }, { id: 12 }]);
    // The consumer has not asked for more: page 2 is on its way anyway, page 3 is not.
    await until(() => server.requests.length >= 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(pagesRequested()).toEqual(['1', '2']);

    const rest: DataRecord[][] = [];
    for (let r = await pages.next(); !r.done; r = await pages.next()) rest.push(r.value);
    expect(rest).toEqual([2, 3, 4].map((p) => [{ id: p * 10 + 1 }, { id: p * 10 + 2 }]));
    // Every page exactly once, in order, and nothing after the last one.
    expect(pagesRequested()).toEqual(['1', '2', '3', '4']);
  });

  it('aborts the request ahead when the consumer stops', async () => {
    special[2] = () => undefined; // page 2 never answers on its own
    const pages = retriever().readPages!(args())[Symbol.asyncIterator]();
    expect((await pages.next()).value).toEqual([{ id: 11 }, { id: 12 }]);
    await until(() => server.requests.length >= 2);
    await pages.return!(undefined);
    await until(() => closedEarly.length > 0);
    expect(closedEarly).toEqual([2]);
  });

  it("aborts the request ahead when the read's own signal aborts", async () => {
    special[2] = () => undefined;
    const controller = new AbortController();
    const pages = retriever().readPages!(args({ signal: controller.signal }))[Symbol.asyncIterator]();
    await pages.next();
    await until(() => server.requests.length >= 2);
    controller.abort(new Error('sync cancelled'));
    await until(() => closedEarly.length > 0);
    expect(closedEarly).toEqual([2]);
    await expect(pages.next()).rejects.toThrow();
  });

  it('a failing page ahead fails the read only after the page before it was delivered', async () => {
    special[2] = (res) => json(res, 500, { error: 'boom' });
    const delivered: DataRecord[][] = [];
    let failure: unknown;
    try {
      for await (const page of retriever().readPages!(args())) delivered.push(page);
    } catch (e) {
      failure = e;
    }
    expect(delivered).toEqual([[{ id: 11 }, { id: 12 }]]);
    expect(String(failure)).toMatch(/500/);
    expect(pagesRequested()).toEqual(['1', '2']);
  });

  it('sends nothing ahead for a test read with a record limit, nor past the page limit', async () => {
    const pages = retriever().readPages!(args({ readAhead: false }))[Symbol.asyncIterator]();
    await pages.next();
    await new Promise((r) => setTimeout(r, 50));
    expect(pagesRequested()).toEqual(['1']);
    await pages.return!(undefined);

    server.requests.length = 0;
    const limited: DataRecord[][] = [];
    for await (const page of retriever().readPages!(args({ maxPages: 2 }))) limited.push(page);
    await new Promise((r) => setTimeout(r, 50));
    expect(limited).toHaveLength(2);
    expect(pagesRequested()).toEqual(['1', '2']);
  });
});
