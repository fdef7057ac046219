/**
 * Loaded with `node --import tsx --import ./scripts/vendor-mocks-preload.ts cli/main.ts ...`:
 * answers the vendor's real API hosts (https://api.clazar.io, ...) in-process with the same msw
 * mocks the tests use, so a CLI run records exchanges under the real URLs — which is what a
 * replay of the unmodified manifest later looks up. Vendor from MANIFOLD_MOCK_VENDOR.
 */
import { setupServer } from 'msw/node';
import type { RequestHandler } from 'msw';

const vendor = process.env.MANIFOLD_MOCK_VENDOR;
const factories: Record<string, () => Promise<{ handlers: RequestHandler[] }>> = {
  clazar: async () => (await import('../test/vendors/clazar.mock.js')).createClazarApi(),
  chartmogul: async () => (await import('../test/vendors/chartmogul.mock.js')).createChartmogulApi(),
  clevertap: async () => (await import('../test/vendors/clevertap.mock.js')).createClevertapApi(),
  'close-com': async () => (await import('../test/vendors/close-com.mock.js')).createCloseApi(),
};

const factory = vendor ? factories[vendor] : undefined;
if (!factory) {
  process.stderr.write(`vendor-mocks-preload: set MANIFOLD_MOCK_VENDOR to one of ${Object.keys(factories).join(', ')}\n`);
  process.exit(2);
}
const api = await factory();
setupServer(...api.handlers).listen({ onUnhandledRequest: 'error' });
