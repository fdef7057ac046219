/**
 * Hand-written baseline: what a careful engineer would write for one specific API without any
 * framework — got + JSON.parse per page + JSON.stringify per record into Airbyte RECORD lines on
 * stdout. Run as a child process by run.mjs, exactly like the engine, so CPU and RSS compare.
 *
 *   node bench/baseline.mjs --url http://127.0.0.1:PORT --streams s1,s2 --concurrency 4 [--transform]
 */
import { got } from 'got';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    streams: { type: 'string', default: 'items' },
    concurrency: { type: 'string', default: '1' },
    'page-size': { type: 'string', default: '1000' },
    transform: { type: 'boolean', default: false },
  },
});

const client = got.extend({ retry: { limit: 0 }, throwHttpErrors: false, agent: {} });
const out = process.stdout;
let buffered = '';

function write(line) {
  buffered += line;
  if (buffered.length > 65536) flush();
}

function flush() {
  if (buffered && !out.write(buffered)) pending = new Promise((r) => out.once('drain', r));
  buffered = '';
}
let pending;

/** The same work scenario 2's manifest declares: filter, two added fields, one removed field. */
function transform(record, stream) {
  if (!(record.active && record.amount > 10)) return undefined;
  record.full_label = `${record.name} <${record.email}>`;
  record.source_stream = stream;
  delete record.meta;
  return record;
}

async function readStream(stream) {
  let cursor;
  for (;;) {
    const url = `${values.url}/streams/${stream}/records?limit=${values['page-size']}${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await client.get(url);
    if (res.statusCode === 429) {
      await sleep(Number(res.headers['retry-after'] ?? 1) * 1000);
      continue;
    }
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} for ${url}`);
    const page = JSON.parse(res.body);
    const emittedAt = Date.now();
    for (let record of page.data) {
      if (values.transform) record = transform(record, stream);
      if (record) write(`${JSON.stringify({ type: 'RECORD', record: { stream, data: record, emitted_at: emittedAt } })}\n`);
    }
    if (pending) {
      await pending;
      pending = undefined;
    }
    if (!page.next_cursor) return;
    cursor = page.next_cursor;
  }
}

const queue = values.streams.split(',');
const workers = Array.from({ length: Math.max(1, Number(values.concurrency)) }, async () => {
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) await readStream(s);
});
await Promise.all(workers);
flush();
