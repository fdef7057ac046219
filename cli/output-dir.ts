/**
 * `read --output DIR`: each stream's records as JSONL in DIR/<stream>.jsonl and the state in
 * DIR/state.json, rewritten atomically after the records it covers are on disk — a crash never
 * leaves a state ahead of its records. An incremental stream's file is appended to (the run
 * continues it); a full-refresh stream's file is written under a temporary name and renamed over
 * the old one when the stream ends, so it holds this run's records only and is never seen half
 * written. A file that cannot be written ends the read with an error naming it, before any later
 * state is saved.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, ManifoldError } from '../engine/errors/manifold-error.js';
import type { AirbyteMessage, AirbyteStateMessage } from '../engine/protocol/messages.js';

interface StreamFile {
  path: string;
  /** Set for a full-refresh stream: where its records go until the stream ends. */
  temporary?: string | undefined;
  /** Opened on the stream's first record; a failed open is reported by the first flush. */
  handle: Promise<FileHandle>;
  buffer: string;
  count: number;
  /** The temporary file was renamed over `path` (or the append file closed). */
  finished: boolean;
}

/** Error codes that mean the path is wrong rather than the disk (a directory, no permission…). */
const PATH_ERRORS = new Set(['EISDIR', 'ENOTDIR', 'ENOENT', 'EACCES', 'EPERM', 'EROFS', 'EEXIST', 'ENAMETOOLONG', 'ELOOP']);

export class OutputDir {
  private readonly files = new Map<string, StreamFile>();
  private readonly states = new Map<string, AirbyteStateMessage>();
  /** States of full-refresh streams whose file is not in place yet. */
  private readonly pending = new Map<string, AirbyteStateMessage>();
  private failed = false;

  /** `incremental(stream)`: whether the stream's records continue its file rather than replace it. */
  constructor(
    private readonly dir: string,
    private readonly incremental: (stream: string) => boolean = () => false,
  ) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw outputError(`--output folder ${dir} cannot be created`, e);
    }
  }

  /** The state file's path. */
  get statePath(): string {
    return join(this.dir, 'state.json');
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
      const file = this.files.get(name);
      // A full-refresh stream's records are not in place until its file is renamed: its state waits for that.
      if (file?.temporary && !file.finished) {
        this.pending.set(name, message);
        return;
      }
      this.states.set(name, message);
      this.saveState();
    }
  }

  /**
   * Follows stream statuses: a full-refresh stream's file is started when the stream starts (a
   * run that reads no record leaves it empty) and put in place when it ends.
   */
  async observe(message: AirbyteMessage): Promise<void> {
    if (message.type !== 'TRACE' || !message.trace.stream_status) return;
    const { status, stream_descriptor } = message.trace.stream_status;
    const name = stream_descriptor.name;
    if (status === 'STARTED' && !this.incremental(name)) this.file(name);
    else if ((status === 'COMPLETE' || status === 'INCOMPLETE') && this.files.has(name)) await this.finish(this.files.get(name)!);
  }

  /** Records written per stream so far, and whether the stream's file was replaced or appended to. */
  counts(): Array<{ stream: string; records: number; replaced: boolean }> {
    return [...this.files].map(([stream, f]) => ({ stream, records: f.count, replaced: f.temporary !== undefined }));
  }

  /**
   * Flushes and closes every file, putting full-refresh files in place; after a failure only
   * closes, and removes the temporary files (the failure was already thrown).
   */
  async close(): Promise<void> {
    const files = [...this.files.values()];
    if (!this.failed) {
      for (const f of files) await this.finish(f);
      return;
    }
    await Promise.all(
      files.map(async (f) => {
        await (await f.handle.catch(() => undefined))?.close().catch(() => undefined);
        // Gone already if it was put in place.
        if (f.temporary) await rm(f.temporary, { force: true }).catch(() => undefined);
      }),
    );
  }

  private file(stream: string): StreamFile {
    let file = this.files.get(stream);
    if (!file) {
      const safe = stream.replace(/[^\w.-]/g, '_');
      const path = join(this.dir, `${safe}.jsonl`);
      const temporary = this.incremental(stream) ? undefined : join(this.dir, `.${safe}.jsonl.${process.pid}.tmp`);
      const handle = open(temporary ?? path, temporary ? 'w' : 'a');
      // Awaited by the first flush; this keeps a failed open from being an unhandled rejection until then.
      handle.catch(() => undefined);
      file = { path, temporary, handle, buffer: '', count: 0, finished: false };
      this.files.set(stream, file);
    }
    return file;
  }

  private async finish(file: StreamFile): Promise<void> {
    if (file.finished) return;
    await this.flushFile(file);
    file.finished = true;
    try {
      await (await file.handle).close();
      if (file.temporary) await rename(file.temporary, file.path);
    } catch (e) {
      this.failed = true;
      throw outputError(`--output file ${file.path} cannot be written`, e);
    }
    const name = [...this.files].find(([, f]) => f === file)?.[0];
    const state = name === undefined ? undefined : this.pending.get(name);
    if (state) {
      this.pending.delete(name!);
      this.states.set(name!, state);
      this.saveState();
    }
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
    const path = this.statePath;
    try {
      writeFileSync(
        `${path}.tmp`,
        JSON.stringify(
          [...this.states.values()].map((m) => m.state),
          null,
          2,
        ),
      );
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
