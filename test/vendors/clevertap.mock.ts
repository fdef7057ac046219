/**
 * In-process CleverTap profiles API (msw) serving fixtures/clevertap, on every regional host.
 * Enforces: account id + passcode headers, the account's own region, the two-step cursor
 * (POST body {event_name, from, to} as YYYYMMDD integers with from <= to → cursor; GET ?cursor=
 * → records + next_cursor until the last batch), batch_size, and that cursors are known.
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { loadFixture, RequestLog } from './mock-kit.js';

export const REGIONS = ['in1', 'us1', 'sg1', 'sk1', 'eu1', ''];
export const hostFor = (region: string) => `https://${region ? `${region}.` : ''}api.clevertap.com`;
type Row = Record<string, unknown>;

interface Job {
  rows: Row[];
  batchSize: number;
}

export function createClevertapApi(options: { accountRegion?: string } = {}) {
  const config = loadFixture<{ account_id: string; passcode: string; region: string }>('clevertap', 'config.json');
  const accountRegion = options.accountRegion ?? config.region;
  const profiles = loadFixture<Row[]>('clevertap', 'profiles.json');
  const log = new RequestLog();
  const jobs = new Map<string, Job>();
  let cursorCount = 0;

  const fail = (status: number, error: string, code: number) => HttpResponse.json({ status: 'fail', error, code }, { status });

  function authError(request: Request, region: string): Response | undefined {
    if (request.headers.get('x-clevertap-account-id') !== config.account_id || request.headers.get('x-clevertap-passcode') !== config.passcode) {
      return fail(401, 'Account ID/Passcode is incorrect', 401);
    }
    // Accounts only exist in their own region's cluster.
    if (region !== accountRegion) return fail(401, 'Account does not exist in this region', 401);
    return undefined;
  }

  function newCursor(job: Job): string {
    const cursor = `ZyZjYmRlZj${++cursorCount}AAAA`;
    jobs.set(cursor, job);
    return cursor;
  }

  const handlers: RequestHandler[] = REGIONS.flatMap((region) => [
    http.post(`${hostFor(region)}/1/profiles.json`, async ({ request }) => {
      await log.record(request);
      const denied = authError(request, region);
      if (denied) return denied;
      const url = new URL(request.url);
      const batchSize = Number(url.searchParams.get('batch_size') ?? '10');
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) return fail(400, 'batch_size must be between 1 and 5000', 1);
      const body = (await request.json().catch(() => undefined)) as { event_name?: unknown; from?: unknown; to?: unknown } | undefined;
      if (!body || typeof body.event_name !== 'string' || !body.event_name) return fail(400, 'event_name is required', 1);
      if (!Number.isInteger(body.from) || !Number.isInteger(body.to)) return fail(400, 'from and to must be integers in YYYYMMDD format', 1);
      if ((body.from as number) > (body.to as number)) return fail(400, 'from date should be less than or equal to to date', 1);
      const rows = profiles
        .filter((p) => (p['_event_day'] as number) >= (body.from as number) && (p['_event_day'] as number) <= (body.to as number))
        .map(({ _event_day, ...rest }) => rest);
      return HttpResponse.json({ status: 'success', cursor: newCursor({ rows, batchSize }) });
    }),

    http.get(`${hostFor(region)}/1/profiles.json`, async ({ request }) => {
      await log.record(request);
      const denied = authError(request, region);
      if (denied) return denied;
      const cursor = new URL(request.url).searchParams.get('cursor');
      const job = cursor ? jobs.get(cursor) : undefined;
      if (!job) return fail(400, 'Invalid cursor', 2);
      jobs.delete(cursor!);
      const records = job.rows.slice(0, job.batchSize);
      const rest = job.rows.slice(job.batchSize);
      const body: Record<string, unknown> = { status: 'success', records };
      if (rest.length) body.next_cursor = newCursor({ rows: rest, batchSize: job.batchSize });
      return HttpResponse.json(body);
    }),
  ]);

  return { handlers, log, profiles };
}
