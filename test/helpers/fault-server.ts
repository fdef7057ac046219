/**
 * A real HTTP server (127.0.0.1, random port) serving one paginated, incremental stream — records
 * with `id` and `updated_at`, filtered by `start`/`end` query params, cursor-paginated by `cursor` —
 * that can inject a fault into chosen requests: 5xx bursts, 429 (Retry-After in seconds or as a
 * date), a connection reset mid-body, truncated or malformed JSON, an HTML page with status 200, a
 * response slower than the client's timeout, endless pagination, and huge pages.
 *
 * Faults are rules: each matching data request consumes one use of the first rule that matches.
 * A fault picker (setFaultPicker) chooses a fault for requests no rule claimed: seeded runs use it
 * to scatter many kinds of faults over a long read.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export type FaultKind =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'rate-limit'; retryAfter: 'seconds' | 'date'; seconds?: number }
  | { kind: 'reset-mid-body' }
  | { kind: 'truncated-json' }
  | { kind: 'malformed-json' }
  | { kind: 'html-200' }
  /** A proxy's HTML error page with status 503. */
  | { kind: 'html-503' }
  /** Content-Encoding: gzip, cut half-way (with a Content-Length that matches the cut body). */
  | { kind: 'truncated-gzip' }
  | { kind: 'slow'; delayMs: number }
  /** The next cursor is always returned: the same one, or a new one serving the same records again. */
  | { kind: 'endless'; cursor: 'same' | 'new' };

export interface FaultRule {
  fault: FaultKind;
  /** How many matching requests get the fault (default 1; Infinity for "always"). */
  times?: number;
  /** Which data requests qualify; default: all. `n` is the 1-based number of the data request. */
  when?: (req: ServedRequest, n: number) => boolean;
}

export interface ServedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** The fault injected into this request, if any. */
  fault?: FaultKind['kind'];
}

export interface FaultServer {
  url: string;
  requests: ServedRequest[];
  /** Data requests only (the stream path). */
  dataRequests(): ServedRequest[];
  records: DataItem[];
  addFault(rule: FaultRule): void;
  /** Chooses the fault (or none) of each data request no rule claimed; undefined: none. */
  setFaultPicker(pick: ((req: ServedRequest, n: number) => FaultKind | undefined) | undefined): void;
  clearFaults(): void;
  /** Forgets faults, logged requests and the data request counter. */
  reset(): void;
  close(): Promise<void>;
}

export interface DataItem {
  id: number;
  updated_at: string;
  name: string;
}

export interface FaultServerOptions {
  /** Number of records (default 40), spread hourly from 2024-01-01T00:00:00Z. */
  count?: number;
  /** Records per page when the request has no `limit` (default 5). */
  pageSize?: number;
  /** Spacing between consecutive records in minutes (default 60). */
  spacingMinutes?: number;
  /** Path serving the stream (default /items). */
  path?: string;
}

const EPOCH = Date.parse('2024-01-01T00:00:00Z');

export function makeItems(count: number, spacingMinutes = 60): DataItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    updated_at: new Date(EPOCH + i * spacingMinutes * 60_000).toISOString().replace('.000Z', 'Z'),
    name: `item-${i + 1}`,
  }));
}

export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const records = makeItems(options.count ?? 40, options.spacingMinutes);
  const pageSize = options.pageSize ?? 5;
  const dataPath = options.path ?? '/items';
  const requests: ServedRequest[] = [];
  let rules: Array<FaultRule & { left: number }> = [];
  let picker: ((req: ServedRequest, n: number) => FaultKind | undefined) | undefined;
  let dataCount = 0;

  const server: Server = createServer((req, res) => {
    // Drain the body; the stream is GET-only but clients may still send one.
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const served: ServedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers };
      requests.push(served);
      if (served.path !== dataPath) return send(res, 404, { error: `no route ${served.path}` });
      const n = ++dataCount;
      const rule = rules.find((r) => r.left > 0 && (r.when?.(served, n) ?? true));
      if (rule) rule.left--;
      const fault = rule?.fault ?? picker?.(served, n);
      if (fault) served.fault = fault.kind;
      respond(served, res, fault);
    });
  });

  function page(served: ServedRequest): { data: DataItem[]; next_cursor: string | null } {
    const start = served.query.start ? Date.parse(served.query.start) : -Infinity;
    const end = served.query.end ? Date.parse(served.query.end) : Infinity;
    const inWindow = records.filter((r) => {
      const t = Date.parse(r.updated_at);
      return t >= start && t <= end;
    });
    const offset = served.query.cursor ? Number(Buffer.from(served.query.cursor, 'base64url').toString('utf8').split(':')[1]) : 0;
    const limit = served.query.limit ? Number(served.query.limit) : pageSize;
    const data = inWindow.slice(offset, offset + limit);
    const nextOffset = offset + limit;
    return { data, next_cursor: nextOffset < inWindow.length ? Buffer.from(`offset:${nextOffset}`).toString('base64url') : null };
  }

  function respond(served: ServedRequest, res: ServerResponse, fault: FaultKind | undefined): void {
    if (!fault) return send(res, 200, page(served));
    switch (fault.kind) {
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'application/json' }).end(fault.body ?? JSON.stringify({ error: `injected ${fault.status}` }));
        return;
      case 'rate-limit': {
        const seconds = fault.seconds ?? 1;
        const value = fault.retryAfter === 'seconds' ? String(seconds) : new Date(Date.now() + seconds * 1000).toUTCString();
        send(res, 429, { error: 'rate limited' }, { 'retry-after': value });
        return;
      }
      case 'reset-mid-body': {
        const body = JSON.stringify(page(served));
        // Promise the whole body, send part of it, then kill the connection.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
        res.write(body.slice(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
        return;
      }
      case 'truncated-json': {
        // A complete HTTP exchange whose JSON body stops half-way (a proxy cut it and sent a
        // Content-Length that matches what is left).
        const body = JSON.stringify(page(served));
        const cut = body.slice(0, Math.floor(body.length / 2));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(cut)) }).end(cut);
        return;
      }
      case 'truncated-gzip': {
        const gzipped = gzipSync(JSON.stringify(page(served)));
        const cut = gzipped.subarray(0, Math.floor(gzipped.length / 2));
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(cut.length) }).end(cut);
        return;
      }
      case 'html-503':
        res
          .writeHead(503, { 'content-type': 'text/html' })
          .end(
            '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>',
          );
        return;
      case 'malformed-json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": [{"id": 1,, "updated_at": }], next_cursor: nope}');
        return;
      case 'html-200':
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>We will be back soon</h1></body></html>');
        return;
      case 'slow': {
        const timer = setTimeout(() => send(res, 200, page(served)), fault.delayMs);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'endless': {
        const body = page({ ...served, query: { ...served.query, cursor: '' } });
        const next = fault.cursor === 'same' ? 'stuck' : `fresh-${requests.length}`;
        send(res, 200, { data: body.data, next_cursor: next });
        return;
      }
    }
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    dataRequests: () => requests.filter((r) => r.path === dataPath),
    records,
    addFault: (rule) => rules.push({ ...rule, left: rule.times ?? 1 }),
    setFaultPicker: (pick) => {
      picker = pick;
    },
    clearFaults: () => {
      rules = [];
      picker = undefined;
    },
    reset: () => {
      rules = [];
      picker = undefined;
      requests.length = 0;
      dataCount = 0;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
