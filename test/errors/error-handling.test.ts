import { describe, it, expect } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import type { Requester } from '../../engine/contracts.js';
import { ManifoldError } from '../../engine/errors/manifold-error.js';
import type { BackoffStrategy, Outcome } from '../../engine/errors/error-handler.js';
import { toHttpResponse } from '../../engine/http/client.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { build, makeServices, type TestServices } from '../http/support.js';
import { useMswServer } from '../helpers/msw.js';

const server = useMswServer();

/** Serves the given responses in order (the last one repeats) and counts requests. */
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

function requester(errorHandler?: Obj, services: TestServices = makeServices(), config: Obj = {}): Requester {
  const node: Obj = { type: 'HttpRequester', url_base: 'http://api.test', path: 'items' };
  if (errorHandler) node.error_handler = errorHandler;
  return build<Requester>(node, config, services);
}

const send = (r: Requester) => r.send({ stream: 'items', slice: makeSlice(), nextPageToken: undefined, extra: [] });

async function failure(p: Promise<unknown>): Promise<ManifoldError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ManifoldError);
    return e as ManifoldError;
  }
  throw new Error('expected a failure');
}

describe('DefaultErrorHandler (defaults)', () => {
  it('retries 5xx and returns the eventual success', async () => {
    const calls = sequence(
      () => new HttpResponse('oops', { status: 500 }),
      () => new HttpResponse('bad gateway', { status: 502 }),
      () => HttpResponse.json({ ok: 1 }),
    );
    const response = await send(requester());
    expect(response?.json()).toEqual({ ok: 1 });
    expect(calls.count).toBe(3);
  });

  it('honours Retry-After in seconds and as an HTTP date on 429', async () => {
    const services = makeServices();
    const calls = sequence(
      () => new HttpResponse('slow down', { status: 429, headers: { 'Retry-After': '7' } }),
      // HTTP dates have whole seconds: 10.5 s ahead is 9.5-10.5 s ahead once truncated.
      () => new HttpResponse('slow down', { status: 429, headers: { 'Retry-After': new Date(Date.now() + 10_500).toUTCString() } }),
      () => HttpResponse.json({ ok: 1 }),
    );
    await send(requester(undefined, services));
    expect(calls.count).toBe(3);
    const waits = services.logs
      .map((l) => /retrying in ([\d.]+)s/.exec(l.message)?.[1])
      .filter(Boolean)
      .map(Number);
    // backoffScale 0.001: 7 s → 0.007; the date 9.5-10.5 s away → 0.010 (0.009 on a machine slow
    // enough to take half a second between answer and log line).
    expect(waits[0]).toBeCloseTo(0.007, 4);
    expect(waits[1]).toBeGreaterThanOrEqual(0.009);
    expect(waits[1]).toBeLessThanOrEqual(0.011);
  });

  it('bounds retries by max_retries and reports exhausted 5xx as transient', async () => {
    const calls = sequence(() => new HttpResponse('{"error":"down"}', { status: 503 }));
    const error = await failure(send(requester({ type: 'DefaultErrorHandler', max_retries: 2 })));
    expect(calls.count).toBe(3);
    expect(error.failureType).toBe('transient_error');
    expect(error.message).toMatch(/GET http:\/\/api\.test\/items returned HTTP 503/);
    expect(error.message).toMatch(/gave up after 3 attempts/);
    expect(error.message).toContain('{"error":"down"}');
  });

  it('fails 401 at once as a config error with an actionable, masked message', async () => {
    const services = makeServices();
    services.secrets.add('tok-abcdef');
    const calls = sequence(() => HttpResponse.json({ message: 'bad token tok-abcdef' }, { status: 401 }));
    const r = build<Requester>(
      { type: 'HttpRequester', url_base: 'http://api.test', path: 'items', authenticator: { type: 'BearerAuthenticator', api_token: '{{ config.token }}' } },
      { token: 'tok-abcdef' },
      services,
    );
    const error = await failure(send(r));
    expect(calls.count).toBe(1);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toMatch(/check your credentials/);
    expect(error.message).not.toContain('tok-abcdef');
    expect(error.message).toContain('bad token ****');
  });

  it('fails 404 as a system error without retrying', async () => {
    const calls = sequence(() => new HttpResponse('nope', { status: 404 }));
    const error = await failure(send(requester()));
    expect(calls.count).toBe(1);
    expect(error.failureType).toBe('system_error');
    expect(error.message).toMatch(/404/);
  });

  it('retries network errors', async () => {
    const calls = sequence(
      () => HttpResponse.error(),
      () => HttpResponse.json({ ok: 2 }),
    );
    const response = await send(requester());
    expect(response?.json()).toEqual({ ok: 2 });
    expect(calls.count).toBe(2);
  });

  it('truncates long bodies in error messages to 500 characters', async () => {
    sequence(() => new HttpResponse('x'.repeat(5000), { status: 400 }));
    const error = await failure(send(requester()));
    expect(error.message).toMatch(/x{500}…$/);
    expect(error.message).not.toMatch(/x{501}/);
  });
});

describe('HttpResponseFilter and CompositeErrorHandler', () => {
  it('IGNORE makes the requester return undefined', async () => {
    sequence(() => new HttpResponse('gone', { status: 404 }));
    const r = requester({ type: 'DefaultErrorHandler', response_filters: [{ type: 'HttpResponseFilter', action: 'IGNORE', http_codes: [404] }] });
    expect(await send(r)).toBeUndefined();
  });

  it('a filter without action matches nothing (as in the CDK): the default handling applies, with one WARN', async () => {
    sequence(
      () => HttpResponse.json({ message: 'busy, try later' }),
      () => HttpResponse.json({ ok: true }),
    );
    const services = makeServices();
    const filter = { type: 'HttpResponseFilter', error_message_contains: 'try later', error_message: 'never shown' };
    const r = requester({ type: 'DefaultErrorHandler', response_filters: [filter] }, services);
    // A 200 the filter would have claimed is a success; a 404 keeps Airbyte's default (fail, system error).
    expect((await send(r))?.status).toBe(200);
    sequence(() => new HttpResponse('gone', { status: 404 }));
    const r404 = requester({
      type: 'DefaultErrorHandler',
      response_filters: [{ type: 'HttpResponseFilter', http_codes: [404], error_message: 'never shown' }],
    });
    const error = await failure(send(r404));
    expect(error.message).not.toContain('never shown');
    expect(error.failureType).toBe('system_error');
    expect(services.logs.filter((l) => l.level === 'WARN').map((l) => l.message)).toEqual([
      expect.stringMatching(/response_filters.0: HttpResponseFilter has no action/),
    ]);
  });

  it('FAIL with an interpolated error_message and failure_type', async () => {
    sequence(() => HttpResponse.json({ message: 'plan expired' }, { status: 402 }));
    const r = requester({
      type: 'DefaultErrorHandler',
      response_filters: [
        {
          type: 'HttpResponseFilter',
          action: 'FAIL',
          http_codes: [402],
          failure_type: 'config_error',
          error_message: 'Billing problem: {{ response.message }}',
        },
      ],
    });
    const error = await failure(send(r));
    expect(error.failureType).toBe('config_error');
    expect(error.message).toContain('Billing problem: plan expired');
  });

  it('RETRY on error_message_contains for a 200 response', async () => {
    const calls = sequence(
      () => HttpResponse.json({ message: 'busy, try later' }),
      () => HttpResponse.json({ status: 'ok' }),
    );
    const r = requester({
      type: 'DefaultErrorHandler',
      response_filters: [{ type: 'HttpResponseFilter', action: 'RETRY', error_message_contains: 'try later' }],
    });
    expect((await send(r))?.json()).toEqual({ status: 'ok' });
    expect(calls.count).toBe(2);
  });

  it('Composite: a FAIL from the first handler lets the next one decide', async () => {
    sequence(() => new HttpResponse('gone', { status: 404 }));
    const r = requester({
      type: 'CompositeErrorHandler',
      error_handlers: [
        { type: 'DefaultErrorHandler', response_filters: [{ type: 'HttpResponseFilter', action: 'RETRY', http_codes: [418] }] },
        { type: 'DefaultErrorHandler', response_filters: [{ type: 'HttpResponseFilter', action: 'IGNORE', http_codes: [404] }] },
      ],
    });
    expect(await send(r)).toBeUndefined();
  });

  it('RATE_LIMITED filter with ConstantBackoffStrategy', async () => {
    const services = makeServices();
    const calls = sequence(
      () => HttpResponse.json({ error: 'quota' }, { status: 400 }),
      () => HttpResponse.json({ ok: 3 }),
    );
    const r = requester(
      {
        type: 'DefaultErrorHandler',
        backoff_strategies: [{ type: 'ConstantBackoffStrategy', backoff_time_in_seconds: '{{ config.wait }}' }],
        response_filters: [{ type: 'HttpResponseFilter', action: 'RATE_LIMITED', error_message_contains: 'quota' }],
      },
      services,
      { wait: 30 },
    );
    expect((await send(r))?.json()).toEqual({ ok: 3 });
    expect(calls.count).toBe(2);
    expect(services.logs.some((l) => /retrying in 0\.030s/.test(l.message))).toBe(true);
  });

  it('WaitTimeFromHeader beyond max_waiting_time_in_seconds gives up with a clear message', async () => {
    const calls = sequence(() => new HttpResponse('', { status: 429, headers: { 'X-Wait': 'wait=900' } }));
    const r = requester({
      type: 'DefaultErrorHandler',
      backoff_strategies: [{ type: 'WaitTimeFromHeader', header: 'X-Wait', regex: '[0-9]+', max_waiting_time_in_seconds: 600 }],
    });
    const error = await failure(send(r));
    expect(calls.count).toBe(1);
    expect(error.message).toMatch(/wait 900s .*max_waiting_time_in_seconds \(600s\)/);
  });
});

describe('backoff strategies', () => {
  const outcome = (headers: Record<string, string>): Outcome => ({
    response: toHttpResponse('GET', { url: 'http://x', status: 429, headers, body: Buffer.from('') }),
  });

  it('ExponentialBackoffStrategy: factor × 2^attempt', () => {
    const s = build<BackoffStrategy>({ type: 'ExponentialBackoffStrategy', factor: 2 });
    expect([1, 2, 3].map((a) => s.backoffSeconds(outcome({}), a))).toEqual([4, 8, 16]);
    const d = build<BackoffStrategy>({ type: 'ExponentialBackoffStrategy' });
    expect(d.backoffSeconds(outcome({}), 1)).toBe(10);
  });

  it('WaitTimeFromHeader reads the number (regex optional), none when the header is missing', () => {
    const s = build<BackoffStrategy>({ type: 'WaitTimeFromHeader', header: 'Retry-After' });
    expect(s.backoffSeconds(outcome({ 'retry-after': '12.5' }), 1)).toBe(12.5);
    expect(s.backoffSeconds(outcome({}), 1)).toBeUndefined();
  });

  it('WaitUntilTimeFromHeader waits until the epoch given, at least min_wait', () => {
    const s = build<BackoffStrategy>({ type: 'WaitUntilTimeFromHeader', header: 'X-Reset', min_wait: 5 });
    const now = Date.now() / 1000;
    expect(s.backoffSeconds(outcome({ 'x-reset': String(now + 100) }), 1)).toBeGreaterThan(98);
    expect(s.backoffSeconds(outcome({ 'x-reset': String(now - 100) }), 1)).toBe(5);
  });
});
