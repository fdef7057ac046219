/**
 * `manifold write --sample N` and `manifold write --test-record FILE`: what a destination config
 * would send, before a sync is switched on. Both print for a person (not Airbyte messages):
 * each request as method, URL, headers (secrets masked) and body; the test send adds the answer.
 */
import { ConfigError } from '../../engine/errors/manifold-error.js';
import type { Destination } from '../../engine/destination/destination.js';
import type { RequestView } from '../../engine/destination/request-view.js';
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../../engine/protocol/messages.js';
import type { Obj } from '../../engine/types.js';
import { readJsonFile } from '../io.js';

type Print = (text: string) => void;

export async function printSample(
  destination: Destination,
  config: Obj,
  catalog: ConfiguredAirbyteCatalog | undefined,
  input: AsyncIterable<unknown>,
  count: number,
  print: Print,
): Promise<boolean> {
  const { requests, messages } = await destination.preview(config, catalog, input, count);
  const ok = reportMessages(messages);
  requests.forEach((r, i) => {
    const keys = r.keys.length === 1 ? `record ${JSON.stringify(r.keys[0])}` : `${r.keys.length} records (${r.keys.map((k) => JSON.stringify(k)).join(', ')})`;
    print(`# request ${i + 1} of ${requests.length}: operation ${r.operation}, stream "${r.stream}", ${keys} — not sent\n${formatRequest(r.request)}\n`);
  });
  if (requests.length === 0 && ok) process.stderr.write('manifold: no request: the input has no record the destination would write\n');
  return ok;
}

export interface TestRecordOptions {
  file: string;
  stream?: string | undefined;
  confirmed: boolean;
}

export async function sendTestRecord(
  destination: Destination,
  config: Obj,
  catalog: ConfiguredAirbyteCatalog | undefined,
  options: TestRecordOptions,
  print: Print,
): Promise<boolean> {
  const { stream, data } = await readTestRecord(options, catalog);
  const results = await destination.sendTestRecord(config, stream, data, { catalog, confirmed: options.confirmed });
  let ok = true;
  for (const r of results) {
    print(`# operation ${r.operation}, stream "${stream}", record ${JSON.stringify(r.key)} — sent\n${formatRequest(r.request)}\n`);
    const answer = r.status === null ? 'no response' : `HTTP ${r.status}`;
    print(`# response\n${answer}${r.body === null || r.body === undefined ? '' : `\n${formatBody(r.body)}`}\n`);
    if (r.error !== undefined) {
      ok = false;
      process.stderr.write(`manifold: the test write failed: ${r.error}\n`);
    }
  }
  return ok;
}

/** FILE holds an Airbyte RECORD message, or just the record's data (the stream then comes from --stream or the catalog). */
async function readTestRecord(options: TestRecordOptions, catalog: ConfiguredAirbyteCatalog | undefined): Promise<{ stream: string; data: Obj }> {
  const value = await readJsonFile(options.file, 'test record');
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError(`test record file ${options.file} must hold a JSON object: the record, or an Airbyte RECORD message`);
  const message = value as { type?: unknown; record?: { stream?: unknown; data?: unknown } };
  if (message.type === 'RECORD') {
    if (!message.record || typeof message.record.stream !== 'string' || !message.record.data || typeof message.record.data !== 'object') {
      throw new ConfigError(`test record file ${options.file} holds a RECORD message without record.stream and record.data`);
    }
    return { stream: options.stream ?? message.record.stream, data: message.record.data as Obj };
  }
  const only = catalog?.streams.length === 1 ? catalog.streams[0]!.stream.name : undefined;
  return { stream: options.stream ?? only ?? 'test_record', data: value as Obj };
}

function formatRequest(r: RequestView): string {
  const lines = [`${r.method} ${r.url}`, ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`)];
  if (r.body !== undefined) lines.push('', formatBody(r.body));
  return lines.join('\n');
}

function formatBody(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body, null, 2);
}

/** Warnings and errors of the preview go to stderr; false when one is an error. */
function reportMessages(messages: AirbyteMessage[]): boolean {
  let ok = true;
  for (const m of messages) {
    if (m.type === 'LOG' && (m.log.level === 'WARN' || m.log.level === 'ERROR' || m.log.level === 'FATAL'))
      process.stderr.write(`manifold: ${m.log.message}\n`);
    if (m.type === 'TRACE' && m.trace.type === 'ERROR') {
      ok = false;
      process.stderr.write(`manifold: ${m.trace.error?.message ?? 'error'}\n`);
    }
  }
  return ok;
}
