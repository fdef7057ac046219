/**
 * ZipfileDecoder: the body is a zip archive; each file in it is decoded by the inner decoder, in
 * archive order (directories skipped). Unzipping is fflate's: a maintained, dependency-free zip
 * reader, where a hand-written central-directory parser would be easy to get subtly wrong
 * (zip64, data descriptors).
 */
import { unzipSync } from 'fflate';
import type { Decoder } from '../../contracts.js';
import { ManifoldError } from '../../errors/manifold-error.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../../registry.js';
import type { HttpResponse } from '../../types.js';
import { responseWithBody } from './response-with-body.js';
import { decompressedTooLarge } from '../../http/body-limits.js';
import { DEFAULT_LIMITS, type Limits } from '../../limits/limits.js';

export class ZipfileDecoder implements Decoder {
  constructor(
    private readonly inner: Decoder,
    private readonly limits: Limits = DEFAULT_LIMITS,
  ) {}

  *decode(response: HttpResponse): Iterable<unknown> {
    let files: Record<string, Uint8Array>;
    // fflate sizes each file's output buffer from the size the archive declares (a file that lies
    // is cut at that size), so the declared sizes bound the memory: their total must fit the budget.
    let declared = 0;
    let tooLarge = false;
    try {
      files = unzipSync(new Uint8Array(response.body.buffer, response.body.byteOffset, response.body.length), {
        filter: (file) => {
          declared += file.originalSize;
          if (declared > this.limits.maxDecompressedBytes) tooLarge = true;
          return !tooLarge;
        },
      });
    } catch (e) {
      throw new ManifoldError(`The response from ${response.url} is not a valid zip archive: ${(e as Error).message}`, { cause: e });
    }
    if (tooLarge) throw decompressedTooLarge(`the response from ${response.url}`, 'zip', this.limits);
    for (const [name, bytes] of Object.entries(files)) {
      if (name.endsWith('/')) continue;
      const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      yield* this.inner.decode(responseWithBody(response, body, `file ${name} of the zip archive`, this.limits.maxRecordDepth));
    }
  }
}

export function buildZipfileDecoder(node: ManifestNode, ctx: BuildContext): ZipfileDecoder {
  return new ZipfileDecoder(ctx.build<Decoder>(node.decoder ?? { type: 'JsonDecoder' }, 'decoder', 'JsonDecoder'), ctx.services.limits);
}

registerComponent('ZipfileDecoder', buildZipfileDecoder, 'Unzips the body, then decodes each file with the inner decoder.');
