/** GzipDecoder: gunzips the body (when it is gzip) and hands it to the inner decoder. */
import type { Decoder } from '../../contracts.js';
import { ManifoldError } from '../../errors/manifold-error.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../../registry.js';
import type { HttpResponse } from '../../types.js';
import { responseWithBody } from './response-with-body.js';
import { gunzipWithin } from '../../http/body-limits.js';
import { DEFAULT_LIMITS, LimitExceededError, type Limits } from '../../limits/limits.js';

export class GzipDecoder implements Decoder {
  constructor(
    private readonly inner: Decoder,
    private readonly limits: Limits = DEFAULT_LIMITS,
  ) {}

  decode(response: HttpResponse): Iterable<unknown> {
    const body = response.body;
    // The HTTP client may already have undone Content-Encoding: gzip; only raw gzip bytes need it.
    if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) return this.inner.decode(response);
    let plain: Buffer;
    try {
      plain = gunzipWithin(body, this.limits, `the response from ${response.url}`);
    } catch (e) {
      if (e instanceof LimitExceededError) throw e;
      throw new ManifoldError(`The response from ${response.url} is not valid gzip: ${(e as Error).message}`, { cause: e });
    }
    return this.inner.decode(responseWithBody(response, plain, 'gunzipped response', this.limits.maxRecordDepth));
  }
}

export function buildGzipDecoder(node: ManifestNode, ctx: BuildContext): GzipDecoder {
  return new GzipDecoder(ctx.build<Decoder>(node.decoder ?? { type: 'JsonDecoder' }, 'decoder', 'JsonDecoder'), ctx.services.limits);
}

registerComponent('GzipDecoder', buildGzipDecoder, 'Gunzips the body, then decodes it with the inner decoder.');
