/**
 * A read spread over worker threads. Each worker runs the whole engine for its share of the
 * catalog's streams and sends batches whose RECORDs are already JSON lines; this thread only
 * orders the batches and hands them on, so the consumer (the CLI's writer) has a core to itself.
 *
 * Order: a stream lives in one worker and a worker's messages arrive in the order it sent them, so
 * each stream's RECORDs, STATEs and statuses keep read()'s order (a STATE still follows the records
 * it covers); batches of different streams interleave as they arrive, as with concurrent streams
 * on one thread. Backpressure: a worker sends at most `WINDOW` batches the consumer has not yet
 * taken; it then waits, and so does its read.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorTrace, type AirbyteMessage } from '../protocol/messages.js';
import { splitLines } from './serialised-record.js';
import type { FromWorker, PageEvent, ToWorker, WireItem, WorkerInit } from './wire.js';

/** Batches (about a page each) a worker may have in flight: one being written, one queued. */
const WINDOW = 2;

export interface WorkerReadPlan extends Omit<WorkerInit, 'shard' | 'window'> {
  workers: number;
  onPage?: ((event: PageEvent) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** The closing TRACE naming the streams that failed (Source makes it, so both modes say the same). */
  closingTrace: (failed: string[]) => AirbyteMessage;
}

/**
 * The built worker next to this module; when running from the TypeScript sources (tests), the
 * built one in dist/ (a worker thread cannot load .ts files without a loader).
 */
function workerUrl(): URL {
  const sibling = new URL('./read-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const built = new URL('../../dist/engine/workers/read-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error('The read worker is not built (dist/engine/workers/read-worker.js): run npm run build, or read with threads: 1');
}

export async function* readInWorkers(plan: WorkerReadPlan): AsyncGenerator<AirbyteMessage[]> {
  const { workers: count, onPage, signal, closingTrace, ...shared } = plan;
  const arrived: Array<{ worker: Worker; messages: AirbyteMessage[] }> = [];
  const failed: string[] = [];
  let notify: (() => void) | undefined;
  const wakeUp = (): void => {
    notify?.();
    notify = undefined;
  };
  let running = count;
  const url = workerUrl();
  const workers: Worker[] = [];
  for (let index = 0; index < count; index++) {
    const init: WorkerInit = { ...shared, shard: { index, count }, window: WINDOW };
    const worker = new Worker(url, { workerData: init });
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      running--;
      wakeUp();
    };
    worker.on('message', (m: FromWorker) => {
      if (m.t === 'batch') arrived.push({ worker, messages: fromWire(m.items) });
      else if (m.t === 'page') onPage?.(m.event);
      else if (m.t === 'done') {
        failed.push(...m.failed);
        finish();
      } else {
        arrived.push({ worker, messages: [errorTrace(`A read worker failed: ${m.message}`, 'system_error', { stackTrace: m.stack })] });
        failed.push(`(worker ${index + 1})`);
        finish();
      }
      wakeUp();
    });
    worker.on('error', (e) => {
      arrived.push({ worker, messages: [errorTrace(`A read worker failed: ${e.message}`, 'system_error', { stackTrace: e.stack })] });
      failed.push(`(worker ${index + 1})`);
      finish();
    });
    worker.on('exit', () => {
      if (!finished) {
        arrived.push({ worker, messages: [errorTrace('A read worker stopped before its streams were read', 'system_error')] });
        failed.push(`(worker ${index + 1})`);
      }
      finish();
    });
    workers.push(worker);
  }
  const abort = (): void => {
    const reason = String((signal?.reason as Error | undefined)?.message ?? 'read aborted');
    for (const w of workers) w.postMessage({ t: 'abort', reason } satisfies ToWorker);
  };
  if (signal?.aborted) abort();
  else signal?.addEventListener('abort', abort, { once: true });
  try {
    for (;;) {
      const next = arrived.shift();
      if (next) {
        yield next.messages;
        // Taken: the worker may send one more.
        next.worker.postMessage({ t: 'credit', n: 1 } satisfies ToWorker);
        continue;
      }
      if (running === 0) break;
      await new Promise<void>((resolve) => (notify = resolve));
    }
    if (failed.length) yield [closingTrace(failed)];
  } finally {
    signal?.removeEventListener('abort', abort);
    // Done or abandoned by the consumer: a worker's idle keep-alive sockets would keep it alive.
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function fromWire(items: WireItem[]): AirbyteMessage[] {
  const out: AirbyteMessage[] = [];
  for (const item of items) {
    if (item instanceof Uint8Array) splitLines(Buffer.from(item.buffer, item.byteOffset, item.byteLength), out);
    else out.push(item);
  }
  return out;
}
