/**
 * The studio's web server: Node's http module on 127.0.0.1, its own bundled page (dist/studio/)
 * and a JSON API over one StudioSession. No other file is reachable: assets are a fixed list,
 * never a path taken from the URL.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Obj } from '../../engine/types.js';
import { checkRequest, cookieName, newToken, SECURITY_HEADERS } from './security.js';
import { StudioSession, type HttpMode, type StudioOptions } from './session.js';

/** Largest request body the API takes (a manifest, a config). */
const MAX_BODY = 8 * 1024 * 1024;

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** dist/studio/: beside dist/cli/ when built, or under dist/ when the sources run directly (tests, tsx). */
export function assetsFolder(): string {
  for (const candidate of ['../../studio/', '../../dist/studio/']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${path}app.js`)) return path;
  }
  throw new Error('The studio page is not built (dist/studio/app.js is missing): run `npm run build`');
}

export interface StartedStudio {
  url: string;
  port: number;
  token: string;
  server: Server;
  session: StudioSession;
  close(): Promise<void>;
}

export async function startStudio(options: StudioOptions & { port?: number | undefined }): Promise<StartedStudio> {
  const folder = assetsFolder();
  const assets = new Map(Object.entries(ASSETS).map(([route, a]) => [route, { body: readFileSync(folder + a.file), type: a.type }]));
  const session = new StudioSession(options);
  await session.manifest.read();
  const token = newToken();
  const listeners = new Set<ServerResponse>();
  let port = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, { error: (e as Error)?.message ?? String(e) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://studio.invalid');
    const verdict = checkRequest(req, url, token, port);
    if (!verdict.ok) return send(res, verdict.status!, { error: verdict.reason });
    const method = req.method ?? 'GET';
    const asset = assets.get(url.pathname);
    if (asset && method === 'GET') {
      const headers: Record<string, string> = { 'Content-Type': asset.type };
      if (verdict.fromQuery) headers['Set-Cookie'] = `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
      res.writeHead(200, { ...SECURITY_HEADERS, ...headers });
      res.end(asset.body);
      return;
    }
    if (method === 'GET' && url.pathname === '/favicon.ico') return void res.writeHead(204, SECURITY_HEADERS).end();
    if (method === 'GET' && url.pathname === '/api/initial') return send(res, 200, await session.initial());
    if (method === 'GET' && url.pathname === '/api/config') return send(res, 200, await session.readConfig());
    if (method === 'GET' && url.pathname === '/api/editor-schema') return send(res, 200, session.editorSchema());
    if (method === 'GET' && url.pathname === '/api/events') return openEvents(res);
    if (method !== 'POST' && method !== 'PUT') return send(res, 404, { error: `No ${method} ${url.pathname}` });
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return send(res, 415, { error: 'The API takes application/json' });
    const body = await readJson(req);
    try {
      switch (url.pathname) {
        case '/api/validate':
          return send(res, 200, await session.validate(String(body.text ?? '')));
        case '/api/manifest': {
          const result = await session.save(String(body.text ?? ''), optionalString(body.version), body.force === true);
          return send(res, result.saved ? 200 : 409, result);
        }
        case '/api/config':
          return send(res, 200, await session.writeConfig((body.values ?? {}) as Obj));
        case '/api/mode':
          session.setMode(String(body.mode) as HttpMode);
          return send(res, 200, { mode: session.mode });
        case '/api/test-read':
          return send(res, 200, await session.testRead(String(body.text ?? ''), String(body.stream ?? ''), (body.limits ?? {}) as Obj));
        case '/api/accept-schema': {
          const result = await session.acceptSchema(
            String(body.text ?? ''),
            optionalString(body.version),
            String(body.stream ?? ''),
            (body.schema ?? {}) as Obj,
          );
          return send(res, result.saved ? 200 : 409, result);
        }
        default:
          return send(res, 404, { error: `No ${method} ${url.pathname}` });
      }
    } catch (e) {
      return send(res, 400, { error: (e as Error)?.message ?? String(e) });
    }
  }

  /** Server-sent events: the manifest changed on disk. */
  function openEvents(res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream' });
    res.write(': connected\n\n');
    listeners.add(res);
    res.on('close', () => listeners.delete(res));
  }

  session.manifest.watch((text, version) => {
    const data = JSON.stringify({ type: 'manifest-changed', text, version });
    for (const res of listeners) res.write(`data: ${data}\n\n`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    server,
    session,
    close: () =>
      new Promise<void>((resolve) => {
        session.manifest.close();
        for (const res of listeners) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

async function readJson(req: IncomingMessage): Promise<Obj> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error(`Request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Obj) : {};
}
