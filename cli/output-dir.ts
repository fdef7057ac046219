/**
 * `read --output DIR`: each stream's records as JSONL in DIR/<stream>.jsonl (appended, so an
 * incremental run continues the files) and the state in DIR/state.json, rewritten atomically after
 * the records it covers are on disk — a crash never leaves a state ahead of its records.
 */
import { createWriteStream, mkdirSync, renameSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { AirbyteMessage, AirbyteStateMessage } from '../engine/protocol/messages.js';

export class OutputDir {
  private readonly files = new Map<string, { stream: WriteStream; buffer: string; count: number; written?: Promise<void> }>();
  private readonly states = new Map<string, AirbyteStateMessage>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  async write(message: AirbyteMessage): Promise<void> {
    if (message.type === 'RECORD') {
      const file = this.file(message.record.stream);
      file.buffer += JSON.stringify(message.record.data) + '\n';
      file.count++;
      if (file.buffer.length > 64 * 1024) await this.flushFile(file);
    } else if (message.type === 'STATE') {
      const name = message.state.stream?.stream_descriptor.name ?? '__global__';
      await Promise.all([...this.files.values()].map((f) => this.flushFile(f, true)));
      this.states.set(name, message);
      this.saveState();
    }
  }

  /** Records written per stream so far. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.files].map(([name, f]) => [name, f.count]));
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.files.values()].map(async (f) => {
        await this.flushFile(f);
        await new Promise<void>((resolve, reject) => f.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
      }),
    );
  }

  private file(stream: string) {
    let file = this.files.get(stream);
    if (!file) {
      const safe = stream.replace(/[^\w.-]/g, '_');
      file = { stream: createWriteStream(join(this.dir, `${safe}.jsonl`), { flags: 'a' }), buffer: '', count: 0 };
      this.files.set(stream, file);
    }
    return file;
  }

  private async flushFile(file: { stream: WriteStream; buffer: string; written?: Promise<void> }, durable = false): Promise<void> {
    if (file.buffer) {
      const chunk = file.buffer;
      file.buffer = '';
      // The callback of the last write tells when everything before it has reached the file; it
      // is also what a full stream is waited on with ('drain' may never come after an error).
      let accepted = true;
      const written = new Promise<void>((resolve, reject) => {
        accepted = file.stream.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
      written.catch(() => undefined);
      file.written = written;
      if (!accepted) await written;
    }
    if (durable && file.written) await file.written;
  }

  private saveState(): void {
    const path = join(this.dir, 'state.json');
    writeFileSync(`${path}.tmp`, JSON.stringify([...this.states.values()].map((m) => m.state), null, 2));
    renameSync(`${path}.tmp`, path);
  }
}
