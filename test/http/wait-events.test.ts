/**
 * Observers of HTTP exchanges (progress, --show-http) are told about waiting: the api_budget's
 * hold before a request, and the retry loop's wait before a retry.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Source, type HttpEvent } from '../../engine/index.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer;
let calls = 0;
beforeAll(async () => {
  server = await startServer({
    '/items': (req, res) => {
      calls++;
      if (calls === 2) return json(res, 503, { error: 'busy' });
      const page = Number(req.query.page ?? 1);
      json(res, 200, { data: page <= 2 ? [{ id: page }] : [] });
    },
  });
});
afterAll(async () => server.close());

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
api_budget:
  type: HTTPAPIBudget
  policies:
    - type: MovingWindowCallRatePolicy
      rates: [{ limit: 1, interval: PT0.2S }]
      matchers: []
streams:
  - type: DeclarativeStream
    name: items
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config.base_url }}"
        path: /items
        error_handler:
          type: DefaultErrorHandler
          backoff_strategies: [{ type: ConstantBackoffStrategy, backoff_time_in_seconds: 0.05 }]
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: PageIncrement, start_from_page: 1, inject_on_first_request: true }
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
spec:
  type: Spec
  connection_specification: { type: object, properties: { base_url: { type: string } } }
`;

describe('wait events', () => {
  it('reports the budget hold and the retry wait to HTTP observers', async () => {
    const events: HttpEvent[] = [];
    const source = await Source.fromText(MANIFEST, 'waits.yaml', { onHttp: (e) => events.push(e) });
    const ids: unknown[] = [];
    for await (const m of source.read({ base_url: server.url })) if (m.type === 'RECORD') ids.push(m.record.data.id);
    expect(ids).toEqual([1, 2]);
    const retryWaits = events.filter((e) => e.retryInMs !== undefined);
    expect(retryWaits).toHaveLength(1);
    expect(retryWaits[0]).toMatchObject({ stream: 'items', method: 'GET', retryInMs: 50 });
    const exchanges = events.filter((e) => e.retryInMs === undefined);
    expect(exchanges.map((e) => e.status)).toEqual([200, 503, 200, 200]);
    // One call per 200 ms: every request after the first was held by the budget.
    expect(exchanges.slice(1).every((e) => (e.rateLimitWaitMs ?? 0) > 0)).toBe(true);
    expect(exchanges[0]!.rateLimitWaitMs).toBeUndefined();
  });
});
