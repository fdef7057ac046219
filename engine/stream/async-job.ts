/**
 * Helpers of AsyncRetriever: the job statuses Airbyte knows, the manifest's mapping from API
 * statuses to them, and an abortable wait.
 */
import type { BuildContext } from '../registry.js';

export type AsyncJobStatus = 'running' | 'completed' | 'failed' | 'timeout' | 'skipped';

const STATUSES: readonly AsyncJobStatus[] = ['running', 'completed', 'failed', 'timeout', 'skipped'];

/** status_mapping (AsyncJobStatusMap): API status text → job status. */
export function parseStatusMapping(node: unknown, ctx: BuildContext): Map<string, AsyncJobStatus> {
  if (!node || typeof node !== 'object' || Array.isArray(node)) throw ctx.error('AsyncRetriever needs a status_mapping', 'status_mapping');
  const out = new Map<string, AsyncJobStatus>();
  for (const status of STATUSES) {
    const apiStatuses = (node as Record<string, unknown>)[status];
    if (apiStatuses === undefined || apiStatuses === null) {
      if (status !== 'skipped') throw ctx.error(`status_mapping needs a "${status}" list`, 'status_mapping');
      continue;
    }
    if (!Array.isArray(apiStatuses)) throw ctx.error(`status_mapping.${status} must be a list`, 'status_mapping');
    for (const apiStatus of apiStatuses) {
      const key = String(apiStatus);
      const previous = out.get(key);
      if (previous && previous !== status) throw ctx.error(`API status "${key}" is mapped to both ${previous} and ${status}`, 'status_mapping');
      out.set(key, status);
    }
  }
  return out;
}

/** Resolves after `ms`, or rejects with the abort reason when the read is cancelled. */
export function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
