/**
 * HttpRequestCheck: a destination's `check` — one cheap request (e.g. GET /listings) through the
 * same requester and auth the writes use. Any non-failing answer means the config works.
 */
import type { Requester } from '../contracts.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { EMPTY_SLICE } from '../types.js';

export class HttpRequestCheck {
  constructor(private readonly requester: Requester) {}

  async run(signal?: AbortSignal): Promise<{ ok: boolean; message?: string }> {
    const response = await this.requester.send({ stream: 'check', slice: EMPTY_SLICE, nextPageToken: undefined, extra: [], signal });
    return response ? { ok: true } : { ok: false, message: 'The check request was ignored by the error handler' };
  }
}

export function buildHttpRequestCheck(node: ManifestNode, ctx: BuildContext): HttpRequestCheck {
  const requester = node.requester;
  if (!requester || typeof requester !== 'object') throw ctx.error('HttpRequestCheck needs a requester', 'requester');
  const method = InterpolatedString.create(node.http_method ?? 'GET')
    .evalString({ config: ctx.config })
    .toUpperCase();
  const own: ManifestNode = { ...(requester as ManifestNode), http_method: method };
  if (node.path !== undefined) own.path = node.path;
  if (node.request_parameters !== undefined) own.request_parameters = node.request_parameters;
  return new HttpRequestCheck(ctx.build<Requester>(own, 'requester', 'HttpRequester'));
}

registerComponent('HttpRequestCheck', buildHttpRequestCheck, 'Destination check: one request through the destination requester.');
