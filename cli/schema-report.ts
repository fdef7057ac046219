/** `read --check-schema`: LOG warnings for records that do not fit their stream's schema. */
import { logMessage, type AirbyteCatalog, type AirbyteLogMessage } from '../engine/protocol/messages.js';
import { RecordChecker } from '../engine/schema/record-checker.js';
import type { Obj } from '../engine/types.js';

/** Each distinct problem (stream, field, expected) is shown once, then counted. */
export class SchemaReport {
  private readonly checkers = new Map<string, RecordChecker>();
  private readonly seen = new Map<string, number>();

  constructor(catalog: AirbyteCatalog) {
    for (const s of catalog.streams) this.checkers.set(s.name, new RecordChecker(s.json_schema, s.source_defined_primary_key ?? []));
  }

  check(stream: string, record: Obj): AirbyteLogMessage | undefined {
    const problems = this.checkers.get(stream)?.check(record) ?? [];
    const fresh: string[] = [];
    for (const p of problems) {
      const key = `${stream}\u0000${p.field}\u0000${p.expected}`;
      const n = this.seen.get(key) ?? 0;
      this.seen.set(key, n + 1);
      if (n === 0) fresh.push(`field ${p.field}: expected ${p.expected}, got ${p.got}`);
    }
    return fresh.length ? logMessage('WARN', `Schema mismatch in stream ${stream}: ${fresh.join('; ')}`) : undefined;
  }

  summary(): AirbyteLogMessage[] {
    if (this.seen.size === 0) return [logMessage('INFO', 'Schema check: every record fits its declared schema')];
    return [...this.seen].map(([key, n]) => {
      const [stream, field, expected] = key.split('\u0000');
      return logMessage('WARN', `Schema check: ${n} record(s) of ${stream} have ${field} not matching ${expected}`);
    });
  }
}
