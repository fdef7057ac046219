/**
 * --replay: answers requests from a folder written by the recorder. A live request is masked the
 * same way before matching, so redacted secrets still match; identical requests get the recorded
 * answers in order (the last one repeats). No match → a ManifoldError naming the nearest ones.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkFolderEntry, readRegularFile } from '../files/file-policy.js';
import { DEFAULT_LIMITS } from '../limits/limits.js';
import { distance } from 'fastest-levenshtein';
import { ConfigError, ManifoldError } from '../errors/manifold-error.js';
import type { RawResponse, Transport } from './client.js';
import { maskedRequest, type RecordedExchange } from './recorder.js';

function keyOf(r: { method: string; url: string; body?: string | undefined }): string {
  return r.body === undefined || r.body === '' ? `${r.method} ${r.url}` : `${r.method} ${r.url} ${r.body}`;
}

export function replayTransport(dir: string, maxEntryBytes = DEFAULT_LIMITS.maxResponseBytes * 2): Transport {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (e) {
    throw new ManifoldError(`Cannot read the replay folder ${dir}: ${(e as Error).message}`, { failureType: 'config_error' });
  }
  const queues = new Map<string, { exchanges: RecordedExchange[]; next: number }>();
  for (const file of files) {
    const exchange = readExchange(dir, file, maxEntryBytes);
    const key = keyOf(exchange.request);
    const queue = queues.get(key) ?? { exchanges: [], next: 0 };
    queue.exchanges.push(exchange);
    queues.set(key, queue);
  }
  return {
    async send(request, context): Promise<RawResponse> {
      const key = keyOf(maskedRequest(request, context));
      const queue = queues.get(key);
      if (!queue) {
        const nearest = [...queues.keys()]
          .map((k) => ({ k, d: distance(k, key) }))
          .sort((a, b) => a.d - b.d)
          .slice(0, 3)
          .map((x) => `  ${x.k}`);
        throw new ManifoldError(
          `No recorded response in ${dir} for:\n  ${key}\nNearest recorded requests:\n${nearest.join('\n') || '  (none: the folder is empty)'}`,
          { failureType: 'config_error' },
        );
      }
      const exchange = queue.exchanges[Math.min(queue.next, queue.exchanges.length - 1)]!;
      queue.next++;
      const { response } = exchange;
      const body = response.bodyEncoding === 'base64' ? Buffer.from(response.body, 'base64') : Buffer.from(response.body, 'utf8');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(response.headers ?? {})) headers[k.toLowerCase()] = v;
      return { url: request.url, status: response.status, headers, body };
    },
  };
}

/**
 * One recorded exchange, checked when the folder is opened: a file of the wrong shape is a
 * config error naming the file and the field, not a failure per request that looks like the network.
 */
function readExchange(dir: string, file: string, maxEntryBytes: number): RecordedExchange {
  const path = join(dir, file);
  let value: unknown;
  try {
    // An entry must be a regular file of the folder itself, not a symlink leading out of it.
    value = JSON.parse(readRegularFile(checkFolderEntry(dir, file), maxEntryBytes));
  } catch (e) {
    throw new ConfigError(`Replay file ${path} is not a recorded exchange: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const problem = shapeProblem(value);
  if (problem)
    throw new ConfigError(
      `Replay file ${path} is not a recorded exchange: ${problem} (expected {"request":{"method","url",...},"response":{"status","headers","body"}})`,
    );
  return value as RecordedExchange;
}

function shapeProblem(value: unknown): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value)) return 'the file does not hold a JSON object';
  const { request, response } = value;
  if (!isObject(request)) return '"request" is missing or not an object';
  if (typeof request.method !== 'string') return '"request.method" is missing or not a string';
  if (typeof request.url !== 'string') return '"request.url" is missing or not a string';
  if (request.body !== undefined && typeof request.body !== 'string') return '"request.body" is not a string';
  if (!isObject(response)) return '"response" is missing or not an object';
  if (!Number.isInteger(response.status)) return '"response.status" is missing or not a whole number';
  if (response.headers !== undefined && !isObject(response.headers)) return '"response.headers" is not an object';
  if (typeof response.body !== 'string') return '"response.body" is missing or not a string';
  if (response.bodyEncoding !== undefined && response.bodyEncoding !== 'base64') return '"response.bodyEncoding" must be "base64" when present';
  return undefined;
}
