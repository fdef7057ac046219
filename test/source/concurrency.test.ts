/**
 * Streams run concurrently up to the configured level, and the message stream stays valid:
 * per stream, records of a slice come before the state that covers them, states never go back.
 * (How much faster that makes a sync is measured by `npm run bench`, not asserted here.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Source } from '../../engine/index.js';
import type { AirbyteMessage } from '../../engine/index.js';
import { json, startServer, type TestServer } from '../helpers/http-server.js';

const STREAMS = 6;
let server: TestServer;
let inFlight = 0;
let peak = 0;

function manifest(concurrency?: number): string {
  const streams = Array.from(
    { length: STREAMS },
    (_, i) => `
  - type: DeclarativeStream
    name: s${i}
    primary_key: id
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config.base_url }}"
        path: /items/${i}
        request_parameters:
          day: "{{ stream_interval.start_time }}"
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"
      end_datetime: "2024-01-03"
      step: P1D
      cursor_granularity: P1D
    schema_loader:
      type: InlineSchemaLoader
      schema: { type: object }`,
  ).join('');
  return `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [s0] }
${concurrency ? `concurrency_level:\n  type: ConcurrencyLevel\n  default_concurrency: ${concurrency}\n` : ''}
streams:${streams}
spec:
  type: Spec
  connection_specification:
    type: object
    properties: { base_url: { type: string } }
`;
}

beforeAll(async () => {
  const routes: Record<string, Parameters<typeof startServer>[0][string]> = {};
  for (let i = 0; i < STREAMS; i++) {
    routes[`/items/${i}`] = async (req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 40));
      inFlight--;
      json(res, 200, { data: [{ id: `${i}-${req.query.day}`, updated: req.query.day }] });
    };
  }
  server = await startServer(routes);
});

afterAll(async () => server.close());

async function readAll(text: string, concurrency?: number): Promise<AirbyteMessage[]> {
  const source = await Source.fromText(text, 'concurrency.yaml', { logLevel: 'ERROR' });
  const catalog = { streams: Array.from({ length: STREAMS }, (_, i) => ({ stream: { name: `s${i}` }, sync_mode: 'incremental' as const })) };
  const out: AirbyteMessage[] = [];
  for await (const m of source.read({ base_url: server.url }, catalog, undefined, concurrency ? { concurrency } : {})) out.push(m);
  return out;
}

function checkValidOrder(messages: AirbyteMessage[]): void {
  for (let i = 0; i < STREAMS; i++) {
    const name = `s${i}`;
    const mine = messages.filter(
      (m) => (m.type === 'RECORD' && m.record.stream === name) || (m.type === 'STATE' && m.state.stream?.stream_descriptor.name === name),
    );
    // Each state covers exactly the records since the previous one, and moves forward.
    let sinceState = 0;
    let lastCursor = '';
    for (const m of mine) {
      if (m.type === 'RECORD') sinceState++;
      else if (m.type === 'STATE') {
        expect(m.state.sourceStats?.recordCount).toBe(sinceState);
        const cursor = String((m.state.stream!.stream_state as { updated?: string }).updated);
        expect(cursor >= lastCursor).toBe(true);
        lastCursor = cursor;
        sinceState = 0;
      }
    }
    expect(mine.filter((m) => m.type === 'RECORD')).toHaveLength(3);
    expect(lastCursor).toBe('2024-01-03');
  }
}

describe('stream concurrency', () => {
  it('reads streams one at a time at concurrency 1', async () => {
    peak = 0;
    const messages = await readAll(manifest(), 1);
    expect(peak).toBe(1);
    checkValidOrder(messages);
  });

  it('reads all streams at once when the concurrency allows, keeping the message stream valid', async () => {
    peak = 0;
    const messages = await readAll(manifest(), STREAMS);
    expect(peak).toBe(STREAMS);
    checkValidOrder(messages);
  });

  it("takes the manifest's concurrency_level when no override is given", async () => {
    peak = 0;
    const messages = await readAll(manifest(3));
    expect(peak).toBe(3);
    checkValidOrder(messages);
  });
});
