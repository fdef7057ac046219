/**
 * Writes protocol messages to stdout as JSON lines. Lines are gathered into chunks (one write
 * per ~64 KiB instead of one per record) and the writer waits for 'drain' when the pipe is full,
 * so a slow reader slows the sync instead of growing memory.
 */
import type { Writable } from 'node:stream';

const CHUNK = 64 * 1024;

export class LineWriter {
  private buffer = '';
  /** `{"type":"RECORD","record":{"stream":"<name>","data":` per stream, serialised once. */
  private readonly recordPrefixes = new Map<string, string>();

  constructor(private readonly out: Writable = process.stdout) {}

  /** Resolves immediately unless the pipe is full. */
  write(message: unknown): Promise<void> | undefined {
    this.buffer += this.serialise(message) + '\n';
    if (this.buffer.length < CHUNK) return undefined;
    return this.flush();
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

  flush(): Promise<void> | undefined {
    if (!this.buffer) return undefined;
    const chunk = this.buffer;
    this.buffer = '';
    if (this.out.write(chunk)) return undefined;
    return new Promise((resolve) => this.out.once('drain', resolve));
  }

  /** Flushes and waits until everything reached the OS. */
  async end(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve) => {
      if (this.out.writableLength === 0) resolve();
      else this.out.once('drain', () => resolve());
    });
  }
}

/** `Object.keys(m).length === 2` without an array per record. */
function hasTwoKeys(m: object): boolean {
  let n = 0;
  for (const _ in m) if (++n > 2) return false;
  return n === 2;
}
