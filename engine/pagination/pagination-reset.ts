/**
 * PaginationReset (SimpleRetriever.pagination_reset): what to do when pagination must start over,
 * either because a response filter said RESET_PAGINATION or because `limits.number_of_records`
 * records were read since the last (re)start.
 *   RESET               restart the same slice from the first page (allowed once per slice);
 *   SPLIT_USING_CURSOR  restart from the latest cursor value seen in the slice (records must come
 *                       in ascending cursor order); a restart that makes no progress fails.
 * PaginationTracker holds one slice's bookkeeping, as Airbyte's does.
 */
import type { IncrementalCursor } from '../contracts.js';
import { ManifoldError } from '../errors/manifold-error.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { makeSlice, type StreamSlice } from '../types.js';

export type PaginationResetAction = 'RESET' | 'SPLIT_USING_CURSOR';
const ACTIONS: PaginationResetAction[] = ['RESET', 'SPLIT_USING_CURSOR'];

export class PaginationReset {
  constructor(
    readonly action: PaginationResetAction,
    /** Restart after this many records since the last (re)start. */
    readonly recordLimit: number | undefined,
  ) {}

  tracker(slice: StreamSlice, cursor: IncrementalCursor | undefined): PaginationTracker {
    return new PaginationTracker(slice, this.action === 'SPLIT_USING_CURSOR' ? cursor : undefined, this.recordLimit);
  }
}

/** Without a pagination_reset, a RESET_PAGINATION answer restarts the slice once. */
export const DEFAULT_PAGINATION_RESET = new PaginationReset('RESET', undefined);

export class PaginationTracker {
  private records = 0;
  private attemptsWithSameSlice = 0;
  /** With a cursor every restart must move forward; without one, the slice may be read twice. */
  private readonly allowedAttemptsWithSameSlice: number;
  current: StreamSlice;

  constructor(
    private readonly original: StreamSlice,
    private readonly cursor: IncrementalCursor | undefined,
    private readonly limit: number | undefined,
  ) {
    this.current = original;
    this.allowedAttemptsWithSameSlice = cursor ? 1 : 2;
  }

  observe(): void {
    this.records++;
  }

  hasReachedLimit(): boolean {
    return this.limit !== undefined && this.records >= this.limit;
  }

  /** The slice the restarted pagination reads; throws when restarting would not make progress. */
  restart(stream: string): StreamSlice {
    const reduced = this.cursor?.reduceSlice?.(this.original);
    const next = reduced ? makeSlice(this.original.partition, reduced, this.original.extra_fields) : this.current;
    if (sameCursorSlice(next, this.current)) {
      this.attemptsWithSameSlice++;
      if (this.attemptsWithSameSlice >= this.allowedAttemptsWithSameSlice) {
        throw new ManifoldError(
          `Stream "${stream}": pagination had to restart ${this.attemptsWithSameSlice} time(s) on the same slice ${JSON.stringify(this.current.cursor_slice)}; giving up to avoid reading it forever`,
          { stream, failureType: 'system_error' },
        );
      }
    } else {
      this.attemptsWithSameSlice = 0;
    }
    this.records = 0;
    this.current = next;
    return next;
  }
}

function sameCursorSlice(a: StreamSlice, b: StreamSlice): boolean {
  if (a === b) return true;
  const ka = Object.keys(a.cursor_slice);
  return ka.length === Object.keys(b.cursor_slice).length && ka.every((k) => a.cursor_slice[k] === b.cursor_slice[k]);
}

export function buildPaginationReset(node: ManifestNode, ctx: BuildContext): PaginationReset {
  const action = node.action as PaginationResetAction;
  if (!ACTIONS.includes(action)) throw ctx.error(`action must be one of ${ACTIONS.join(', ')} (got "${String(node.action)}")`, 'action');
  const limits = node.limits as ManifestNode | undefined;
  let recordLimit: number | undefined;
  if (limits && limits.number_of_records !== undefined && limits.number_of_records !== null) {
    recordLimit = Number(limits.number_of_records);
    if (!Number.isInteger(recordLimit) || recordLimit < 1) throw ctx.error('limits.number_of_records must be a positive integer', 'limits');
  }
  return new PaginationReset(action, recordLimit);
}

registerComponent(
  'PaginationReset',
  buildPaginationReset,
  "Restarts a slice's pagination (RESET or SPLIT_USING_CURSOR) on RESET_PAGINATION or a record limit.",
);
