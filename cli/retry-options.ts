/**
 * Retry flags for test reads: an API that is down, or a typo in the host name, should not cost
 * the person iterating on a manifest minutes of backoff. They only ever shorten what the
 * manifest's error handlers allow.
 */
import type { Command } from 'commander';
import { ConfigError } from '../engine/errors/manifold-error.js';
import type { RetryLimits } from '../engine/source/source.js';

export interface RetryOptions {
  failFast?: boolean;
  maxRetries?: string;
  maxBackoff?: string;
}

export function addRetryOptions(cmd: Command): Command {
  return cmd
    .option('--fail-fast', 'no retries: the first failed request fails its stream (same as --max-retries 0)')
    .option('--max-retries <n>', "at most N retries per request, whatever the manifest's error handlers allow")
    .option('--max-backoff <seconds>', 'wait at most S seconds before any retry (Retry-After and backoff strategies included)');
}

export function retriesOf(opts: RetryOptions): { retries?: RetryLimits } {
  const retries: RetryLimits = {};
  if (opts.maxRetries !== undefined) {
    const n = Number(opts.maxRetries);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`--max-retries takes a whole number ≥ 0 (got "${opts.maxRetries}")`);
    retries.maxRetries = n;
  }
  if (opts.failFast) retries.maxRetries = 0;
  if (opts.maxBackoff !== undefined) {
    const s = Number(opts.maxBackoff);
    if (!Number.isFinite(s) || s < 0) throw new ConfigError(`--max-backoff takes a number of seconds ≥ 0 (got "${opts.maxBackoff}")`);
    retries.maxBackoffSeconds = s;
  }
  return Object.keys(retries).length ? { retries } : {};
}
