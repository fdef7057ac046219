/**
 * `read --output DIR`: each stream's records as JSONL in DIR/<stream>.jsonl (appended, so an
 * incremental run continues the files) and the state in DIR/state.json, rewritten atomically after
 * the records it covers are on disk — a crash never leaves a state ahead of its records. A file
 * that cannot be written ends the read with an error naming it, before any later state is saved.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, ManifoldError } from '../engine/errors/manifold-error.js';
import type { AirbyteMessage, AirbyteStateMessage } from '../engine/protocol/messages.js';

interface StreamFile {
  path: string;
  /** Opened on the stream's first record; a failed open is reported by the first flush. */
  handle: Promise<FileHandle>;
  buffer: string;
  count: number;
}

/** Error codes that mean the path is wrong rather than the disk (a directory, no permission…). */
const PATH_ERRORS = new Set(['EISDIR', 'ENOTDIR', 'ENOENT', 'EACCES', 'EPERM', 'EROFS', 'EEXIST', 'ENAMETOOLONG', 'ELOOP']);

export class OutputDir {
  private readonly files = new Map<string, StreamFile>();
  private readonly states = new Map<string, AirbyteStateMessage>();
  private failed = false;

  constructor(private readonly dir: string) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw outputError(`--output folder ${dir} cannot be created`, e);
    }
  }

  async write(message: AirbyteMessage): Promise<void> {
    if (message.type === 'RECORD') {
      const file = this.file(message.record.stream);
      file.buffer += JSON.stringify(message.record.data) + '\n';
      file.count++;
      if (file.buffer.length > 64 * 1024) await this.flushFile(file);
    } else if (message.type === 'STATE') {
      const name = message.state.stream?.stream_descriptor.name ?? '__global__';
      await Promise.all([...this.files.values()].map((f) => this.flushFile(f)));
      this.states.set(name, message);
      this.saveState();
    }
  }

  /** Records written per stream so far. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.files].map(([name, f]) => [name, f.count]));
  }

  /** Flushes and closes every file; after a failure only closes (the failure was already thrown). */
  async close(): Promise<void> {
    const files = [...this.files.values()];
    if (!this.failed) await Promise.all(files.map((f) => this.flushFile(f)));
    await Promise.all(files.map(async (f) => (await f.handle.catch(() => undefined))?.close().catch(() => undefined)));
  }

  private file(stream: string): StreamFile {
    let file = this.files.get(stream);
    if (!file) {
      const safe = stream.replace(/[^\w.-]/g, '_');
      const path = join(this.dir, `${safe}.jsonl`);
      const handle = open(path, 'a');
      // Awaited by the first flush; this keeps a failed open from being an unhandled rejection until then.
      handle.catch(() => undefined);
      file = { path, handle, buffer: '', count: 0 };
      this.files.set(stream, file);
    }
    return file;
  }

  /** Resolves once the buffered records reached the file (the write's completion, not a 'drain'). */
  private async flushFile(file: StreamFile): Promise<void> {
    if (!file.buffer) return;
    const chunk = file.buffer;
    file.buffer = '';
    try {
      await (await file.handle).appendFile(chunk);
    } catch (e) {
      this.failed = true;
      throw outputError(`--output file ${file.path} cannot be written`, e);
    }
  }

  private saveState(): void {
    const path = join(this.dir, 'state.json');
    try {
      writeFileSync(`${path}.tmp`, JSON.stringify([...this.states.values()].map((m) => m.state), null, 2));
      renameSync(`${path}.tmp`, path);
    } catch (e) {
      this.failed = true;
      throw outputError(`--output state file ${path} cannot be written`, e);
    }
  }
}

function outputError(message: string, e: unknown): ManifoldError {
  const err = e as NodeJS.ErrnoException;
  const full = `${message} (${String(err?.message ?? e)})`;
  return err?.code && PATH_ERRORS.has(err.code) ? new ConfigError(full, { cause: e }) : new ManifoldError(full, { failureType: 'system_error', cause: e });
}
