/**
 * Benchmark API: generated pages of ~12-field records behind cursor pagination, on 127.0.0.1 with
 * a random port. Optional per-request latency and a rate limit (N requests per sliding window,
 * 429 + Retry-After beyond it) so budget behaviour can be measured.
 *
 *   GET /streams/<name>/records?cursor=<offset>&limit=<n>[&updated_since=<ISO>]
 *   → { "data": [ ...records ], "next_cursor": "<offset>" | null }
 *
 * The total number of records per stream is fixed when the server starts (`recordsPerStream`).
 */
import { createServer } from 'node:http';

const STATUSES = ['active', 'pending', 'archived', 'deleted'];
const COUNTRIES = ['US', 'FR', 'DE', 'JP', 'BR', 'IN'];
const BASE_TIME = Date.UTC(2024, 0, 1);

/** One record as JSON text; built by string concatenation so the server stays cheap. */
function recordJson(stream, i) {
  const updated = new Date(BASE_TIME + i * 1000).toISOString();
  return (
    `{"id":${i},"stream":"${stream}","name":"customer ${i}","email":"user${i}@example.com",` +
    `"status":"${STATUSES[i % 4]}","country":"${COUNTRIES[i % 6]}","amount":${(i % 9973) / 100},` +
    `"quantity":${i % 17},"active":${i % 5 !== 0},"tags":["t${i % 3}","t${i % 7}"],` +
    `"updated_at":"${updated}","meta":{"source":"bench","version":${i % 4}}}`
  );
}

/**
 * Issue 20's 10-field record: flat scalars only (the shape where the engine's peak RSS differed
 * most from the 12-field default one).
 */
function tenFieldJson(_stream, i) {
  const created = new Date(BASE_TIME + i * 500).toISOString();
  const updated = new Date(BASE_TIME + i * 1000).toISOString();
  return (
    `{"id":${i},"name":"customer ${i}","email":"user${i}@example.com","status":"${STATUSES[i % 4]}",` +
    `"country":"${COUNTRIES[i % 6]}","amount":${(i % 9973) / 100},"quantity":${i % 17},"active":${i % 5 !== 0},` +
    `"created_at":"${created}","updated_at":"${updated}"}`
  );
}

const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ' +
  'Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. ' +
  'Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. ';

/**
 * A wide record (~1.3 KB): 24 scalar fields, a long string (150-450 chars), a nested object and
 * nested arrays (line items with their own tag arrays, a matrix of numbers).
 */
function wideJson(stream, i) {
  const updated = new Date(BASE_TIME + i * 1000).toISOString();
  const scalars = [];
  for (let f = 0; f < 20; f++) scalars.push(`"attr_${f}":"v${(i * (f + 3)) % 1000}-${f}"`);
  const items = [];
  for (let k = 0; k < 3; k++)
    items.push(`{"sku":"SKU-${(i + k) % 5000}","qty":${(i + k) % 7},"price":${((i * 7 + k) % 10000) / 100},"tags":["a${k}","b${i % 11}"]}`);
  const description = LOREM.slice(0, 150 + (i % 300));
  return (
    `{"id":${i},"stream":"${stream}","name":"customer ${i}","email":"user${i}@example.com",` +
    `${scalars.join(',')},"description":${JSON.stringify(description)},` +
    `"address":{"street":"${i % 999} Main Street","city":"City ${i % 97}","zip":"${10000 + (i % 89999)}","geo":[${(i % 180) - 90}.5,${(i % 360) - 180}.25]},` +
    `"line_items":[${items.join(',')}],"matrix":[[${i % 3},${i % 5}],[${i % 7},${i % 11}]],` +
    `"active":${i % 5 !== 0},"amount":${(i % 9973) / 100},"updated_at":"${updated}"}`
  );
}

const SHAPES = { default: recordJson, ten: tenFieldJson, wide: wideJson };

export async function startServer(options = {}) {
  const shape = SHAPES[options.shape ?? 'default'];
  if (!shape) throw new Error(`unknown record shape ${options.shape}`);
  const recordsPerStream = options.recordsPerStream ?? 1_000_000;
  const defaultPageSize = options.pageSize ?? 1000;
  const latencyMs = options.latencyMs ?? 0;
  const rateLimit = options.rateLimit; // { limit, windowMs }
  const stats = { requests: 0, served: 0, rejected: 0, acceptedAt: [] };
  // N-parents scenario: /parents lists `parents` ids in pages; /parents/:id/children has one record each.
  const parents = options.parents ?? 0;
  const parentRoutes = (url, res) => {
    let body;
    if (url.pathname === '/parents') {
      const offset = Number(url.searchParams.get('cursor') ?? 0);
      const end = Math.min(parents, offset + defaultPageSize);
      const ids = [];
      for (let i = offset; i < end; i++) ids.push(`{"id":${i}}`);
      body = `{"data":[${ids.join(',')}],"next_cursor":${end < parents ? `"${end}"` : 'null'}}`;
    } else {
      const child = /^\/parents\/(\d+)\/children$/.exec(url.pathname);
      if (!child) return false;
      body = `{"data":[{"id":"c${child[1]}","parent":${child[1]},"updated_at":"2024-01-02T00:00:00Z","name":"child ${child[1]}"}]}`;
    }
    stats.served++;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return true;
  };

  const server = createServer((req, res) => {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (parentRoutes(url, res)) return;
    const match = /^\/streams\/([\w-]+)\/records$/.exec(url.pathname);
    if (!match) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}');
      return;
    }
    if (rateLimit) {
      const now = Date.now();
      const windowStart = now - rateLimit.windowMs;
      const recent = stats.acceptedAt.filter((t) => t > windowStart);
      if (recent.length >= rateLimit.limit) {
        stats.rejected++;
        const retryAfter = Math.max(1, Math.ceil((recent[0] + rateLimit.windowMs - now) / 1000));
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter), 'ratelimit-remaining': '0' });
        res.end('{"error":"rate limit exceeded"}');
        return;
      }
      stats.acceptedAt.push(now);
    }
    const stream = match[1];
    // updated_since=ISO (incremental reads): records are 1 s apart from BASE_TIME, so it maps to an offset.
    const since = url.searchParams.get('updated_since');
    const first = since === null ? 0 : Math.max(0, Math.ceil((Date.parse(since) - BASE_TIME) / 1000));
    const offset = Math.max(first, Number(url.searchParams.get('cursor') ?? 0));
    const limit = Number(url.searchParams.get('limit') ?? defaultPageSize);
    const end = Math.min(recordsPerStream, offset + limit);
    const parts = [];
    for (let i = offset; i < end; i++) parts.push(shape(stream, i));
    const next = end < recordsPerStream ? `"${end}"` : 'null';
    const body = `{"data":[${parts.join(',')}],"next_cursor":${next}}`;
    const send = () => {
      stats.served++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (latencyMs > 0) setTimeout(send, latencyMs);
    else send();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Most accepted requests in any sliding window of `windowMs` (to compare with the allowed limit). */
export function peakPerWindow(times, windowMs) {
  let best = 0;
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

// `node bench/server.mjs [recordsPerStream] [shape]` serves until interrupted (handy for manual runs).
if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startServer({ recordsPerStream: Number(process.argv[2] ?? 1_000_000), shape: process.argv[3] });
  process.stdout.write(`${s.url}\n`);
}
