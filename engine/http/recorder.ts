/**
 * --record: passes requests to another transport and stores each exchange as one JSON file,
 * secrets redacted (by value from the SecretRegistry, by name for auth headers and token fields).
 */
import { closeSync, constants, fstatSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ManifoldError } from '../errors/manifold-error.js';
import type { HttpRequest } from '../services.js';
import type { RawResponse, Transport, TransportContext } from './client.js';
import { carriesMintedCredentials, maskBody, maskHeaders, maskUrl } from './redact.js';

export interface RecordedExchange {
  request: { method: string; url: string; headers: Record<string, string>; body?: string | undefined };
  response: { status: number; headers: Record<string, string>; body: string; bodyEncoding?: 'base64' | undefined };
}

/** The masked form of a request; replay computes the same form of live requests to match them. */
export function maskedRequest(request: HttpRequest, context: TransportContext): RecordedExchange['request'] {
  const body = request.body === undefined ? undefined : maskBody(request.body.toString(), context.secrets);
  return { method: request.method.toUpperCase(), url: maskUrl(request.url, context.secrets), headers: maskHeaders(request.headers, context.secrets), body };
}

export function recordingTransport(dir: string, inner: Transport): Transport {
  mkdirSync(dir, { recursive: true });
  let sequence = 0;
  return {
    async send(request, context): Promise<RawResponse> {
      const raw = await inner.send(request, context);
      const n = ++sequence;
      const text = raw.body.toString('utf8');
      const isText = Buffer.from(text, 'utf8').equals(raw.body);
      const minted = carriesMintedCredentials(request, raw.status);
      const exchange: RecordedExchange = {
        request: maskedRequest(request, context),
        response: {
          status: raw.status,
          // The body is stored decoded, so its transfer headers no longer describe it.
          headers: maskHeaders(omit(raw.headers, ['content-encoding', 'content-length', 'transfer-encoding']), context.secrets),
          ...(isText
            ? { body: maskBody(text, context.secrets, minted) }
            : { body: minted ? '' : raw.body.toString('base64'), bodyEncoding: 'base64' as const }),
        },
      };
      const slug =
        new URL(request.url).pathname
          .replace(/[^A-Za-z0-9]+/g, '-')
          .replace(/^-|-$/g, '')
          .slice(0, 60) || 'root';
      writeEntry(join(dir, `${String(n).padStart(5, '0')}-${request.method.toUpperCase()}-${slug}.json`), `${JSON.stringify(exchange, null, 2)}\n`);
      return raw;
    },
  };
}

/**
 * Writes one recording file without following a symlink planted at its name, and only over a
 * regular file with no other link (a hard link would make the file we overwrite another's).
 */
function writeEntry(path: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
  } catch (e) {
    throw new ManifoldError(
      `Cannot write the recording ${path}: ${(e as NodeJS.ErrnoException).code === 'ELOOP' ? 'it is a symlink; refused' : (e as Error).message}`,
      { failureType: 'config_error' },
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.nlink > 1)
      throw new ManifoldError(
        `Cannot write the recording ${path}: it is not a regular file of its own (${stat.isFile() ? 'hard-linked' : 'special file'}); refused`,
        { failureType: 'config_error' },
      );
    const buffer = Buffer.from(text);
    let written = 0;
    while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written, written);
    // Truncated only now, once the descriptor is known to be a file of its own.
    ftruncateSync(fd, buffer.length);
  } finally {
    closeSync(fd);
  }
}

function omit<T extends Record<string, unknown>>(obj: T, names: string[]): T {
  const out = { ...obj };
  for (const n of names) delete out[n];
  return out;
}
