/**
 * Writes protocol messages to stdout as JSON lines. Lines are gathered into chunks (one write
 * per ~64 KiB instead of one per record); when the pipe is full the writer waits for that chunk's
 * write callback, so a slow reader slows the sync instead of growing memory. A STATE line goes out
 * at once: a checkpoint held back in memory is lost if the process is killed.
 *
 * Completion is always awaited through write callbacks, never through 'drain': 'drain' only
 * follows a write that returned false, so waiting for it after an accepted-but-unflushed write
 * never ends, the event loop empties and Node exits 13 ("unsettled top-level await").
 */
import type { Writable } from 'node:stream';
import { SerialisedRecord } from '../engine/workers/serialised-record.js';

const CHUNK = 64 * 1024;

export class LineWriter {
  private buffer = '';
  /**
   * Lines that came serialised from a read worker (engine/workers) are not copied into `buffer`:
   * a run of them is a slice of the worker's bytes, written as it is. `parts` holds what goes out
   * before `buffer`, in order.
   */
  private parts: Array<string | Buffer> = [];
  private partsLength = 0;
  private run: { bytes: Buffer; start: number; end: number } | undefined;
  /** `{"type":"RECORD","record":{"stream":"<name>","data":` per stream, serialised once. */
  private readonly recordPrefixes = new Map<string, string>();

  /** Settles when the last chunk handed to `out` has been written (or failed). */
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(private readonly out: Writable = process.stdout) {
    // A reader that went away (EPIPE) is reported through the write callbacks and end(); without a
    // listener the 'error' event would crash the process with a stack trace instead.
    if (out.listenerCount('error') === 0) out.on('error', () => undefined);
  }

  /** Resolves immediately unless the pipe is full. */
  write(message: unknown): Promise<void> | undefined {
    if (message instanceof SerialisedRecord) {
      const run = this.run;
      // The next line of the same page: the run grows by it and its newline.
      if (run && run.bytes === message.bytes && run.end === message.start) run.end = message.end + 1;
      else {
        this.endRun();
        if (this.buffer) this.pushPart(this.buffer);
        this.buffer = '';
        this.run = { bytes: message.bytes, start: message.start, end: message.end + 1 };
      }
      if (this.partsLength + this.run!.end - this.run!.start < CHUNK) return undefined;
      return this.flush();
    }
    this.endRun();
    this.buffer += this.serialise(message) + '\n';
    if (this.partsLength + this.buffer.length < CHUNK && (message as { type?: string }).type !== 'STATE') return undefined;
    return this.flush();
  }

  private endRun(): void {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    this.pushPart(run.bytes.subarray(run.start, run.end));
  }

  private pushPart(part: string | Buffer): void {
    this.parts.push(part);
    this.partsLength += part.length;
  }

  /**
   * RECORD lines are most of the output: only the record's data goes through JSON.stringify, the
   * envelope is reused per stream (same bytes, same key order as stringifying the message).
   */
  private serialise(message: unknown): string {
    const m = message as { type?: string; record?: { stream: string; data: unknown; emitted_at: number; namespace?: string; meta?: unknown } };
    const record = m.type === 'RECORD' ? m.record : undefined;
    if (!record || record.namespace !== undefined || record.meta !== undefined || !hasTwoKeys(m)) return JSON.stringify(message);
    let prefix = this.recordPrefixes.get(record.stream);
    if (prefix === undefined) {
      prefix = `{"type":"RECORD","record":{"stream":${JSON.stringify(record.stream)},"data":`;
      this.recordPrefixes.set(record.stream, prefix);
    }
    return `${prefix}${JSON.stringify(record.data)},"emitted_at":${record.emitted_at}}}`;
  }

  /** Hands the buffered lines to `out`; returns a promise only when the caller should wait. */
  flush(): Promise<void> | undefined {
    this.endRun();
    if (this.buffer) this.pushPart(this.buffer);
    this.buffer = '';
    if (this.parts.length === 0) return undefined;
    const chunks = this.parts;
    this.parts = [];
    this.partsLength = 0;
    let accepted = true;
    for (let i = 0; i < chunks.length - 1; i++) accepted = this.out.write(chunks[i]!) && accepted;
    // Callbacks run in write order: this one settling means every earlier chunk was written too.
    const written = new Promise<void>((resolve, reject) => {
      accepted = this.out.write(chunks[chunks.length - 1]!, (error) => (error ? reject(error) : resolve())) && accepted;
    });
    // A failure is reported by end() (or by this promise, to a caller that waits on it).
    written.catch(() => undefined);
    this.lastWrite = written;
    return accepted ? undefined : written;
  }

  /** Flushes and waits until everything reached the OS; rejects if a write failed. */
  async end(): Promise<void> {
    this.flush();
    await this.lastWrite;
  }
}

/** `Object.keys(m).length === 2` without an array per record. */
function hasTwoKeys(m: object): boolean {
  let n = 0;
  for (const _ in m) if (++n > 2) return false;
  return n === 2;
}
