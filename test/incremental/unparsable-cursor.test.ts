/**
 * Record cursor values no format parses: the record is emitted (never dropped), the state does not
 * move for it, and one WARN log names the stream, the field and the value. Airbyte's
 * ConcurrentCursor also emits and logs; its per-partition cursor raises, which we do not copy.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Source } from '../../engine/source/source.js';
import { setNowForTesting } from '../../engine/interpolation/datetime.js';
import type { Obj } from '../../engine/types.js';

const manifest = (incremental: string, router = ''): string => `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
streams:
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: http://api.test, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
${router}
    incremental_sync:
${incremental}
`;
const DATETIME = `
      type: DatetimeBasedCursor
      cursor_field: updated_at
      start_datetime: "2024-07-01"
      datetime_format: "%Y-%m-%d"`;
const ROUTER = `
      partition_router: { type: ListPartitionRouter, cursor_field: account, values: [a] }`;

let body: Obj[] = [];
const server = setupServer(http.get('http://api.test/items', () => HttpResponse.json(body)));
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  setNowForTesting(new Date('2024-07-15T00:00:00Z'));
});
afterEach(() => server.resetHandlers());
afterAll(() => {
  server.close();
  setNowForTesting(undefined);
});

async function read(text: string): Promise<{ records: Obj[]; states: Obj[]; warnings: string[]; errors: string[] }> {
  const source = await Source.fromText(text, 'm.yaml', { logLevel: 'WARN' });
  const out = { records: [] as Obj[], states: [] as Obj[], warnings: [] as string[], errors: [] as string[] };
  const catalog = { streams: [{ stream: { name: 'items' }, sync_mode: 'incremental' }] };
  for await (const m of source.read({}, catalog as never, undefined)) {
    const msg = m as unknown as {
      type: string;
      record?: { data: Obj };
      state?: { stream: { stream_state: Obj } };
      log?: { level: string; message: string };
      trace?: { error?: { message: string } };
    };
    if (msg.type === 'RECORD') out.records.push(msg.record!.data);
    if (msg.type === 'STATE') out.states.push(msg.state!.stream.stream_state);
    if (msg.type === 'LOG' && msg.log!.level === 'WARN') out.warnings.push(msg.log!.message);
    if (msg.type === 'TRACE' && msg.trace?.error) out.errors.push(msg.trace.error.message);
  }
  return out;
}

describe('unparsable record cursor values', () => {
  beforeAll(() => {
    body = [
      { id: 1, updated_at: '2024-07-03' },
      { id: 2, updated_at: 'last tuesday' },
      { id: 3, updated_at: 'also bad' },
    ];
  });

  it('DatetimeBasedCursor: every record is emitted, the state ignores the bad value, one warning locates the stream and names field and value', async () => {
    const out = await read(manifest(DATETIME));
    expect(out.errors).toEqual([]);
    expect(out.records.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(out.states.at(-1)).toEqual({ updated_at: '2024-07-03' });
    const warnings = out.warnings.filter((w) => w.includes("cursor field 'updated_at'"));
    expect(warnings).toHaveLength(1);
    // The stream by its manifest path (its name when $parameters carries one).
    expect(warnings[0]).toMatch(/^streams\[0\]\.incremental_sync: /);
    expect(warnings[0]).toMatch(/"last tuesday"/);
  });

  it('per-partition cursor: the same (the CDK would fail the sync here)', async () => {
    const out = await read(manifest(DATETIME, ROUTER));
    expect(out.errors).toEqual([]);
    expect(out.records.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(out.states.at(-1)).toMatchObject({
      states: [{ partition: { account: 'a' }, cursor: { updated_at: '2024-07-03' } }],
      state: { updated_at: '2024-07-03' },
    });
    expect(out.warnings.filter((w) => w.includes('"last tuesday"'))).toHaveLength(1);
  });

  it('IncrementingCountCursor: a non-numeric value is emitted and warned about', async () => {
    body = [{ id: 5 }, { id: 'x7' }];
    const out = await read(
      manifest(`
      type: IncrementingCountCursor
      cursor_field: id
      start_value: 0`),
    );
    expect(out.records.map((r) => r.id)).toEqual([5, 'x7']);
    expect(out.states.at(-1)).toEqual({ id: 5 });
    expect(out.warnings.filter((w) => w.includes("cursor field 'id'") && w.includes('"x7"'))).toHaveLength(1);
  });
});
