/**
 * Live per-stream progress on a terminal: records, pages, records/s, retries and time spent
 * waiting before retries. Rendered with log-update (redraws in place, throttled); shown only
 * when stderr is a TTY (or forced with --progress), so pipes and log files get nothing extra.
 */
import { createLogUpdate } from 'log-update';
import type { HttpEvent } from '../engine/types.js';

interface StreamProgress {
  records: number;
  pages: number;
  retries: number;
  waitedMs: number;
  started: number;
  /** When the stream finished: its rate is final from then on. */
  ended?: number;
  done?: 'complete' | 'failed';
}

export class Progress {
  private readonly streams = new Map<string, StreamProgress>();
  private readonly render: ReturnType<typeof createLogUpdate>;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    stream: NodeJS.WriteStream = process.stderr,
    private readonly intervalMs = 200,
  ) {
    // A pseudo-terminal whose size was never set (script(1) under CI, some `docker run -t`) reports
    // 0 columns and 0 rows; log-update would then wrap to width 0 and cut every line. Assume 80x24.
    const sized = {
      write: (chunk: string) => stream.write(chunk),
      get columns() {
        return stream.columns || 80;
      },
      get rows() {
        return stream.rows || 24;
      },
    };
    this.render = createLogUpdate(sized as unknown as NodeJS.WriteStream, { showCursor: true });
  }

  start(): void {
    this.timer = setInterval(() => this.draw(), this.intervalMs);
    this.timer.unref();
  }

  record(stream: string): void {
    this.get(stream).records++;
  }

  page(stream: string): void {
    this.get(stream).pages++;
  }

  http(e: HttpEvent): void {
    if (!e.stream) return;
    const p = this.get(e.stream);
    // Retries are counted from the attempts made: the HTTP client reports each attempt's number,
    // while the wait before a retry (retryInMs) is only known to the retry loop, if it tells.
    if (e.retryInMs !== undefined) {
      // The announcement of a wait before a retry, not an exchange.
      p.waitedMs += e.retryInMs;
      return;
    }
    if (e.attempt > 1) p.retries++;
    if (e.rateLimitWaitMs) p.waitedMs += e.rateLimitWaitMs;
  }

  finish(stream: string, ok: boolean): void {
    const p = this.get(stream);
    p.done = ok ? 'complete' : 'failed';
    p.ended ??= Date.now();
  }

  /**
   * Writes a line to `out` (stdout on the same terminal) above the progress block: the block is
   * cleared first and drawn again below, so redrawing never overwrites the line.
   */
  above(line: string, out: NodeJS.WritableStream = process.stdout): void {
    if (this.stopped) {
      out.write(`${line}\n`);
      return;
    }
    this.render.clear();
    out.write(`${line}\n`);
    this.draw();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.draw();
    this.render.done();
  }

  /** The text drawn (exposed for tests). */
  text(now = Date.now()): string {
    return [...this.streams]
      .map(([name, p]) => {
        const secs = Math.max(((p.ended ?? now) - p.started) / 1000, 0.001);
        const rate = Math.round(p.records / secs);
        const state = p.done === 'complete' ? '✔' : p.done === 'failed' ? '✖' : '…';
        // Time spent waiting before retries and for the api_budget.
        const waited = p.waitedMs ? `, waited ${(p.waitedMs / 1000).toFixed(1)} s` : '';
        return `${state} ${name}: ${count(p.records, 'record')}, ${count(p.pages, 'page')}, ${rate} rec/s, ${count(p.retries, 'retry', 'retries')}${waited}`;
      })
      .join('\n');
  }

  private draw(): void {
    this.render(this.text());
  }

  private get(stream: string): StreamProgress {
    let p = this.streams.get(stream);
    if (!p) {
      p = { records: 0, pages: 0, retries: 0, waitedMs: 0, started: Date.now() };
      this.streams.set(stream, p);
    }
    return p;
  }
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
