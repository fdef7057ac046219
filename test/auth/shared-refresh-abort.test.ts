/**
 * One OAuth refresh serves every request waiting for a token. A request that is abandoned while
 * the refresh is in flight (a read-ahead page whose consumer stopped) must not cancel the refresh
 * for the others: they would fail, and with a rotating refresh token the grant the server already
 * issued would be lost.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { loadComponents } from '../../engine/components.js';
import type { Requester, Retriever } from '../../engine/contracts.js';
import { buildComponent, loadManifestText } from '../../engine/manifest/index.js';
import { createServices, type EngineServices } from '../../engine/services.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { json, startServer, type LoggedRequest, type TestServer } from '../helpers/http-server.js';

let server: TestServer;
let tokenCalls = 0;
let heldRefresh: ServerResponse | undefined;

beforeAll(async () => {
  await loadComponents();
  server = await startServer({
    'POST /token': (_req: LoggedRequest, res: ServerResponse) => {
      tokenCalls++;
      // The second refresh is held until the test lets it answer. expires_in 0: every request refreshes.
      if (tokenCalls === 2) heldRefresh = res;
      else json(res, 200, { access_token: `tok-${tokenCalls}`, expires_in: 0 });
    },
    '/items': (req: LoggedRequest, res: ServerResponse) => {
      const page = Number(req.query.page ?? '1');
      json(res, 200, { data: [{ id: page }], next: page < 3 ? page + 1 : null });
    },
    '/other': (_req: LoggedRequest, res: ServerResponse) => json(res, 200, { ok: true }),
  });
});
afterEach(() => {
  tokenCalls = 0;
  heldRefresh = undefined;
  server.requests.length = 0;
});
afterAll(async () => server.close());

const AUTH = `{ type: OAuthAuthenticator, token_refresh_endpoint: "{{ config.base_url }}/token", client_id: id, client_secret: secret, refresh_token: rt }`;

function build<T>(yaml: string, type: string, services: EngineServices): T {
  const { root } = loadManifestText(yaml, 'component.yaml');
  return buildComponent<T>(root as Obj, 'component', { base_url: server.url }, services, type);
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('a shared token refresh and an abandoned read-ahead request', () => {
  it('the refresh a read-ahead request started still serves the other requests waiting for it', async () => {
    const services = createServices({ logSink: () => undefined, backoffScale: 0 });
    const retriever = build<Retriever>(
      `
type: SimpleRetriever
requester: { type: HttpRequester, url_base: "{{ config.base_url }}", path: /items, authenticator: ${AUTH}, error_handler: { type: DefaultErrorHandler, max_retries: 0 } }
record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
paginator:
  type: DefaultPaginator
  pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}", stop_condition: "{{ not response.next }}" }
  page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
`,
      'SimpleRetriever',
      services,
    );
    const other = build<Requester>(
      `{ type: HttpRequester, url_base: "{{ config.base_url }}", path: /other, authenticator: ${AUTH}, error_handler: { type: DefaultErrorHandler, max_retries: 0 } }`,
      'HttpRequester',
      services,
    );

    const pages = retriever.readPages!({ stream: 'items', slice: makeSlice(), extra: [] })[Symbol.asyncIterator]();
    expect((await pages.next()).value).toEqual([{ id: 1 }]);
    // Page 2 is requested ahead; its token refresh is in flight.
    await until(() => heldRefresh !== undefined);
    const otherResponse = other.send({ stream: 'other', slice: makeSlice(), nextPageToken: undefined, extra: [] });
    // The consumer stops: page 2 is abandoned while the refresh it started is still running.
    await pages.return!(undefined);
    json(heldRefresh!, 200, { access_token: 'tok-2', expires_in: 0 });

    const response = await otherResponse;
    expect(response?.status).toBe(200);
    const sent = server.requests.filter((r) => r.path === '/other');
    expect(sent.map((r) => r.headers.authorization)).toEqual(['Bearer tok-2']);
    // One refresh served both: no second refresh for the waiting request.
    expect(tokenCalls).toBe(2);
  });
});
