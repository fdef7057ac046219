/**
 * Where write reports go: response capture (one line per API response) and dead letters (one line
 * per record that could not be written). JSONL files are appended to; a webhook gets one POST per
 * line. Every line is masked with the run's secrets.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { openForAppend } from '../files/file-policy.js';
import { ManifoldError } from '../errors/manifold-error.js';
import type { SecretRegistry } from '../services.js';
import type { Obj } from '../types.js';

export interface ReportSink {
  write(line: Obj): Promise<void>;
  close(): Promise<void>;
}

export class JsonlFileSink implements ReportSink {
  private stream: WriteStream | undefined;
  constructor(private readonly path: string, private readonly secrets: SecretRegistry) {}

  async write(line: Obj): Promise<void> {
    // Opened lazily so a run that writes nothing leaves no empty file behind; the path was checked
    // against the file policy when the run started, and a symlink swapped in since is not followed.
    if (!this.stream) {
      let fd: number;
      try {
        fd = openForAppend(this.path);
      } catch (e) {
        throw new ManifoldError(`Cannot write to ${this.path}: ${(e as NodeJS.ErrnoException).code === 'ELOOP' ? 'it is a symlink; refused' : (e as Error).message}`, { failureType: 'config_error', cause: e });
      }
      this.stream = createWriteStream('', { fd });
    }
    if (!this.stream.write(this.secrets.mask(JSON.stringify(line)) + '\n')) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

export class WebhookSink implements ReportSink {
  constructor(private readonly url: string, private readonly secrets: SecretRegistry) {}

  async write(line: Obj): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: this.secrets.mask(JSON.stringify(line)),
    });
    if (!response.ok) throw new Error(`response capture webhook answered ${response.status}`);
  }

  async close(): Promise<void> {}
}

/** Response body as reports show it: parsed JSON when it is JSON, else the text. */
export function reportBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
