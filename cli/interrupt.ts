/**
 * SIGINT / SIGTERM during a read (Ctrl-C, a platform cancelling the sync, `docker stop`): the read
 * stops requesting, nothing produced after the signal is written (so no STATE can cover a record
 * that was not written), the streams still running are marked INCOMPLETE, an error TRACE says the
 * sync was interrupted, stdout is flushed and the exit code is 128 + the signal number (130, 143).
 * A second signal, or a stop that takes longer than STOP_GRACE_MS, exits at once.
 */
import { constants } from 'node:os';
import { errorTrace, streamStatusTrace, type AirbyteMessage } from '../engine/protocol/messages.js';

const STOP_GRACE_MS = 10_000;

export class ReadInterruption {
  private readonly controller = new AbortController();
  private received: NodeJS.Signals | undefined;
  /** Streams STARTED on stdout and not yet COMPLETE/INCOMPLETE there. */
  private readonly running = new Set<string>();

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.received) this.exitNow(signal, 'second signal');
    this.received = signal;
    process.stderr.write(`manifold: ${signal} received: stopping the read (no new requests)\n`);
    this.controller.abort(new Error(`interrupted by ${signal}`));
    setTimeout(() => this.exitNow(signal, `the read did not stop within ${STOP_GRACE_MS / 1000} s`), STOP_GRACE_MS).unref();
  };

  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** Aborts the engine's requests, waits and sleeps once a signal came. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get interrupted(): boolean {
    return this.received !== undefined;
  }

  /** Follows the stream statuses actually written. */
  written(message: AirbyteMessage): void {
    if (message.type !== 'TRACE' || !message.trace.stream_status) return;
    const { status, stream_descriptor } = message.trace.stream_status;
    if (status === 'STARTED') this.running.add(stream_descriptor.name);
    else if (status === 'COMPLETE' || status === 'INCOMPLETE') this.running.delete(stream_descriptor.name);
  }

  /** What closes an interrupted read's output. */
  closingMessages(): AirbyteMessage[] {
    const messages: AirbyteMessage[] = [...this.running].map((name) => streamStatusTrace(name, 'INCOMPLETE'));
    messages.push(
      errorTrace(
        `The sync was interrupted by ${this.received} before it finished; a run started from the last STATE message reads again what came after it and skips nothing`,
        'transient_error',
      ),
    );
    return messages;
  }

  /** 128 + signal number, the shell's convention for a process ended by a signal. */
  exitCode(): number | undefined {
    return this.received ? 128 + (constants.signals[this.received] ?? 15) : undefined;
  }

  dispose(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  private exitNow(signal: NodeJS.Signals, why: string): never {
    process.stderr.write(`manifold: ${why}: exiting now\n`);
    process.exit(128 + (constants.signals[signal] ?? 15));
  }
}
