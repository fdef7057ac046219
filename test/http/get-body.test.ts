/** A body on GET (Close.com's search API needs it): checked on a real loopback server, since msw drops GET bodies. */
import { describe, it, expect, afterAll, beforeAll } from '@jest/globals';
import type { Requester } from '../../engine/contracts.js';
import { makeSlice } from '../../engine/types.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';
import { build } from './support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ 'GET /search': (_req, res) => json(res, 200, { data: [] }) });
});
afterAll(() => server.close());

describe('HttpRequester GET with a body', () => {
  it('sends the JSON body on GET', async () => {
    const requester = build<Requester>({ type: 'HttpRequester', url_base: server.url, path: 'search', request_body_json: { query: { size: 10 } } });
    const response = await requester.send({ stream: 's', slice: makeSlice(), nextPageToken: undefined, extra: [{ bodyJson: { cursor: 'c1' } }] });
    expect(response?.json()).toEqual({ data: [] });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.method).toBe('GET');
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ query: { size: 10 }, cursor: 'c1' });
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
  });
});
