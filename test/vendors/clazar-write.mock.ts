/**
 * In-process Clazar write API (msw), the endpoints the destination's templates call: create/update
 * listings and opportunities, create/update/publish/delete private offers. Like the real API it
 * exchanges client credentials (form body) for a token, wants the Bearer token on every call,
 * takes one JSON object per create/update, answers 404 for unknown IDs and 429 past 120
 * requests/minute. `inject` lets a test answer a request itself (faults, manual-mode endpoints).
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { RequestLog, WindowCounter, type LoggedRequest } from './mock-kit.js';

export const CLAZAR = 'https://api.clazar.io';
type Row = Record<string, unknown>;

export interface ClazarWriteMockOptions {
  clientId?: string;
  clientSecret?: string;
  perMinute?: number;
}

const ENTITIES = { listings: 'lst', opportunities: 'opp', private_offers: 'po' } as const;
type Entity = keyof typeof ENTITIES;

export function createClazarWriteApi(options: ClazarWriteMockOptions = {}) {
  const clientId = options.clientId ?? 'clz-client';
  const clientSecret = options.clientSecret ?? 'clz-secret-value';
  const log = new RequestLog();
  const window = new WindowCounter(60_000);
  const tokens = new Set<string>();
  const objects: Record<Entity, Map<string, Row>> = {
    listings: new Map([
      ['lst_01H8', { id: 'lst_01H8', title: 'Acme' }],
      ['lst_02K4', { id: 'lst_02K4', title: 'Acme Team' }],
    ]),
    opportunities: new Map([['opp_1', { id: 'opp_1', name: 'Deal' }]]),
    private_offers: new Map([
      ['po_77', { id: 'po_77', status: 'draft' }],
      ['po_78', { id: 'po_78', status: 'draft' }],
    ]),
  };
  let created = 0;
  let injected: ((entry: LoggedRequest) => Response | undefined) | undefined;

  const detail = (status: number, text: string) => HttpResponse.json({ detail: text }, { status });

  /** Common gate of every API call: log, injected answer, Bearer token, rate limit. */
  async function gate(request: Request): Promise<{ entry: LoggedRequest; early?: Response }> {
    const entry = await log.record(request);
    const forced = injected?.(entry);
    if (forced) return { entry, early: forced };
    const h = request.headers.get('authorization') ?? '';
    if (!h.startsWith('Bearer ') || !tokens.has(h.slice(7)))
      return { entry, early: detail(401, 'Authentication credentials were not provided or are invalid.') };
    if (window.hit('api', options.perMinute ?? 120)) {
      return { entry, early: HttpResponse.json({ detail: 'Request was throttled.' }, { status: 429, headers: { 'retry-after': '60' } }) };
    }
    return { entry };
  }

  function objectBody(entry: LoggedRequest): Row | Response {
    if (!(entry.headers['content-type'] ?? '').startsWith('application/json')) return detail(415, 'Unsupported media type.');
    let body: unknown;
    try {
      body = JSON.parse(entry.body);
    } catch {
      return detail(400, 'JSON parse error.');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return HttpResponse.json({ non_field_errors: ['Expected a dictionary of items.'] }, { status: 400 });
    return body as Row;
  }

  const entity = (name: unknown): Entity | undefined => (String(name) in ENTITIES ? (String(name) as Entity) : undefined);

  const handlers: RequestHandler[] = [
    http.post(`${CLAZAR}/authenticate/`, async ({ request }) => {
      await log.record(request);
      const form = new URLSearchParams(await request.text());
      if (form.get('grant_type') !== 'client_credentials') return HttpResponse.json({ error: 'unsupported_grant_type' }, { status: 400 });
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret)
        return HttpResponse.json({ error: 'invalid_client' }, { status: 401 });
      const token = `clz_write_token_${tokens.size + 1}`;
      tokens.add(token);
      return HttpResponse.json({ access_token: token, token_type: 'Bearer', expires_in: 3600 });
    }),

    http.post(`${CLAZAR}/private_offers/:id/publish`, async ({ request, params }) => {
      const { entry, early } = await gate(request);
      if (early) return early;
      const offer = objects.private_offers.get(String(params['id']));
      if (!offer) return detail(404, 'Not found.');
      if (entry.body) {
        const body = objectBody(entry);
        if (body instanceof Response) return body;
      }
      offer.status = 'published';
      return HttpResponse.json(offer);
    }),

    http.post(`${CLAZAR}/:entity`, async ({ request, params }) => {
      const { entry, early } = await gate(request);
      if (early) return early;
      const kind = entity(params['entity']);
      if (!kind) return detail(404, 'Not found.');
      const body = objectBody(entry);
      if (body instanceof Response) return body;
      const id = `${ENTITIES[kind]}_new_${++created}`;
      const row = { ...body, id };
      objects[kind].set(id, row);
      return HttpResponse.json(row, { status: 201 });
    }),

    http.put(`${CLAZAR}/:entity/:id`, async ({ request, params }) => {
      const { entry, early } = await gate(request);
      if (early) return early;
      const kind = entity(params['entity']);
      const row = kind ? objects[kind].get(String(params['id'])) : undefined;
      if (!kind || !row) return detail(404, 'Not found.');
      const body = objectBody(entry);
      if (body instanceof Response) return body;
      Object.assign(row, body, { id: row.id });
      return HttpResponse.json(row);
    }),

    http.delete(`${CLAZAR}/private_offers/:id`, async ({ request, params }) => {
      const { early } = await gate(request);
      if (early) return early;
      if (!objects.private_offers.delete(String(params['id']))) return detail(404, 'Not found.');
      return new HttpResponse(null, { status: 204 });
    }),

    http.all(`${CLAZAR}/*`, async ({ request }) => {
      const { early } = await gate(request);
      return early ?? detail(404, 'Not found.');
    }),
  ];

  return {
    handlers,
    log,
    objects,
    /** Answer requests with `fn` first (return undefined to let the mock answer). */
    inject(fn: typeof injected) {
      injected = fn;
    },
    /** API calls (not the token exchange), in order. */
    calls: () => log.entries.filter((e) => e.url.pathname !== '/authenticate/'),
    tokenRequests: () => log.to('/authenticate/'),
    credentials: { client_id: clientId, client_secret: clientSecret },
  };
}
