/**
 * The write loop of one `write` command: routes catalog records to operations, batches them,
 * sends them, and echoes a STATE only once every record read before it has been acknowledged
 * (written, or parked in the dead-letter file). In `stop` mode the first failure ends the run
 * with a TRACE error and no later STATE is echoed, so the platform replays the unsent records.
 */
import { isManifoldError } from '../errors/manifold-error.js';
import { errorTrace, logMessage, type AirbyteMessage, type ConfiguredAirbyteCatalog } from '../protocol/messages.js';
import type { EngineServices } from '../services.js';
import type { HttpEvent, HttpResponse, Obj } from '../types.js';
import type { DestinationOperation, PendingWrite } from './operation.js';
import { viewRequest, type RequestView } from './request-view.js';
import { reportBody, type ReportSink } from './sinks.js';

export type FailureMode = 'stop' | 'dead_letter';

export interface WriteRunSettings {
  operations: DestinationOperation[];
  catalog: ConfiguredAirbyteCatalog;
  services: EngineServices;
  onFailure: FailureMode;
  deadLetter?: ReportSink | undefined;
  capture?: ReportSink | undefined;
  dryRun: boolean;
  signal?: AbortSignal | undefined;
  /** Dry run only: receives each prepared request instead of a DRY RUN LOG message. */
  onPrepared?: ((prepared: PreparedWrite) => void) | undefined;
}

export interface PreparedWrite {
  operation: string;
  stream: string;
  keys: unknown[];
  request: RequestView;
}

/** Per operation, every record ends in exactly one of written, ignored, dead-lettered or failed. */
interface OperationCounts {
  /** Acknowledged by the API. */
  written: number;
  /** Answered with a response the error handler IGNOREs (e.g. 404): not written, not failed. */
  ignored: number;
  /** Failed and parked in the dead-letter file. */
  deadLettered: number;
  /** Failed and neither written nor dead-lettered: the run stopped. */
  failed: number;
  requests: number;
}

export class WriteRun {
  /** Messages produced while handling the current input message, drained by the caller. */
  readonly out: AirbyteMessage[] = [];
  stopped = false;
  private readonly buffers = new Map<DestinationOperation, PendingWrite[]>();
  private readonly primaryKeys = new Map<string, string[] | undefined>();
  private readonly seq = new Map<string, number>();
  private readonly ignoredStreams = new Set<string>();
  private readonly unmatched = new Map<string, number>();
  private readonly counters = new Map<DestinationOperation, OperationCounts>();
  private captureFailures = 0;
  /** The stream whose write is in flight, and the last HTTP answer it got (for failure reports). */
  private sending: string | undefined;
  private lastResponse: HttpEvent | undefined;

  constructor(private readonly s: WriteRunSettings) {
    if (s.capture) {
      // A request that fails throws an error, not a response: the capture still reports what the API answered.
      s.services.onHttp.push((event) => {
        if (event.status !== undefined && event.stream !== undefined && event.stream === this.sending) this.lastResponse = event;
      });
    }
    for (const entry of s.catalog.streams) {
      const name = entry.stream.name;
      const pk = entry.primary_key?.map((path) => path[0]).filter((f): f is string => typeof f === 'string');
      this.primaryKeys.set(name, pk?.length ? pk : undefined);
      if (!s.operations.some((op) => op.consumes(name))) {
        this.out.push(logMessage('WARN', `Stream "${name}" is in the catalog but no operation consumes it; its records are ignored`));
      }
    }
    for (const op of s.operations) this.counters.set(op, { written: 0, ignored: 0, deadLettered: 0, failed: 0, requests: 0 });
  }

  async record(stream: string, data: Obj): Promise<void> {
    if (!this.primaryKeys.has(stream)) {
      if (!this.ignoredStreams.has(stream)) {
        this.ignoredStreams.add(stream);
        this.out.push(logMessage('WARN', `Ignoring records of stream "${stream}": it is not in the configured catalog`));
      }
      return;
    }
    const n = (this.seq.get(stream) ?? 0) + 1;
    this.seq.set(stream, n);
    let matched = false;
    for (const op of this.s.operations) {
      if (this.stopped) return;
      if (!op.consumes(stream)) continue;
      const ctx = op.context(stream, data);
      let key: unknown;
      let pending: PendingWrite;
      try {
        if (!op.appliesTo(ctx)) continue;
        matched = true;
        key = op.keyOf(data, this.primaryKeys.get(stream)) ?? `#${n}`;
        pending = await op.render(stream, data, ctx, key);
      } catch (e) {
        await this.fail(op, [{ stream, record: data, body: undefined, key: key ?? `#${n}` }], e);
        continue;
      }
      if (!op.batching) {
        await this.send(op, [pending]);
        continue;
      }
      const buffer = this.buffers.get(op) ?? [];
      this.buffers.set(op, buffer);
      buffer.push(pending);
      if (buffer.length >= op.batching.batchSize) await this.flush(op);
    }
    if (!matched) this.unmatched.set(stream, (this.unmatched.get(stream) ?? 0) + 1);
  }

  /** Sends every partial batch: called before a STATE is echoed and at the end of input. */
  async flushAll(): Promise<void> {
    for (const op of this.buffers.keys()) {
      if (this.stopped) return;
      await this.flush(op);
    }
  }

  summary(): void {
    for (const [stream, count] of this.unmatched) {
      this.out.push(logMessage('WARN', `${count} record(s) of stream "${stream}" matched no operation's condition and were not written`));
    }
    for (const [op, c] of this.counters) {
      if (c.requests === 0 && c.failed === 0 && c.deadLettered === 0) continue;
      const verb = this.s.dryRun ? 'prepared (dry run)' : 'written';
      const ignored = c.ignored ? `, ${c.ignored} ignored by the error handler` : '';
      const parked = c.deadLettered ? `, ${c.deadLettered} dead-lettered` : '';
      this.out.push(
        logMessage('INFO', `Operation ${op.name}: ${c.written} record(s) ${verb} in ${c.requests} request(s)${ignored}${parked}, ${c.failed} failed`),
      );
    }
    if (this.captureFailures) this.out.push(logMessage('WARN', `${this.captureFailures} response capture line(s) could not be written`));
  }

  private async flush(op: DestinationOperation): Promise<void> {
    const buffer = this.buffers.get(op);
    if (!buffer || buffer.length === 0) return;
    this.buffers.set(op, []);
    await this.send(op, buffer);
  }

  private async send(op: DestinationOperation, items: PendingWrite[]): Promise<void> {
    if (this.stopped) return;
    const counters = this.counters.get(op)!;
    let response: HttpResponse | undefined;
    try {
      const args = { ...(await op.request(items)), signal: this.s.signal };
      counters.requests++;
      if (this.s.dryRun) {
        const request = viewRequest(await op.requester.prepare({ ...args, withoutAuth: true }), this.s.services.secrets);
        if (this.s.onPrepared) this.s.onPrepared({ operation: op.name, stream: items[0]!.stream, keys: items.map((i) => i.key), request });
        else this.out.push(logMessage('INFO', `DRY RUN ${op.name} ${JSON.stringify(request)}`));
        counters.written += items.length;
        return;
      }
      this.sending = items[0]!.stream;
      this.lastResponse = undefined;
      response = await op.requester.send(args);
      this.sending = undefined;
    } catch (e) {
      this.sending = undefined;
      const answered = this.lastResponse;
      this.lastResponse = undefined;
      if (answered) await this.capture(op, items, answered.status ?? null, reportBody(answered.responseBody?.toString('utf8') ?? ''));
      await this.fail(op, items, e);
      return;
    }
    // No response: the error handler IGNOREd it (logged by the requester). Not an acknowledgement.
    if (response === undefined) counters.ignored += items.length;
    else counters.written += items.length;
    await this.capture(op, items, response?.status ?? null, response ? reportBody(response.text()) : null);
  }

  /**
   * A capture line that cannot be written is a lost report, not a lost record (the write went
   * through): it is warned about once and counted, and the run goes on.
   */
  private async capture(op: DestinationOperation, items: PendingWrite[], status: number | null, body: unknown): Promise<void> {
    if (!this.s.capture) return;
    try {
      await this.s.capture.write({
        operation: op.name,
        stream: items[0]!.stream,
        status,
        key: items.length === 1 ? items[0]!.key : items.map((i) => i.key),
        body,
      });
    } catch (e) {
      if (this.captureFailures++ === 0) this.out.push(logMessage('WARN', `Response capture failed: ${this.reason(e)}`));
    }
  }

  /**
   * A failed record is dead-lettered (the line confirmed on disk before this returns, so a later
   * STATE may cover it) or the run stops; when the dead-letter file itself fails, the run stops too.
   */
  private async fail(op: DestinationOperation, items: PendingWrite[], e: unknown): Promise<void> {
    const counters = this.counters.get(op)!;
    const stream = items[0]!.stream;
    const keys = items.map((i) => JSON.stringify(i.key)).join(', ');
    const reason = this.reason(e);
    const what = items.length === 1 ? `record ${keys}` : `batch of ${items.length} records (${keys})`;
    const message = `Operation ${op.name} failed for stream "${stream}", ${what}: ${reason}`;
    if (this.s.onFailure === 'dead_letter' && this.s.deadLetter) {
      const failedAt = new Date().toISOString();
      let parked = 0;
      try {
        for (const item of items) {
          await this.s.deadLetter.write({ operation: op.name, stream: item.stream, key: item.key, record: item.record, error: reason, failed_at: failedAt });
          parked++;
        }
      } catch (sinkError) {
        counters.deadLettered += parked;
        counters.failed += items.length - parked;
        this.stop(
          `${message}; the dead-letter file could not take it either: ${this.reason(sinkError)}. Stopping: no later STATE is echoed`,
          sinkError,
          stream,
        );
        return;
      }
      counters.deadLettered += items.length;
      this.out.push(logMessage('WARN', `${message} (sent to the dead-letter file)`));
      return;
    }
    counters.failed += items.length;
    this.stop(message, e, stream);
  }

  private stop(message: string, e: unknown, stream: string): void {
    this.stopped = true;
    const failureType = isManifoldError(e) ? e.failureType : 'system_error';
    this.out.push(errorTrace(message, failureType, { stream, internalMessage: isManifoldError(e) ? e.internalMessage : undefined }));
  }

  private reason(e: unknown): string {
    return this.s.services.secrets.mask(isManifoldError(e) ? e.describe() : ((e as Error)?.message ?? String(e)));
  }
}
