/**
 * One incremental cursor per partition (router × cursor), with Airbyte's concurrent per-partition
 * state format so state moves freely between Manifold and the Python CDK:
 *
 *   { states: [{partition, cursor}], state, use_global_cursor, lookback_window, parent_state }
 *
 * `state` (the global cursor) only advances once every partition of the read has completed:
 * until then a resumed read would start new partitions from it and could skip data. As in the
 * CDK, it only moves when the read saw records: a partition cursor's state without records is its
 * sync start, which says nothing about new partitions. Past
 * SWITCH_TO_GLOBAL_LIMIT partitions the per-partition list is dropped and only the global cursor
 * is kept (`use_global_cursor: true`), as the CDK does. `global_substream_cursor` streams keep
 * only the global cursor from the start (`use_global_cursor: true`). Under the global cursor no
 * partition cursor outlives its slices, so memory stays flat however many partitions a read has.
 *
 * Checkpoints while reading are throttled (`checkpointDue`): every state carries every partition
 * so far, so one after each partition would make the STATE output quadratic in partitions. As in
 * the CDK, the first closed slice checkpoints and then at most one per CHECKPOINT_INTERVAL_MS, and
 * the read always ends with a complete state. Unlike the CDK (time only), a per-partition state is
 * also due once the records emitted since the last one outnumber its entries: the state then
 * costs no more than the records it covers, its size at least doubles between checkpoints, and
 * the total stays within a small multiple of the final state (about 3×).
 *
 * `lookback_window` (seconds) follows the CDK's ConcurrentPerPartitionCursor: a partition without
 * a state of its own starts from the global cursor moved back by the input's lookback_window (a
 * partition cut short in the previous sync may have missed records written while it ran), and a
 * read that saw records writes its own duration, rounded up to whole seconds, as the next one.
 */
import type { IncrementalCursor, PartitionRouter } from '../contracts.js';
import type { DataRecord, Obj, StreamSlice } from '../types.js';

/** The CDK's limit before per-partition state is given up for a single global cursor. */
export const SWITCH_TO_GLOBAL_LIMIT = 10_000;

/** The CDK's ConcurrentPerPartitionCursor emits at most one throttled state per 600 s. */
export const CHECKPOINT_INTERVAL_MS = 600_000;

/** A cursor that can make state-less copies of itself (one per partition). */
export interface CursorPrototype extends IncrementalCursor {
  fresh(): IncrementalCursor;
  /** `state` moved `seconds` earlier, written as the cursor writes states; cursors without it ignore lookback. */
  movedBack?(state: Obj, seconds: number): Obj;
}

export function canMakePartitionCursors(cursor: IncrementalCursor): cursor is CursorPrototype {
  return typeof (cursor as Partial<CursorPrototype>).fresh === 'function';
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Stable identity of a partition (key order must not matter). */
export function partitionKey(partition: Obj): string {
  return JSON.stringify(partition, (_k, v: unknown) =>
    isObj(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

interface PartitionEntry {
  partition: Obj;
  cursor: IncrementalCursor;
}

export class PerPartitionCursor {
  private readonly entries = new Map<string, PartitionEntry>();
  /** Partition states from the input, in input order. */
  private seeded = new Map<string, { partition: Obj; cursor: Obj }>();
  private globalState: Obj | undefined;
  /** Sees every record of the read; its state becomes the global cursor once all partitions are done. */
  private tracker: IncrementalCursor;
  private useGlobal: boolean;
  /** Seconds: the input's until a read with records replaces it with its own duration. */
  private lookbackWindow = 0;
  private inputParentState: Obj | undefined;
  private finished = false;
  private sawRecords = false;
  private readStartedAt = 0;
  /** Partitions started in this read, kept or not (under the global cursor none are kept). */
  private partitionsSeen = 0;
  private lastCheckpointAt: number | undefined;
  private recordsSinceCheckpoint = 0;
  /** Cursors that closed a slice: the partitions a checkpoint writes (partitions routed ahead of reading are not). */
  private closedCursors = new WeakSet<IncrementalCursor>();
  private closedPartitions = 0;
  /** Partition entries the last checkpoint wrote. */
  private checkpointedEntries = 0;

  constructor(
    private readonly prototype: CursorPrototype,
    private readonly router: PartitionRouter | undefined,
    private readonly globalOnly: boolean,
    /** Milliseconds, for the read's duration. */
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.useGlobal = globalOnly;
    this.tracker = prototype.fresh();
  }

  setState(state: Obj | undefined): void {
    this.entries.clear();
    this.seeded = new Map();
    this.finished = false;
    this.sawRecords = false;
    this.readStartedAt = this.clock();
    this.partitionsSeen = 0;
    this.closedCursors = new WeakSet();
    this.closedPartitions = 0;
    this.checkpointedEntries = 0;
    this.lastCheckpointAt = undefined;
    this.recordsSinceCheckpoint = 0;
    this.lookbackWindow = 0;
    this.inputParentState = isObj(state?.parent_state) ? state.parent_state : undefined;
    this.router?.setChildState?.(state);
    if (state && (Array.isArray(state.states) || isObj(state.state) || 'use_global_cursor' in state)) {
      this.lookbackWindow = secondsOf(state.lookback_window);
      for (const item of Array.isArray(state.states) ? state.states : []) {
        if (isObj(item) && isObj(item.partition) && isObj(item.cursor)) {
          this.seeded.set(partitionKey(item.partition), { partition: item.partition, cursor: item.cursor });
        }
      }
      this.globalState = isObj(state.state) ? state.state : undefined;
      this.useGlobal = this.globalOnly || state.use_global_cursor === true;
    } else {
      // A plain `{cursor_field: value}` state (stream had no router before): it applies to every partition.
      const { parent_state: _p, lookback_window: _l, ...rest } = state ?? {};
      this.globalState = Object.keys(rest).length ? rest : undefined;
      this.useGlobal = this.globalOnly;
    }
    this.tracker = this.prototype.fresh();
    this.tracker.setState(this.globalState);
  }

  /**
   * The cursor of a partition, created on first use from its saved state (or the global one).
   * Under the global cursor it is not kept: the caller holds it for the partition's slices.
   */
  cursorFor(partition: Obj): IncrementalCursor {
    const key = this.useGlobal ? undefined : partitionKey(partition);
    const entry = key === undefined ? undefined : this.entries.get(key);
    if (entry) return entry.cursor;
    const cursor = this.prototype.fresh();
    const own = key === undefined ? undefined : this.seeded.get(key)?.cursor;
    cursor.setState(own ?? this.globalStart());
    this.partitionsSeen++;
    if (key !== undefined) this.entries.set(key, { partition, cursor });
    if (!this.useGlobal && this.partitionsSeen > SWITCH_TO_GLOBAL_LIMIT) {
      // The per-partition list is no longer written: its cursors only serve slices in flight, which hold them.
      this.useGlobal = true;
      this.entries.clear();
    }
    return cursor;
  }

  /** Where a partition without its own state starts: the global cursor minus the lookback window. */
  private globalStart(): Obj | undefined {
    if (!this.globalState || this.lookbackWindow <= 0 || !this.prototype.movedBack) return this.globalState;
    return this.prototype.movedBack(this.globalState, this.lookbackWindow);
  }

  /** Partitions seen in this read. */
  get size(): number {
    return this.partitionsSeen;
  }

  /** `cursor`: the one cursorFor gave for the slice's partition (looked up again when omitted). */
  observe(record: DataRecord, slice: StreamSlice, cursor: IncrementalCursor = this.cursorFor(slice.partition)): void {
    cursor.observe(record, slice);
    this.tracker.observe(record, slice);
    this.recordsSinceCheckpoint++;
    const value = record[this.prototype.cursorField];
    if (value !== undefined && value !== null) this.sawRecords = true;
  }

  closeSlice(slice: StreamSlice, cursor: IncrementalCursor = this.cursorFor(slice.partition)): void {
    cursor.closeSlice(slice);
    this.tracker.closeSlice(slice);
    if (!this.closedCursors.has(cursor)) {
      this.closedCursors.add(cursor);
      this.closedPartitions++;
    }
  }

  /**
   * Whether a checkpoint should go out now that a slice closed (its records already went out);
   * answering yes counts as having checkpointed. The final state after finish() is never throttled.
   */
  checkpointDue(): boolean {
    const now = this.clock();
    let due = this.lastCheckpointAt === undefined || now - this.lastCheckpointAt >= CHECKPOINT_INTERVAL_MS;
    // Under the global cursor the state does not change until the read ends: time alone decides.
    if (!due && !this.useGlobal) due = this.recordsSinceCheckpoint >= Math.max(1, this.checkpointedEntries);
    if (due) {
      this.checkpointedEntries = this.seeded.size + this.closedPartitions;
      this.lastCheckpointAt = now;
      this.recordsSinceCheckpoint = 0;
    }
    return due;
  }

  /** Every partition was read: the global cursor and the parent state may now move forward. */
  finish(): void {
    this.finished = true;
    if (!this.sawRecords) return;
    // The CDK's nanosecond timer never reads 0, so a read with records writes at least 1.
    this.lookbackWindow = Math.max(1, Math.ceil((this.clock() - this.readStartedAt) / 1000));
    const tracked = this.tracker.state();
    if (Object.keys(tracked).length) this.globalState = tracked;
  }

  state(): Obj {
    // Written for global_substream_cursor too: the CDK reads a state without it as per-partition.
    const out: Obj = { use_global_cursor: this.useGlobal };
    if (!this.useGlobal) {
      // Partitions not seen in this read keep their saved state; order stays stable across reads.
      const states = new Map(this.seeded);
      for (const [key, entry] of this.entries) {
        const cursor = entry.cursor.state();
        if (Object.keys(cursor).length) states.set(key, { partition: entry.partition, cursor });
      }
      out.states = [...states.values()];
    }
    if (this.globalState) out.state = this.globalState;
    out.lookback_window = this.lookbackWindow;
    const parent = this.finished ? this.router?.parentState?.() : this.inputParentState;
    if (parent && Object.keys(parent).length) out.parent_state = parent;
    return out;
  }
}

/** Python's int() of the state's lookback_window (seconds); unusable values count as none. */
function secondsOf(value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}
