/**
 * An msw server for a test file: listening for the file's tests, handlers reset after each test,
 * and any request no handler answered fails that test (msw alone only logs it, and a retrying
 * engine would turn it into a slow network error).
 */
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import { setupServer } from 'msw/node';

export function useMswServer(): ReturnType<typeof setupServer> {
  const server = setupServer();
  const unhandled: string[] = [];
  beforeAll(() => {
    server.listen({ onUnhandledRequest: 'error' });
    server.events.on('request:unhandled', ({ request }) => unhandled.push(request.url));
  });
  afterEach(() => {
    server.resetHandlers();
    expect(unhandled).toEqual([]);
  });
  afterAll(() => server.close());
  return server;
}
