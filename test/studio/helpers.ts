/** Shared by the studio tests: a copy of the tutorial connector to edit, and raw HTTP requests (any Host/Origin). */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TUTORIAL = new URL('../../fixtures/tutorial/', import.meta.url).pathname;

/**
 * A key no file of the tutorial contains (its manifest's own text mentions "demo-key"), so a test
 * can tell whether the config's secret leaked. The recordings match requests without their headers.
 */
export const TEST_KEY = 'studio-test-key-93ab';

/** fixtures/tutorial copied to a temp folder (bookshop.yaml, replay/, and a config.json with TEST_KEY), so tests may change it. */
export function tutorialCopy(): { dir: string; manifest: string; config: string; replay: string } {
  const dir = mkdtempSync(join(tmpdir(), 'manifold-studio-'));
  for (const name of ['bookshop.yaml', 'replay']) cpSync(join(TUTORIAL, name), join(dir, name), { recursive: true });
  const config = JSON.parse(readFileSync(join(TUTORIAL, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, api_key: TEST_KEY }, null, 2));
  return { dir, manifest: join(dir, 'bookshop.yaml'), config: join(dir, 'config.json'), replay: join(dir, 'replay') };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

/** A request with exactly the headers given (fetch would not let a test set Host). */
export function raw(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<RawResponse> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { Host: `127.0.0.1:${port}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Headers of a request the studio's own page would send: its token and its Origin. */
export function own(port: number, token: string): Record<string, string> {
  return { 'X-Studio-Token': token, Origin: `http://127.0.0.1:${port}` };
}
