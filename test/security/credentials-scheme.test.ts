/**
 * Origins over https (msw): a next-page link that only downgrades the API's own host to http://
 * is followed over https with credentials (never in clear text); one on another host, or on http
 * with an explicit port, is another origin and gets no credentials.
 */
import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { Source } from '../../engine/index.js';
import type { Obj } from '../../engine/types.js';
import { useMswServer } from '../helpers/msw.js';

const API_KEY = 'ak-SECRET-https-only-42';
const server = useMswServer();

const MANIFEST = `
version: 6.7.0
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
        url_base: https://api.test
        path: /items
        authenticator: { type: ApiKeyAuthenticator, api_token: "{{ config.api_key }}", inject_into: { type: RequestOption, inject_into: header, field_name: X-Api-Key } }
        error_handler: { type: DefaultErrorHandler, max_retries: 0 }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}", stop_condition: "{{ not response.next }}" }
        page_token_option: { type: RequestPath }
spec:
  type: Spec
  connection_specification: { type: object, properties: { api_key: { type: string, airbyte_secret: true } } }
`;

async function readWith(next: string): Promise<{ seen: Array<{ url: string; key: string | null }>; records: Obj[] }> {
  const seen: Array<{ url: string; key: string | null }> = [];
  const page =
    (data: Obj[], nextUrl?: string) =>
    ({ request }: { request: Request }) => {
      seen.push({ url: request.url, key: request.headers.get('x-api-key') });
      return HttpResponse.json({ data, ...(nextUrl ? { next: nextUrl } : {}) });
    };
  server.use(
    http.get('https://api.test/items', page([{ id: 1 }], next)),
    http.get('https://api.test/page2', page([{ id: 2 }])),
    http.get('http://api.test/page2', page([{ id: 2 }])),
    http.get('http://api.test:8080/page2', page([{ id: 2 }])),
    http.get('https://other.test/page2', page([{ id: 2 }])),
  );
  const source = await Source.fromText(MANIFEST, 'scheme.yaml', { backoffScale: 0.0001, logLevel: 'ERROR' });
  const records: Obj[] = [];
  for await (const m of source.read({ api_key: API_KEY })) if (m.type === 'RECORD') records.push(m.record.data as Obj);
  return { seen, records };
}

describe('next-page links and the https origin', () => {
  it('http:// on the API host is followed as https://, with credentials', async () => {
    const { seen, records } = await readWith('http://api.test/page2?cursor=b');
    expect(seen).toEqual([
      { url: 'https://api.test/items', key: API_KEY },
      { url: 'https://api.test/page2?cursor=b', key: API_KEY },
    ]);
    expect(records.map((r) => r.id)).toEqual([1, 2]);
  });

  it('http:// with an explicit port is another origin: no credentials', async () => {
    const { seen } = await readWith('http://api.test:8080/page2');
    expect(seen[1]).toEqual({ url: 'http://api.test:8080/page2', key: null });
  });

  it('https:// on another host: no credentials', async () => {
    const { seen } = await readWith('https://other.test/page2');
    expect(seen[1]).toEqual({ url: 'https://other.test/page2', key: null });
  });

  it('https://API.TEST:443 is the same origin as https://api.test', async () => {
    const { seen } = await readWith('https://API.TEST:443/page2');
    expect(seen[1]).toEqual({ url: 'https://api.test/page2', key: API_KEY });
  });
});
