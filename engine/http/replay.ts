/**
 * --replay: answers requests from a folder written by the recorder. A live request is masked the
 * same way before matching, so redacted secrets still match; identical requests get the recorded
 * answers in order (the last one repeats). No match → a ManifoldError naming the nearest ones.
 */
import { readdirSync } from 'node:fs';
import { checkFolderEntry, readRegularFile } from '../files/file-policy.js';
import { DEFAULT_LIMITS } from '../limits/limits.js';
import { distance } from 'fastest-levenshtein';
import { ManifoldError } from '../errors/manifold-error.js';
import type { RawResponse, Transport } from './client.js';
import { maskedRequest, type RecordedExchange } from './recorder.js';

function keyOf(r: { method: string; url: string; body?: string | undefined }): string {
  return r.body === undefined || r.body === '' ? `${r.method} ${r.url}` : `${r.method} ${r.url} ${r.body}`;
}

export function replayTransport(dir: string, maxEntryBytes = DEFAULT_LIMITS.maxResponseBytes * 2): Transport {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch (e) {
    throw new ManifoldError(`Cannot read the replay folder ${dir}: ${(e as Error).message}`, { failureType: 'config_error' });
  }
  const queues = new Map<string, { exchanges: RecordedExchange[]; next: number }>();
  for (const file of files) {
    let exchange: RecordedExchange;
    try {
      // An entry must be a regular file of the folder itself, not a symlink leading out of it.
      exchange = JSON.parse(readRegularFile(checkFolderEntry(dir, file), maxEntryBytes)) as RecordedExchange;
    } catch (e) {
      throw new ManifoldError(`Cannot use the replay entry ${file} of ${dir}: ${(e as Error).message}`, { failureType: 'config_error' });
    }
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
        const nearest = [...queues.keys()].map((k) => ({ k, d: distance(k, key) })).sort((a, b) => a.d - b.d).slice(0, 3).map((x) => `  ${x.k}`);
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
      for (const [k, v] of Object.entries(response.headers)) headers[k.toLowerCase()] = v;
      return { url: request.url, status: response.status, headers, body };
    },
  };
}
