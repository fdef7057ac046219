/** Test scaffolding for pagination/extract/transform: fake responses, building components, a fake requester. */
import type { Requester, SendArgs } from '../../engine/contracts.js';
import { buildComponent } from '../../engine/manifest/build-context.js';
import type { HttpRequest } from '../../engine/services.js';
import { createServices } from '../../engine/services.js';
import type { HttpResponse, Obj } from '../../engine/types.js';
import '../../engine/http/request-option.js';
import { loadCases } from './cases.js';

export { loadCases };

export function fakeResponse(init: { body?: unknown; text?: string; headers?: Record<string, unknown>; url?: string; status?: number }): HttpResponse {
  const text = init.text ?? (init.body === undefined || init.body === null ? '' : JSON.stringify(init.body));
  const body = Buffer.from(text, 'utf8');
  const headers = (init.headers ?? {}) as Record<string, string>;
  return {
    method: 'GET',
    url: init.url ?? 'https://api.test/items',
    status: init.status ?? 200,
    headers,
    body,
    text: () => text,
    json: () => JSON.parse(text) as unknown,
    links: () => parseLinks(typeof headers.link === 'string' ? headers.link : undefined),
  };
}

function parseLinks(header: string | undefined): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const part of header?.split(',') ?? []) {
    const m = /<([^>]*)>\s*;\s*rel="?([^";]+)"?/.exec(part);
    if (m) out[m[2]!] = { url: m[1]!, rel: m[2]! };
  }
  return out;
}

export function build<T>(node: Obj, config: Obj = {}): T {
  return buildComponent<T>(node, 'test', config, createServices({ backoffScale: 0.001 }));
}

/** A Requester answering from a function, recording every SendArgs it got. */
export class FakeRequester implements Requester {
  readonly calls: SendArgs[] = [];
  constructor(private readonly answer: (args: SendArgs, n: number) => HttpResponse | undefined) {}
  async send(args: SendArgs): Promise<HttpResponse | undefined> {
    this.calls.push(args);
    return this.answer(args, this.calls.length);
  }
  async prepare(): Promise<HttpRequest> {
    return { method: 'GET', url: 'https://api.test/items', headers: {} };
  }
  /** Merged params of each request, as the requester would send them. */
  params(): Obj[] {
    return this.calls.map((c) => Object.assign({}, ...c.extra.map((e) => e.params ?? {})) as Obj);
  }
}
