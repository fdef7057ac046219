/** GzipDecoder: gunzips the body (when it is gzip) and hands it to the inner decoder. */
import type { Decoder } from '../../contracts.js';
import { ManifoldError } from '../../errors/manifold-error.js';
import { InvalidBodyError } from '../../errors/invalid-body.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../../registry.js';
import type { HttpResponse } from '../../types.js';
import { responseWithBody } from './response-with-body.js';
import { gunzipWithin } from '../../http/body-limits.js';
import { DEFAULT_LIMITS, LimitExceededError, type Limits } from '../../limits/limits.js';

export class GzipDecoder implements Decoder {
  /** What check() unpacked, so decode() does not gunzip the same body twice. */
  private readonly unpacked = new WeakMap<HttpResponse, HttpResponse>();

  constructor(
    private readonly inner: Decoder,
    private readonly limits: Limits = DEFAULT_LIMITS,
  ) {}

  /**
   * Gzip cut short (a proxy closed the body early) or garbled is an InvalidBodyError, so the
   * request loop fetches the page again like any truncated body; the size ceiling is not retried.
   */
  check(response: HttpResponse): void {
    const plain = this.plainResponse(response, true);
    this.inner.check?.(plain);
  }

  decode(response: HttpResponse): Iterable<unknown> {
    return this.inner.decode(this.unpacked.get(response) ?? this.plainResponse(response, false));
  }

  private plainResponse(response: HttpResponse, retryable: boolean): HttpResponse {
    const body = response.body;
    // The HTTP client may already have undone Content-Encoding: gzip; only raw gzip bytes need it.
    if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) return response;
    let plain: Buffer;
    try {
      plain = gunzipWithin(body, this.limits, `the response from ${response.url}`);
    } catch (e) {
      if (e instanceof LimitExceededError) throw e;
      const message = `The response from ${response.url} is not valid gzip: ${(e as Error).message}`;
      throw retryable ? new InvalidBodyError(message, { cause: e }) : new ManifoldError(message, { cause: e });
    }
    const unpacked = responseWithBody(response, plain, 'gunzipped response', this.limits.maxRecordDepth);
    this.unpacked.set(response, unpacked);
    return unpacked;
  }
}

export function buildGzipDecoder(node: ManifestNode, ctx: BuildContext): GzipDecoder {
  return new GzipDecoder(ctx.build<Decoder>(node.decoder ?? { type: 'JsonDecoder' }, 'decoder', 'JsonDecoder'), ctx.services.limits);
}

registerComponent('GzipDecoder', buildGzipDecoder, 'Gunzips the body, then decodes it with the inner decoder.');
