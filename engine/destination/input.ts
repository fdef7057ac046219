/**
 * The destination's input: Airbyte messages, each either an object (library callers) or a raw
 * line of text (the CLI's stdin) so problems can be reported by line number. A message the write
 * loop cannot use is "bad input" and is never dropped silently.
 */
import type { Obj } from '../types.js';

/** One line of text as read from the input, numbered from 1. */
export class InputLine {
  constructor(
    readonly line: number,
    readonly text: string,
  ) {}
}

export type InputMessage =
  | { kind: 'record'; stream: string; data: Obj }
  | { kind: 'state'; message: Obj }
  /** A message the destination has no use for (LOG, TRACE, a non-JSON text line). */
  | { kind: 'other' }
  | { kind: 'bad'; problem: string };

/** Message types of the Airbyte protocol; the destination acts on RECORD and STATE only. */
const KNOWN_TYPES = new Set(['RECORD', 'STATE', 'LOG', 'TRACE', 'SPEC', 'CATALOG', 'CONNECTION_STATUS', 'CONTROL', 'DESTINATION_CATALOG']);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

/** Where an input item came from, as messages say it: `line 7` or `input message 7`. */
export function positionOf(item: unknown, index: number): string {
  return item instanceof InputLine ? `line ${item.line}` : `input message ${index + 1}`;
}

export function readInputMessage(item: unknown): InputMessage {
  let value = item;
  if (item instanceof InputLine) {
    const text = item.text.trim();
    // Text that does not even start like a JSON object is not a message (the protocol lets
    // connectors print such lines); a line that starts like one but does not parse was cut.
    if (!text.startsWith('{')) return { kind: 'other' };
    try {
      value = JSON.parse(text);
    } catch (e) {
      return { kind: 'bad', problem: `not valid JSON (${(e as Error).message})` };
    }
  }
  if (!isObj(value)) return { kind: 'bad', problem: `a message must be a JSON object, got ${kindOf(value)}` };
  const type = value.type;
  if (typeof type !== 'string') return { kind: 'bad', problem: 'the message has no "type"' };
  if (!KNOWN_TYPES.has(type)) return { kind: 'bad', problem: `unknown message type ${JSON.stringify(type)}` };
  if (type === 'STATE') return isObj(value.state) ? { kind: 'state', message: value } : { kind: 'bad', problem: 'STATE has no "state" object' };
  if (type !== 'RECORD') return { kind: 'other' };
  const record = value.record;
  if (!isObj(record)) return { kind: 'bad', problem: 'RECORD has no "record" object' };
  if (typeof record.stream !== 'string' || !record.stream) return { kind: 'bad', problem: 'RECORD has no "stream"' };
  if (!isObj(record.data)) return { kind: 'bad', problem: `RECORD of stream "${record.stream}": "data" is ${kindOf(record.data)}, not an object` };
  return { kind: 'record', stream: record.stream, data: record.data };
}
