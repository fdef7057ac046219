/** The CLI's line writer: byte-identical to JSON.stringify per message, whichever path it takes. */
import { describe, expect, it } from '@jest/globals';
import { PassThrough, Writable } from 'node:stream';
import { LineWriter } from '../../cli/output.js';

async function written(messages: unknown[]): Promise<string> {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (d: Buffer) => (text += d.toString('utf8')));
  const writer = new LineWriter(sink);
  for (const m of messages) await writer.write(m);
  await writer.end();
  return text;
}

describe('LineWriter', () => {
  it('writes RECORD lines exactly as JSON.stringify of the message would', async () => {
    const messages = [
      { type: 'RECORD', record: { stream: 'users', data: { id: 1, name: 'Zoë "Z" \\ \u2028', nested: { a: [1, null] } }, emitted_at: 1700000000000 } },
      { type: 'RECORD', record: { stream: 'we"ird\nname', data: {}, emitted_at: 1 } },
      { type: 'RECORD', record: { stream: 'ns', namespace: 'public', data: { id: 2 }, emitted_at: 2 } },
      { type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'users' }, stream_state: { updated: '2024' } } } },
      { type: 'RECORD', record: { stream: 'users', data: { id: 3 }, emitted_at: 3 } },
    ];
    expect(await written(messages)).toBe(messages.map((m) => JSON.stringify(m) + '\n').join(''));
  });

  it('keeps many records in order across chunk flushes', async () => {
    const messages = Array.from({ length: 5000 }, (_, i) => ({ type: 'RECORD', record: { stream: 's', data: { i, pad: 'x'.repeat(50) }, emitted_at: i } }));
    const text = await written(messages);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(5000);
    expect(JSON.parse(lines[4999]!)).toEqual(messages[4999]);
  });

  it("writes a read worker's serialised records byte for byte, in order with the messages around them", async () => {
    const { RecordLines, splitLines } = await import('../../engine/workers/serialised-record.js');
    const page = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        type: 'RECORD' as const,
        record: { stream: 'users', data: { id: from + i, name: `Zoë ${'x'.repeat(i % 90)} \u2028` }, emitted_at: 7 },
      }));
    // What a worker sends: one UTF-8 buffer of lines per page.
    const wire = (records: ReturnType<typeof page>): unknown[] => {
      const lines = new RecordLines();
      const out: unknown[] = [];
      splitLines(Buffer.from(records.map((r) => lines.line(r) + '\n').join('')), out);
      return out;
    };
    const state = { type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'users' }, stream_state: { id: 2000 } } } };
    const first = page(0, 1500);
    const second = page(1500, 500);
    const serialised = [...wire(first), state, ...wire(second)];
    expect(await written(serialised)).toBe([...first, state, ...second].map((m) => JSON.stringify(m) + '\n').join(''));
    // A consumer that looks at a record gets it parsed; stringifying the message gives the same line.
    const one = serialised[3] as { record: { data: { id: number } } };
    expect(one.record.data.id).toBe(3);
    expect(JSON.stringify(one)).toBe(JSON.stringify(first[3]));
  });
});

/**
 * A pipe whose reader is slow: each write is acknowledged only when the test says the OS took it.
 * The buffered amount stays under the high-water mark, so write() returns true and no 'drain' is
 * ever emitted, exactly the state a slow stdout reader leaves the last chunk in.
 */
class SlowPipe extends Writable {
  readonly chunks: string[] = [];
  private readonly pending: Array<() => void> = [];
  constructor() {
    super({ highWaterMark: 1024 * 1024 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.pending.push(() => {
      this.chunks.push(chunk.toString('utf8'));
      callback();
    });
  }
  /** The reader catches up: every write so far reaches the OS. */
  catchUp(): void {
    while (this.pending.length) this.pending.shift()!();
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('LineWriter.end() on a slow pipe', () => {
  it('resolves once the last accepted-but-unflushed write reaches the pipe (no drain needed)', async () => {
    const pipe = new SlowPipe();
    const writer = new LineWriter(pipe);
    writer.write({ type: 'LOG', log: { level: 'INFO', message: 'last line' } });
    let ended = false;
    const ending = writer.end().then(() => (ended = true));
    await turn();
    // Not yet flushed: end() must still be waiting.
    expect(ended).toBe(false);
    pipe.catchUp();
    for (let i = 0; i < 5 && !ended; i++) await turn();
    expect(ended).toBe(true);
    await ending;
    expect(pipe.chunks.join('')).toBe('{"type":"LOG","log":{"level":"INFO","message":"last line"}}\n');
  });

  it('waits for a full pipe through the write callback, not a drain that may not come', async () => {
    const pipe = new SlowPipe();
    const writer = new LineWriter(pipe);
    const big = Array.from({ length: 2000 }, (_, i) => ({ type: 'RECORD', record: { stream: 's', data: { i, pad: 'y'.repeat(60) }, emitted_at: i } }));
    const waits: Array<Promise<void>> = [];
    for (const m of big) {
      const pending = writer.write(m);
      if (pending) waits.push(pending);
    }
    let ended = false;
    const ending = writer.end().then(() => (ended = true));
    await turn();
    expect(ended).toBe(false);
    pipe.catchUp();
    for (let i = 0; i < 5 && !ended; i++) await turn();
    expect(ended).toBe(true);
    await Promise.all([ending, ...waits]);
    expect(pipe.chunks.join('').trimEnd().split('\n')).toHaveLength(2000);
  });

  it('a write error (EPIPE: the reader went away) rejects end() instead of hanging', async () => {
    const pipe = new Writable({
      write(_chunk, _encoding, callback) {
        setImmediate(() => callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
      },
    });
    const writer = new LineWriter(pipe);
    writer.write({ type: 'LOG', log: { level: 'INFO', message: 'x' } });
    await expect(writer.end()).rejects.toThrow(/EPIPE/);
  });

  it('a STATE line goes out at once instead of waiting for a full chunk', async () => {
    const pipe = new SlowPipe();
    const writer = new LineWriter(pipe);
    writer.write({ type: 'RECORD', record: { stream: 's', data: { id: 1 }, emitted_at: 1 } });
    writer.write({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 's' }, stream_state: { id: 1 } } } });
    pipe.catchUp();
    await turn();
    expect(pipe.chunks.join('')).toContain('"type":"STATE"');
    await writer.end();
  });
});
