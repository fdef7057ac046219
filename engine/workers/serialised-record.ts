/**
 * RECORD messages as they cross from a read worker to the thread that writes: JSON text, one line
 * per record, never record objects (structured-cloning a page of records costs about as much as
 * parsing it). The writer copies `line` out as it is; a consumer that looks at `record` pays one
 * JSON.parse of that line, on first access.
 */
import type { AirbyteRecordMessage } from '../protocol/messages.js';

export class SerialisedRecord {
  readonly type = 'RECORD' as const;
  private parsed: AirbyteRecordMessage['record'] | undefined;

  /**
   * The message's JSON line is `bytes[start, end)` (UTF-8, no newline). Records of one page share
   * `bytes`, one after the other with a newline between, so a writer can pass runs of them on
   * without copying.
   */
  constructor(
    readonly bytes: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  get line(): string {
    return this.bytes.toString('utf8', this.start, this.end);
  }

  get record(): AirbyteRecordMessage['record'] {
    return (this.parsed ??= (JSON.parse(this.line) as AirbyteRecordMessage).record);
  }

  /** JSON.stringify(message) gives the same text as for a plain RECORD message. */
  toJSON(): AirbyteRecordMessage {
    return { type: 'RECORD', record: this.record };
  }
}

/** The records of one wire chunk (UTF-8 lines, each ending with a newline). */
export function splitLines(bytes: Buffer, into: unknown[]): void {
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    into.push(new SerialisedRecord(bytes, start, end));
    start = end + 1;
  }
}

/**
 * Serialises RECORD messages in a worker: the envelope is written once per stream and only the
 * record's data goes through JSON.stringify (same bytes and key order as stringifying the message).
 */
export class RecordLines {
  private readonly prefixes = new Map<string, string>();

  line(message: AirbyteRecordMessage): string {
    const record = message.record as AirbyteRecordMessage['record'] & { meta?: unknown };
    if (record.namespace !== undefined || record.meta !== undefined || !hasTwoKeys(message)) return JSON.stringify(message);
    let prefix = this.prefixes.get(record.stream);
    if (prefix === undefined) {
      prefix = `{"type":"RECORD","record":{"stream":${JSON.stringify(record.stream)},"data":`;
      this.prefixes.set(record.stream, prefix);
    }
    return `${prefix}${JSON.stringify(record.data)},"emitted_at":${record.emitted_at}}}`;
  }
}

/** `Object.keys(m).length === 2` without an array per record. */
function hasTwoKeys(m: object): boolean {
  let n = 0;
  for (const _ in m) if (++n > 2) return false;
  return n === 2;
}
