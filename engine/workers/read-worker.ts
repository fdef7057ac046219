/**
 * Entry point of a read worker thread: rebuilds the caller's Source, reads its share of the
 * catalog's streams (fetch, decode, select, transform — the whole engine) and sends each batch of
 * messages with its RECORDs already serialised to JSON lines. It may run `window` batches ahead of
 * the writer; then it waits for credit, which stops its read (and its requests) until the writer
 * catches up.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Source, type SourceOptions } from '../source/source.js';
import { createTransport } from '../http/transport.js';
import type { AirbyteMessage } from '../protocol/messages.js';
import { RecordLines } from './serialised-record.js';
import type { FromWorker, ToWorker, WireItem, WorkerInit } from './wire.js';

const port = parentPort!;
const init = workerData as WorkerInit;
const aborter = new AbortController();
let credit = init.window;
let wake: (() => void) | undefined;

port.on('message', (m: ToWorker) => {
  if (m.t === 'credit') {
    credit += m.n;
    wake?.();
    wake = undefined;
  } else if (m.t === 'abort') aborter.abort(new Error(m.reason));
});

const send = (m: FromWorker, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);

async function openSource(): Promise<Source> {
  const { transport, ...rest } = init.options;
  const options: SourceOptions = { ...rest };
  if (transport) options.transport = createTransport(transport);
  const { origin } = init;
  if (origin.kind === 'file') return Source.fromFile(origin.path, options);
  if (origin.kind === 'text') return Source.fromText(origin.text, origin.file, options);
  return Source.fromObject(origin.manifest, origin.file, options);
}

const lines = new RecordLines();

/**
 * A batch as wire items: each run of RECORDs becomes one UTF-8 buffer of lines in its own
 * ArrayBuffer (so it can be transferred). Each line is written into the buffer on its own:
 * concatenating a page's lines into one string first and encoding that costs about twice as much
 * (V8 flattens the concatenation before encoding it).
 */
function toWire(batch: AirbyteMessage[], transfer: ArrayBuffer[]): WireItem[] {
  const items: WireItem[] = [];
  let run: string[] = [];
  let bytes = 0;
  const endRun = (): void => {
    if (run.length === 0) return;
    const buffer = Buffer.allocUnsafeSlow(bytes);
    let at = 0;
    for (const line of run) {
      at += buffer.write(line, at);
      buffer[at++] = 10;
    }
    transfer.push(buffer.buffer as ArrayBuffer);
    items.push(buffer);
    run = [];
    bytes = 0;
  };
  for (const message of batch) {
    if (message.type === 'RECORD') {
      const line = lines.line(message);
      run.push(line);
      bytes += Buffer.byteLength(line) + 1;
    } else {
      endRun();
      items.push(message);
    }
  }
  endRun();
  return items;
}

try {
  const source = await openSource();
  const shard = { ...init.shard, failed: [] as string[] };
  const batches = source.readBatches(init.config, init.catalog, init.state, {
    ...(init.read.concurrency !== undefined ? { concurrency: init.read.concurrency } : {}),
    ...(init.read.limits ? { limits: init.read.limits } : {}),
    ...(init.read.pages ? { onPage: (event) => send({ t: 'page', event }) } : {}),
    signal: aborter.signal,
    shard,
  });
  for await (const batch of batches) {
    if (credit <= 0) await new Promise<void>((resolve) => (wake = resolve));
    credit--;
    const transfer: ArrayBuffer[] = [];
    const items = toWire(batch, transfer);
    send({ t: 'batch', items }, transfer);
  }
  send({ t: 'done', failed: shard.failed });
} catch (e) {
  const err = e as Error;
  send({ t: 'fatal', message: err?.message ?? String(e), stack: err?.stack });
}
