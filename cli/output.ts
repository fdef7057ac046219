/**
 * Writes protocol messages to stdout as JSON lines. Lines are gathered into chunks (one write
 * per ~64 KiB instead of one per record) and the writer waits for 'drain' when the pipe is full,
 * so a slow reader slows the sync instead of growing memory.
 */
import type { Writable } from 'node:stream';

const CHUNK = 64 * 1024;

export class LineWriter {
  private buffer = '';

  constructor(private readonly out: Writable = process.stdout) {}

  /** Resolves immediately unless the pipe is full. */
  write(message: unknown): Promise<void> | undefined {
    this.buffer += JSON.stringify(message) + '\n';
    if (this.buffer.length < CHUNK) return undefined;
    return this.flush();
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
