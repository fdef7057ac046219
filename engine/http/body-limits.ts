/**
 * Response bodies within budget: the wire body is cut off once it passes maxResponseBytes, and
 * Content-Encoding (gzip, deflate, br) is undone here rather than by got so inflation stops at
 * maxDecompressedBytes (zlib's maxOutputLength inflates chunk by chunk and gives up at the
 * ceiling) instead of letting a 1 MB bomb become gigabytes first.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { LimitExceededError, type Limits } from '../limits/limits.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

export type BodyLimits = Pick<Limits, 'maxResponseBytes' | 'maxDecompressedBytes'>;

export function responseTooLarge(what: string, size: string, limits: BodyLimits): LimitExceededError {
  return new LimitExceededError('maxResponseBytes', limits.maxResponseBytes, `${what} sent a response body larger than ${size}`, {
    failureType: 'system_error',
  });
}

export function decompressedTooLarge(what: string, encoding: string, limits: BodyLimits): LimitExceededError {
  return new LimitExceededError(
    'maxDecompressedBytes',
    limits.maxDecompressedBytes,
    `the ${encoding} response body of ${what} decompresses to more than the limit`,
    {
      failureType: 'system_error',
    },
  );
}

function isTooLarge(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError;
}

/**
 * Undoes the Content-Encoding of `body` (codings applied in order, undone in reverse). Unknown
 * codings are left as received. `what` names the request in errors.
 */
export async function decodeContentEncoding(body: Buffer, contentEncoding: string | string[] | undefined, limits: BodyLimits, what: string): Promise<Buffer> {
  const codings = (Array.isArray(contentEncoding) ? contentEncoding.join(',') : (contentEncoding ?? ''))
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  let out = body;
  for (const coding of codings.reverse()) {
    if (out.length === 0) break;
    const options = { maxOutputLength: limits.maxDecompressedBytes };
    try {
      if (coding === 'gzip' || coding === 'x-gzip') out = await gunzip(out, options);
      else if (coding === 'br') out = await brotli(out, options);
      else if (coding === 'deflate') {
        // "deflate" is zlib-wrapped by the standard, raw in some servers' hands.
        out = await inflate(out, options).catch((e: unknown) => (isTooLarge(e) ? Promise.reject(e) : inflateRaw(out, options)));
      } else return out;
    } catch (e) {
      if (isTooLarge(e)) throw decompressedTooLarge(what, coding, limits);
      throw e;
    }
  }
  return out;
}

/** gunzipSync within the budget, for GzipDecoder (a body that is gzip without saying so). */
export function gunzipWithin(body: Buffer, limits: BodyLimits, what: string): Buffer {
  try {
    return zlib.gunzipSync(body, { maxOutputLength: limits.maxDecompressedBytes });
  } catch (e) {
    if (isTooLarge(e)) throw decompressedTooLarge(what, 'gzip', limits);
    throw e;
  }
}
