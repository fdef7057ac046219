/**
 * Where each message of `read` goes. stdout gets the Airbyte protocol, except what another flag
 * takes over: RECORD and STATE go to the --output folder, the schema report's warnings are added
 * before the records they are about, progress follows records and stream statuses, CONTROL config
 * updates reach the config file. A limited test read (--limit-…) emits no STATE at all: a state
 * taken from a truncated read would make the next run skip what this one never read.
 */
import { logMessage, type AirbyteLogMessage, type AirbyteMessage } from '../engine/protocol/messages.js';
import { LEVEL_RANK, type LogLevel } from '../engine/services.js';
import type { ReadInterruption } from './interrupt.js';
import type { LineWriter } from './output.js';
import type { OutputDir } from './output-dir.js';
import type { Progress } from './progress.js';
import type { SchemaReport } from './schema-report.js';

export interface ReadRoutes {
  out: LineWriter;
  /** The least severe LOG level shown (the engine filters its own LOGs; the CLI's are filtered here). */
  level: LogLevel;
  interruption: ReadInterruption;
  onConfig: (message: AirbyteMessage) => Promise<void>;
  output?: OutputDir | undefined;
  progress?: Progress | undefined;
  checker?: SchemaReport | undefined;
  /** The --limit-… flags given (a test read), if any. */
  limitFlags: string[];
  /**
   * stdout is a terminal and records go to --output: what is left on stdout is for a person, so
   * LOG and error TRACE messages are printed as plain lines and stream statuses (shown by the
   * progress block and the summary) are left out.
   */
  plainStdout?: boolean | undefined;
}

export class ReadRouter {
  /** false once a stream (or the read) failed. */
  ok = true;
  private stateDropped = false;

  constructor(private readonly routes: ReadRoutes) {}

  /** The first messages of a read: a test read says up front that it emits no state. */
  async start(): Promise<void> {
    const { limitFlags } = this.routes;
    if (limitFlags.length === 0) return;
    await this.writeLog(
      logMessage(
        'INFO',
        `Test read (${limitFlags.join(', ')}): no STATE is emitted or saved, since a state from a truncated read would make the next run skip what this one did not read`,
      ),
    );
  }

  /** Whether STATE messages were held back (a test read). */
  get droppedState(): boolean {
    return this.stateDropped;
  }

  async route(message: AirbyteMessage): Promise<void> {
    const { output, progress, checker, onConfig, limitFlags } = this.routes;
    if (message.type === 'TRACE' && message.trace.type === 'ERROR') this.ok = false;
    if (message.type === 'CONTROL') await onConfig(message);
    if (progress) trackProgress(progress, message);
    if (message.type === 'STATE' && limitFlags.length) {
      this.stateDropped = true;
      return;
    }
    if (checker && message.type === 'RECORD') {
      const report = checker.check(message.record.stream, message.record.data);
      if (report) await this.writeLog(report);
    }
    if (output) {
      await output.observe(message);
      if (message.type === 'RECORD' || message.type === 'STATE') {
        await output.write(message);
        return;
      }
    }
    await this.write(message);
  }

  /** The schema report's closing summary. */
  async summary(): Promise<void> {
    if (!this.routes.checker) return;
    for (const m of this.routes.checker.summary()) await this.writeLog(m);
  }

  /** What closes an interrupted read (INCOMPLETE statuses and an error TRACE). */
  async interrupted(): Promise<void> {
    this.ok = false;
    for (const m of this.routes.interruption.closingMessages()) await this.write(m, false);
  }

  /** A LOG made by the CLI itself, filtered by --log-level the way the engine filters its own. */
  private async writeLog(message: AirbyteLogMessage): Promise<void> {
    if (LEVEL_RANK[message.log.level as LogLevel] <= LEVEL_RANK[this.routes.level]) await this.write(message);
  }

  private async write(message: AirbyteMessage, track = true): Promise<void> {
    const { out, interruption } = this.routes;
    if (this.routes.plainStdout) {
      const line = plainLine(message);
      if (track) interruption.written(message);
      if (line !== undefined) {
        if (this.routes.progress) this.routes.progress.above(line);
        else process.stdout.write(`${line}\n`);
      }
      return;
    }
    const pending = out.write(message);
    if (track) interruption.written(message);
    if (pending) await pending;
  }
}

function trackProgress(progress: Progress, message: AirbyteMessage): void {
  if (message.type === 'RECORD') progress.record(message.record.stream);
  else if (message.type === 'TRACE' && message.trace.stream_status) {
    const { status, stream_descriptor } = message.trace.stream_status;
    if (status === 'COMPLETE' || status === 'INCOMPLETE') progress.finish(stream_descriptor.name, status === 'COMPLETE');
  }
}

/** A message as a person reads it on a terminal; undefined for what the progress block already shows. */
function plainLine(message: AirbyteMessage): string | undefined {
  if (message.type === 'LOG') return `${message.log.level} ${message.log.message}`;
  if (message.type === 'TRACE' && message.trace.type === 'ERROR' && message.trace.error) {
    const stream = message.trace.error.stream_descriptor?.name;
    return `ERROR ${stream ? `[${stream}] ` : ''}${message.trace.error.message}`;
  }
  if (message.type === 'CONTROL') return 'INFO the connector changed its config (CONTROL message)';
  return undefined;
}
