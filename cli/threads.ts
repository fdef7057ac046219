/**
 * `--threads N` for read. Default 1: worker mode (the engine in a worker thread, the main thread
 * only writing) has not yet been measured faster than one thread on a quiet 2-core machine, while
 * it costs 15-25% more CPU and ~20 MB more memory (bench/RESULTS.md, scenarios 10-11), so it is
 * opt-in until the bench shows it pays. With --output or --check-schema the main thread needs each
 * record as an object, which it would parse again from the worker's JSON text.
 */
import { ConfigError } from '../engine/errors/manifold-error.js';

export function threadsOf(opts: { threads?: string }): number {
  if (opts.threads !== undefined) {
    const n = Number(opts.threads);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--threads takes a whole number ≥ 1 (got "${opts.threads}")`);
    return n;
  }
  return 1;
}
