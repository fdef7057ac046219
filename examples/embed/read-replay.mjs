#!/usr/bin/env node
// Embeds Manifold in a Node program: reads the Bookshop manifest's two streams from a recorded
// replay (no network) and aggregates the books per author while they stream past, without
// keeping the records. Run from the repository root after `npm run build`:
//
//   node examples/embed/read-replay.mjs           a text summary
//   node examples/embed/read-replay.mjs --json    the same summary as JSON
//
// Against a live API, drop the `transport` option (or use createTransport({ record: dir }) to
// save what the API answers).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Source, createTransport } from 'manifold-etl';

const tutorial = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/tutorial');
const config = { api_key: 'demo-key', base_url: 'http://127.0.0.1:4010/v1' };

const source = await Source.fromFile(join(tutorial, 'bookshop.yaml'), {
  logLevel: 'WARN',
  transport: createTransport({ replay: join(tutorial, 'replay') }),
});

const catalog = {
  streams: ['authors', 'books'].map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
    sync_mode: 'full_refresh',
    destination_sync_mode: 'overwrite',
  })),
};

const authors = new Map();
const perAuthor = new Map();
let books = 0;
let inStock = 0;
let cheapestInStock;

for await (const message of source.read(config, catalog)) {
  if (message.type === 'TRACE' && message.trace.type === 'ERROR') {
    throw new Error(`sync failed: ${message.trace.error.message}`);
  }
  if (message.type !== 'RECORD') continue;
  const { stream, data } = message.record;
  if (stream === 'authors') {
    authors.set(data.id, data);
    continue;
  }
  books++;
  const totals = perAuthor.get(data.author_id) ?? { books: 0, priceSum: 0, inStock: 0 };
  totals.books++;
  totals.priceSum += data.price;
  if (data.in_stock) {
    totals.inStock++;
    inStock++;
    if (!cheapestInStock || data.price < cheapestInStock.price) cheapestInStock = { title: data.title, price: data.price };
  }
  perAuthor.set(data.author_id, totals);
}

const round2 = (n) => Math.round(n * 100) / 100;
const summary = {
  books,
  authors: authors.size,
  inStock,
  cheapestInStock,
  byAuthor: [...perAuthor]
    .map(([id, t]) => ({ author: authors.get(id)?.name ?? `author ${id}`, books: t.books, averagePrice: round2(t.priceSum / t.books), inStock: t.inStock }))
    .sort((a, b) => b.books - a.books || a.author.localeCompare(b.author)),
};

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  console.log(`${summary.books} books by ${summary.authors} authors, ${summary.inStock} in stock`);
  for (const a of summary.byAuthor) {
    console.log(`  ${a.author}: ${a.books} books, average price ${a.averagePrice.toFixed(2)}, ${a.inStock} in stock`);
  }
  console.log(`Cheapest in stock: ${summary.cheapestInStock.title} (${summary.cheapestInStock.price.toFixed(2)})`);
}
