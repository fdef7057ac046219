/**
 * One stream's part of a read, as Airbyte messages: STARTED, RUNNING, its RECORDs (a page at a
 * time), STATE checkpoints with the count of records they cover, COMPLETE — or an error TRACE and
 * INCOMPLETE. A failure stays inside the stream so the others go on.
 */
import type { ReadStreamOptions, Stream, StreamBatchEvent, StreamEvent } from '../contracts.js';
import { logMessage, recordMessage, streamStateMessage, streamStatusTrace, type AirbyteMessage } from '../protocol/messages.js';
import type { Obj, StreamSlice } from '../types.js';
import { missingPrimaryKeyFields, missingPrimaryKeyMessage } from '../schema/primary-key.js';

export async function* streamMessages(
  stream: Stream,
  traceFor: (error: unknown) => AirbyteMessage,
  opts: {
    syncMode: 'full_refresh' | 'incremental';
    state: Obj | undefined;
    cursorField: string[] | undefined;
    limits: ReadStreamOptions['limits'];
    signal: AbortSignal | undefined;
    concurrency: number;
    onFailure: () => void;
    onPage: ((event: { stream: string; records: number; url: string; status: number; slice: StreamSlice }) => void) | undefined;
  },
): AsyncGenerator<AirbyteMessage[]> {
  const name = stream.name;
  yield [streamStatusTrace(name, 'STARTED')];
  let sinceState = 0;
  let total = 0;
  let running = false;
  const limit = opts.limits?.records;
  // Checked record by record until the first miss, then no more: one WARN per stream.
  let primaryKeyChecked = stream.primaryKey.length === 0;
  try {
    const readOptions: ReadStreamOptions = {
      syncMode: opts.syncMode,
      state: opts.state,
      cursorField: opts.cursorField,
      signal: opts.signal,
      limits: opts.limits,
      concurrency: opts.concurrency,
      onPage: opts.onPage ? (e) => opts.onPage!({ stream: name, records: e.records, url: e.url, status: e.status, slice: e.slice }) : undefined,
    };
    const events = stream.readBatches ? stream.readBatches(readOptions) : recordsAsBatches(stream.read(readOptions));
    for await (const event of events) {
      if (event.kind === 'records') {
        let records = event.data;
        if (records.length === 0) continue;
        if (limit !== undefined && total + records.length > limit) records = records.slice(0, limit - total);
        const out: AirbyteMessage[] = [];
        if (!running) {
          running = true;
          out.push(streamStatusTrace(name, 'RUNNING'));
        }
        if (!primaryKeyChecked) {
          for (let i = 0; i < records.length; i++) {
            const missing = missingPrimaryKeyFields(records[i]!, stream.primaryKey);
            if (missing.length === 0) continue;
            out.push(logMessage('WARN', missingPrimaryKeyMessage(name, missing)));
            primaryKeyChecked = true;
            break;
          }
        }
        // One clock read per page: the records of a page are emitted together.
        const emittedAt = Date.now();
        for (let i = 0; i < records.length; i++) out.push(recordMessage(name, records[i]!, emittedAt));
        sinceState += records.length;
        total += records.length;
        yield out;
        if (limit !== undefined && total >= limit) break;
      } else if (event.kind === 'state') {
        yield [streamStateMessage(name, event.state, sinceState)];
        sinceState = 0;
      } else {
        yield [logMessage(event.level, event.message)];
      }
    }
    yield [streamStatusTrace(name, 'COMPLETE')];
  } catch (e) {
    opts.onFailure();
    yield [traceFor(e), streamStatusTrace(name, 'INCOMPLETE')];
  }
}

/** Streams without readBatches: each record as a batch of one. */
async function* recordsAsBatches(events: AsyncIterable<StreamEvent>): AsyncGenerator<StreamBatchEvent> {
  for await (const event of events) {
    if (event.kind === 'record') yield { kind: 'records', data: [event.data], slice: event.slice };
    else yield event;
  }
}
