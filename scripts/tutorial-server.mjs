// A tiny stand-in for the "Bookshop API" of docs/authoring.md, so the walk-through runs with no
// account and no network. Data is fixed, so recordings made against it are reproducible.
//
//   node scripts/tutorial-server.mjs [--port 4010]
//
//   GET /v1/books?page=N&per_page=M   {"data": [...], "meta": {"page", "per_page", "total"}}
//   GET /v1/authors                   {"data": [...]}
//   GET /v1/orders?updated_since=ISO  {"data": [orders updated at or after it, oldest first]}
//   GET /v1/authors/ID/reviews?since=ISO   {"data": [that author's reviews created at or after it]}
// Every request needs the header `X-Api-Key: demo-key`; otherwise 401 {"error": "..."}.
// /v1/orders is rate limited: every other request to it (the 1st, 3rd, …) is answered 429 with
// `Retry-After: 1`, so the walk-through shows a retry on every run, the same way each time.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

export const API_KEY = 'demo-key';

export const AUTHORS = [
  { id: 1, name: 'Ursula K. Le Guin', country: 'US' },
  { id: 2, name: 'Italo Calvino', country: 'IT' },
  { id: 3, name: 'Chinua Achebe', country: 'NG' },
  { id: 4, name: 'Wisława Szymborska', country: 'PL' },
];

export const BOOKS = [
  ['A Wizard of Earthsea', 1, 9.99, true, '1968-11-01', ['fantasy']],
  ['The Left Hand of Darkness', 1, 12.5, true, '1969-03-01', ['science-fiction']],
  ['The Dispossessed', 1, 13.0, false, '1974-05-01', ['science-fiction', 'politics']],
  ['Invisible Cities', 2, 11.0, true, '1972-11-01', ['fiction']],
  ["If on a winter's night a traveler", 2, 14.25, true, '1979-06-01', ['fiction']],
  ['The Baron in the Trees', 2, 10.5, false, '1957-01-01', ['fiction', 'classic']],
  ['Cosmicomics', 2, 9.5, true, '1965-01-01', ['science-fiction']],
  ['Things Fall Apart', 3, 8.75, true, '1958-06-17', ['classic']],
  ['No Longer at Ease', 3, 9.25, true, '1960-01-01', ['fiction']],
  ['Arrow of God', 3, 10.0, false, '1964-01-01', ['fiction']],
  ['View with a Grain of Sand', 4, 15.0, true, '1995-09-01', ['poetry']],
  ['Map: Collected and Last Poems', 4, 24.0, true, '2015-04-07', ['poetry']],
].map(([title, author_id, price, in_stock, published_on, tags], i) => ({
  id: 101 + i,
  title,
  author_id,
  price,
  in_stock,
  published_on,
  tags,
}));

/** Orders change over time: `updated_at` is the cursor of the incremental `orders` stream. */
export const ORDERS = [
  [101, 1, 'shipped', '2024-01-05T09:00:00Z'],
  [104, 2, 'shipped', '2024-01-20T14:30:00Z'],
  [108, 1, 'cancelled', '2024-02-02T08:15:00Z'],
  [111, 3, 'shipped', '2024-02-14T17:45:00Z'],
  [102, 1, 'delivered', '2024-03-01T12:00:00Z'],
  [112, 2, 'paid', '2024-03-09T10:20:00Z'],
].map(([book_id, quantity, status, updated_at], i) => ({ id: 5001 + i, book_id, quantity, status, updated_at }));

/** Reviews per author: the `reviews` substream reads them author by author. */
export const REVIEWS = [
  [1, 101, 5, '2024-01-10T08:00:00Z'],
  [1, 103, 4, '2024-02-21T19:30:00Z'],
  [2, 104, 5, '2024-01-15T11:00:00Z'],
  [2, 107, 3, '2024-03-03T16:45:00Z'],
  [3, 108, 5, '2024-02-01T09:10:00Z'],
].map(([author_id, book_id, rating, created_at], i) => ({ id: 9001 + i, author_id, book_id, rating, created_at }));

/** Records whose `field` is at or after the `since` query value (all of them without one). */
function since(rows, field, value) {
  if (value === null) return rows;
  const from = Date.parse(value);
  return Number.isNaN(from) ? undefined : rows.filter((r) => Date.parse(r[field]) >= from);
}

let orderRequests = 0;

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.headers['x-api-key'] !== API_KEY) return send(res, 401, { error: 'missing or invalid X-Api-Key header' });
  if (req.method !== 'GET') return send(res, 405, { error: `${req.method} not allowed` });
  if (url.pathname === '/v1/authors') return send(res, 200, { data: AUTHORS });
  if (url.pathname === '/v1/books') {
    const page = Number(url.searchParams.get('page') ?? 1);
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 10), 50);
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1) {
      return send(res, 400, { error: 'page and per_page must be whole numbers >= 1' });
    }
    const data = BOOKS.slice((page - 1) * perPage, page * perPage);
    return send(res, 200, { data, meta: { page, per_page: perPage, total: BOOKS.length } });
  }
  if (url.pathname === '/v1/orders') {
    if (++orderRequests % 2 === 1) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      return res.end(JSON.stringify({ error: 'rate limit exceeded: retry after 1 second' }));
    }
    const data = since(
      [...ORDERS].sort((a, b) => a.updated_at.localeCompare(b.updated_at)),
      'updated_at',
      url.searchParams.get('updated_since'),
    );
    return data ? send(res, 200, { data }) : send(res, 400, { error: 'updated_since must be an ISO 8601 datetime' });
  }
  const reviews = /^\/v1\/authors\/(\d+)\/reviews$/.exec(url.pathname);
  if (reviews) {
    const authorId = Number(reviews[1]);
    if (!AUTHORS.some((a) => a.id === authorId)) return send(res, 404, { error: `no author ${authorId}` });
    const data = since(
      REVIEWS.filter((r) => r.author_id === authorId),
      'created_at',
      url.searchParams.get('since'),
    );
    return data ? send(res, 200, { data }) : send(res, 400, { error: 'since must be an ISO 8601 datetime' });
  }
  return send(res, 404, { error: `no route ${url.pathname}` });
}

/** Starts the server; port 0 picks a free one. Resolves to the listening server and its base URL. */
export function startTutorialServer(port = 4010, { log = false } = {}) {
  const server = createServer((req, res) => {
    if (log) process.stderr.write(`${req.method} ${req.url}\n`);
    handle(req, res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address();
      resolve({ server, baseUrl: `http://127.0.0.1:${actual}/v1` });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : Number(process.env.PORT ?? 4010);
  const { baseUrl } = await startTutorialServer(port, { log: true });
  process.stderr.write(`Bookshop API listening on ${baseUrl} (API key: ${API_KEY}); Ctrl-C to stop\n`);
}
