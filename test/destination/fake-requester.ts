/**
 * A Requester stand-in registered as `CustomRequester` (a type the manifest schema knows, so
 * manifests using it validate); install it after the real components are loaded. It records every SendArgs (with the method and
 * URL the operation chose) and answers through a scripted handler, so the write loop can be tested
 * without the HTTP layer.
 */
import type { Requester, SendArgs } from '../../engine/contracts.js';
import { ManifoldError } from '../../engine/errors/manifold-error.js';
import { registerComponent } from '../../engine/registry.js';
import type { HttpRequest } from '../../engine/services.js';
import type { HttpResponse, Obj } from '../../engine/types.js';

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  idempotent: boolean | undefined;
  stream: string;
}

export const sent: SentRequest[] = [];
export let answer: (req: SentRequest) => { status: number; body?: unknown } = () => ({ status: 200, body: { ok: true } });

export function setAnswer(fn: typeof answer): void {
  answer = fn;
}

export function resetFake(): void {
  sent.length = 0;
  answer = () => ({ status: 200, body: { ok: true } });
}

function toRequest(node: Obj, args: SendArgs): SentRequest {
  const headers: Record<string, string> = {};
  let body: unknown;
  for (const extra of args.extra) {
    Object.assign(headers, extra.headers ?? {});
    if (extra.bodyJson !== undefined) body = extra.bodyJson;
    if (extra.bodyData !== undefined) body = extra.bodyData;
  }
  const path = args.pathOverride ?? String(node.path ?? '');
  const url = /^https?:/.test(path) ? path : `${String(node.url_base ?? 'https://api.test')}${path}`;
  return { method: String(args.methodOverride ?? node.http_method ?? 'GET'), url, headers, body, idempotent: args.idempotent, stream: args.stream };
}

function response(req: SentRequest, status: number, body: unknown): HttpResponse {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    method: req.method,
    url: req.url,
    status,
    headers: {},
    body: Buffer.from(text),
    text: () => text,
    json: () => body,
    links: () => ({}),
  };
}

export function installFakeRequester(): void {
  registerComponent(
    'CustomRequester',
    (node): Requester => ({
      async send(args) {
        const req = toRequest(node, args);
        sent.push(req);
        const { status, body } = answer(req);
        if (status >= 400) throw new ManifoldError(`${req.method} ${req.url} failed with HTTP ${status}`, { failureType: 'transient_error' });
        return response(req, status, body);
      },
      async prepare(args): Promise<HttpRequest> {
        const req = toRequest(node, args);
        return {
          method: req.method,
          url: req.url,
          headers: { ...req.headers, Authorization: 'Bearer fake-token-123' },
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
        };
      },
    }),
  );
}
