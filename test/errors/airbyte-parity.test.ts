/**
 * Error handling details where Airbyte's behaviour is easy to miss: the default status mapping
 * (airbyte_cdk/sources/streams/http/error_handlers/default_error_mapping.py) and
 * error_message_contains, which Airbyte matches against the parsed error message
 * (JsonErrorMessageParser), not the raw body.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import type { Requester } from '../../engine/contracts.js';
import { ManifoldError } from '../../engine/errors/manifold-error.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { build, makeServices } from '../http/support.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function sequence(...responses: Array<() => Response>): { count: number } {
  const state = { count: 0 };
  server.use(
    http.all('http://api.test/*', () => {
      const r = responses[Math.min(state.count, responses.length - 1)]!;
      state.count++;
      return r();
    }),
  );
  return state;
}

function requester(errorHandler?: Obj): Requester {
  const node: Obj = { type: 'HttpRequester', url_base: 'http://api.test', path: 'items' };
  if (errorHandler) node.error_handler = errorHandler;
  return build<Requester>(node, {}, makeServices());
}

const send = (r: Requester) => r.send({ stream: 'items', slice: makeSlice(), nextPageToken: undefined, extra: [] });

const containsFilter = (text: string): Obj => ({
  type: 'DefaultErrorHandler',
  response_filters: [{ type: 'HttpResponseFilter', action: 'IGNORE', error_message_contains: text }],
});

describe('default status mapping', () => {
  it('fails 405 at once as a system error (Airbyte maps it to FAIL, it is not retried)', async () => {
    const calls = sequence(
      () => new HttpResponse('no', { status: 405 }),
      () => HttpResponse.json({ ok: 1 }),
    );
    const error = await send(requester()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ManifoldError);
    expect((error as ManifoldError).failureType).toBe('system_error');
    expect((error as ManifoldError).message).toMatch(/Method not allowed/);
    expect(calls.count).toBe(1);
  });
});

describe('HttpResponseFilter.error_message_contains', () => {
  it('matches the error message field of a JSON body even when the raw text escapes it', async () => {
    // `\/` is how many APIs serialise "/" in JSON; Airbyte compares with the decoded message.
    sequence(
      () =>
        new HttpResponse('{"code":429,"message":"upgrade at https:\\/\\/example.com\\/pricing"}', {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    expect(await send(requester(containsFilter('https://example.com/pricing')))).toBeUndefined();
  });

  it('does not match text that is only in record data, outside the error fields', async () => {
    sequence(() => HttpResponse.json({ data: [{ id: 1, note: 'item not found in stock' }] }));
    const response = await send(requester(containsFilter('not found')));
    expect(response?.json()).toEqual({ data: [{ id: 1, note: 'item not found in stock' }] });
  });

  it('reads nested and listed errors, and a non-JSON body as a whole', async () => {
    sequence(() => HttpResponse.json({ errors: [{ detail: 'quota exceeded' }, { msg: 'other' }] }, { status: 400 }));
    expect(await send(requester(containsFilter('quota exceeded')))).toBeUndefined();
    sequence(() => new HttpResponse('Service quota exceeded', { status: 400 }));
    expect(await send(requester(containsFilter('quota exceeded')))).toBeUndefined();
  });
});

/** http_response_filter.py: `if self.failure_type and filter_action == ResponseAction.FAIL`. */
describe('HttpResponseFilter.failure_type', () => {
  const failing = async (r: Requester): Promise<ManifoldError> =>
    (await send(r).then(
      () => undefined,
      (e: unknown) => e,
    )) as ManifoldError;
  const handler = (filter: Obj): Obj => ({ type: 'DefaultErrorHandler', max_retries: 1, response_filters: [{ type: 'HttpResponseFilter', ...filter }] });

  it('types a FAIL', async () => {
    sequence(() => new HttpResponse('no', { status: 500 }));
    const error = await failing(requester(handler({ action: 'FAIL', http_codes: [500], failure_type: 'config_error' })));
    expect(error.failureType).toBe('config_error');
  });

  it('is ignored on RETRY: a 500 that runs out of attempts stays transient', async () => {
    const calls = sequence(() => new HttpResponse('no', { status: 500 }));
    const error = await failing(requester(handler({ action: 'RETRY', http_codes: [500], failure_type: 'config_error' })));
    expect(calls.count).toBe(2);
    expect(error.failureType).toBe('transient_error');
  });

  it('is ignored on RATE_LIMITED too', async () => {
    sequence(() => new HttpResponse('slow down', { status: 429 }));
    const error = await failing(requester(handler({ action: 'RATE_LIMITED', http_codes: [429], failure_type: 'config_error' })));
    expect(error.failureType).toBe('transient_error');
  });

  it('without failure_type a FAIL takes the default mapping for the status, else system_error', async () => {
    sequence(() => new HttpResponse('no', { status: 403 }));
    expect((await failing(requester(handler({ action: 'FAIL', http_codes: [403] })))).failureType).toBe('config_error');
    sequence(() => new HttpResponse('teapot', { status: 599 }));
    expect((await failing(requester(handler({ action: 'FAIL', http_codes: [599] })))).failureType).toBe('system_error');
  });
});
