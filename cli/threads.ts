/**
 * `--threads N` for read. Default: 2 on a machine with two or more cores, so the engine (requests,
 * decoding, selection, transformations, serialising) runs in a worker thread while the main thread
 * only writes (bench scenario 10), else 1. With --output or --check-schema the main thread needs
 * each record as an object, which it would have to parse again from the worker's JSON text, so
 * those keep one thread unless --threads says otherwise. More than 2 by default would only help
 * reads of many CPU-heavy streams, and each worker adds its own heap (~20-30 MB).
 */
import { availableParallelism } from 'node:os';
import { ConfigError } from '../engine/errors/manifold-error.js';

export function threadsOf(opts: { threads?: string; output?: string; checkSchema?: boolean }): number {
  if (opts.threads !== undefined) {
    const n = Number(opts.threads);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--threads takes a whole number ≥ 1 (got "${opts.threads}")`);
    return n;
  }
  if (opts.output || opts.checkSchema) return 1;
  return availableParallelism() >= 2 ? 2 : 1;
}
