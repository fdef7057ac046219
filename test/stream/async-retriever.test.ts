/**
 * AsyncRetriever through the real loader and HTTP stack (msw): create a job per partition, poll
 * until done, download each file the polling response lists (CSV), select and transform records;
 * failed and timed-out jobs are retried, then fail the read with the right failure type.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { loadComponents } from '../../engine/components.js';
import { buildComponent, loadManifestText } from '../../engine/manifest/index.js';
import { createServices } from '../../engine/services.js';
import type { Stream, StreamEvent } from '../../engine/contracts.js';
import { ManifoldError } from '../../engine/errors/manifold-error.js';
import type { Obj } from '../../engine/types.js';

const manifest = (extra: string) => `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [report] }
definitions:
  api: { type: HttpRequester, url_base: http://api.test }
streams:
  - type: DeclarativeStream
    name: report
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    transformations:
      - type: AddFields
        fields: [{ type: AddedFieldDefinition, path: [region], value: "{{ stream_partition.region }}" }]
    retriever:
      type: AsyncRetriever
      partition_router: { type: ListPartitionRouter, values: [us, eu], cursor_field: region }
      creation_requester:
        $ref: "#/definitions/api"
        path: /reports
        http_method: POST
        request_body_json: { region: "{{ stream_partition.region }}", since: "{{ config.start }}" }
      polling_requester: { $ref: "#/definitions/api", path: "/reports/{{ creation_response['id'] }}" }
      delete_requester: { $ref: "#/definitions/api", path: "/reports/{{ creation_response.id }}", http_method: DELETE }
      abort_requester: { $ref: "#/definitions/api", path: "/reports/{{ creation_response.id }}/cancel", http_method: POST }
      status_extractor: { type: DpathExtractor, field_path: [status] }
      status_mapping: { type: AsyncJobStatusMap, running: [PENDING], completed: [DONE], failed: [ERROR], timeout: [EXPIRED] }
      download_target_extractor: { type: DpathExtractor, field_path: [files] }
      download_requester: { type: HttpRequester, url_base: "{{ download_target }}", http_method: GET }
      download_decoder: { type: GzipDecoder, decoder: { type: CsvDecoder } }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
${extra}
`;

const requests: string[] = [];
let mode: 'ok' | 'failed' | 'running' | 'weird' = 'ok';
const polls = new Map<string, number>();

const server = setupServer(
  http.post('http://api.test/reports', async ({ request }) => {
    const body = (await request.json()) as Obj;
    requests.push(`POST /reports ${JSON.stringify(body)}`);
    return HttpResponse.json({ id: `job-${String(body.region)}` });
  }),
  http.get('http://api.test/reports/:id', ({ params }) => {
    const id = String(params.id);
    requests.push(`GET /reports/${id}`);
    const n = (polls.get(id) ?? 0) + 1;
    polls.set(id, n);
    if (mode === 'failed') return HttpResponse.json({ status: 'ERROR' });
    if (mode === 'running') return HttpResponse.json({ status: 'PENDING' });
    if (mode === 'weird') return HttpResponse.json({ status: 'PAUSED' });
    if (n < 2) return HttpResponse.json({ status: 'PENDING' });
    return HttpResponse.json({ status: 'DONE', files: [`http://files.test/${id}/1.csv`, `http://files.test/${id}/2.csv`] });
  }),
  http.delete('http://api.test/reports/:id', ({ params }) => {
    requests.push(`DELETE /reports/${String(params.id)}`);
    return new HttpResponse(null, { status: 204 });
  }),
  http.post('http://api.test/reports/:id/cancel', ({ params }) => {
    requests.push(`POST /reports/${String(params.id)}/cancel`);
    return HttpResponse.json({});
  }),
  http.get('http://files.test/:job/:file', ({ params }) => {
    const job = String(params.job);
    const file = String(params.file);
    requests.push(`GET files/${job}/${file}`);
    const n = file === '1.csv' ? 1 : 3;
    const csv = `id,amount\n${job}-${n},${n * 10}\n${job}-${n + 1},${(n + 1) * 10}\n`;
    return new HttpResponse(gzipSync(Buffer.from(csv)), { headers: { 'Content-Type': 'application/octet-stream' } });
  }),
);

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  await loadComponents();
});
afterEach(() => {
  requests.length = 0;
  polls.clear();
  mode = 'ok';
});
afterAll(() => server.close());

function stream(extra = ''): Stream {
  const { root } = loadManifestText(manifest(extra), 'manifest.yaml');
  const node = (root.streams as Obj[])[0];
  return buildComponent<Stream>(
    node,
    'streams[0]',
    { start: '2024-01-01' },
    createServices({ logSink: () => undefined, backoffScale: 0.001 }),
    'DeclarativeStream',
  );
}

async function read(s: Stream): Promise<Obj[]> {
  const out: Obj[] = [];
  for await (const e of s.read({ syncMode: 'full_refresh', concurrency: 1 }) as AsyncIterable<StreamEvent>) if (e.kind === 'record') out.push(e.data);
  return out;
}

async function failure(s: Stream): Promise<ManifoldError> {
  const error = await read(s).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifoldError);
  return error as ManifoldError;
}

describe('AsyncRetriever', () => {
  it('creates a job per partition, polls until done, downloads every file and deletes the job', async () => {
    const records = await read(stream());
    expect(requests).toEqual([
      'POST /reports {"region":"us","since":"2024-01-01"}',
      'GET /reports/job-us',
      'GET /reports/job-us',
      'GET files/job-us/1.csv',
      'GET files/job-us/2.csv',
      'DELETE /reports/job-us',
      'POST /reports {"region":"eu","since":"2024-01-01"}',
      'GET /reports/job-eu',
      'GET /reports/job-eu',
      'GET files/job-eu/1.csv',
      'GET files/job-eu/2.csv',
      'DELETE /reports/job-eu',
    ]);
    expect(records).toEqual([
      { id: 'job-us-1', amount: '10', region: 'us' },
      { id: 'job-us-2', amount: '20', region: 'us' },
      { id: 'job-us-3', amount: '30', region: 'us' },
      { id: 'job-us-4', amount: '40', region: 'us' },
      { id: 'job-eu-1', amount: '10', region: 'eu' },
      { id: 'job-eu-2', amount: '20', region: 'eu' },
      { id: 'job-eu-3', amount: '30', region: 'eu' },
      { id: 'job-eu-4', amount: '40', region: 'eu' },
    ]);
  });

  it('starts a failed job again, then fails the read as a config error after 3 attempts', async () => {
    mode = 'failed';
    const error = await failure(stream('      failed_retry_wait_time_in_seconds: 1'));
    expect(error.failureType).toBe('config_error');
    expect(error.message).toMatch(/async job as failed 3 times/);
    const us = requests.filter((r) => r.includes('us') || r.includes('job-us'));
    expect(us).toEqual([
      'POST /reports {"region":"us","since":"2024-01-01"}',
      'GET /reports/job-us',
      'DELETE /reports/job-us',
      'POST /reports {"region":"us","since":"2024-01-01"}',
      'GET /reports/job-us',
      'DELETE /reports/job-us',
      'POST /reports {"region":"us","since":"2024-01-01"}',
      'GET /reports/job-us',
      'DELETE /reports/job-us',
    ]);
    expect(requests.some((r) => r.startsWith('GET files'))).toBe(false);
  });

  it('aborts a job that stays running past polling_job_timeout and fails as transient after 3 attempts', async () => {
    mode = 'running';
    // 1 minute × backoffScale 0.001 = 60 ms, polled every 5 ms (5 s scaled): several polls per attempt.
    const error = await failure(stream('      polling_job_timeout: 1'));
    expect(error.failureType).toBe('transient_error');
    expect(requests.filter((r) => r === 'POST /reports/job-us/cancel')).toHaveLength(3);
    expect(requests.filter((r) => r === 'GET /reports/job-us').length).toBeGreaterThan(3);
    expect(requests.some((r) => r.startsWith('GET files'))).toBe(false);
  });

  it('names an API status missing from status_mapping', async () => {
    mode = 'weird';
    const error = await failure(stream());
    expect(error.failureType).toBe('system_error');
    expect(error.message).toMatch(/"PAUSED" is not in status_mapping/);
  });
});
