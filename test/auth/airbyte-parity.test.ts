/** OAuthAuthenticator details where Airbyte's behaviour is easy to miss. */
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import type { Requester } from '../../engine/contracts.js';
import { makeSlice } from '../../engine/types.js';
import { build, makeServices } from '../http/support.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('OAuthAuthenticator.refresh_request_body', () => {
  it('adds its fields but never overrides the OAuth fields themselves (Airbyte defers to them)', async () => {
    const forms: URLSearchParams[] = [];
    server.use(
      http.post('http://auth.test/token', async ({ request }) => {
        forms.push(new URLSearchParams(await request.text()));
        return HttpResponse.json({ access_token: 'atok-1', expires_in: 3600 });
      }),
      http.get('http://api.test/items', () => HttpResponse.json({ ok: true })),
    );
    const requester = build<Requester>(
      {
        type: 'HttpRequester',
        url_base: 'http://api.test',
        path: 'items',
        authenticator: {
          type: 'OAuthAuthenticator',
          token_refresh_endpoint: 'http://auth.test/token',
          client_id: '{{ config.client_id }}',
          client_secret: '{{ config.client_secret }}',
          refresh_token: '{{ config.refresh_token }}',
          refresh_request_body: { refresh_token: 'stale-token', client_id: 'other', redirect_uri: 'https://app.test/cb' },
        },
      },
      { client_id: 'cid', client_secret: 'csecret-1', refresh_token: 'rtok-1' },
      makeServices(),
    );
    await requester.send({ stream: 's', slice: makeSlice(), nextPageToken: undefined, extra: [] });
    expect(Object.fromEntries(forms[0]!)).toEqual({
      grant_type: 'refresh_token',
      client_id: 'cid',
      client_secret: 'csecret-1',
      refresh_token: 'rtok-1',
      redirect_uri: 'https://app.test/cb',
    });
  });
});
