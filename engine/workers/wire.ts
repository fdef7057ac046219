/**
 * What the writing thread and its read workers say to each other (worker_threads messages).
 * Everything here is structured-cloned, so it holds only plain data: RECORDs travel as JSON text.
 */
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from '../protocol/messages.js';
import type { LogLevel } from '../services.js';
import type { Limits } from '../limits/limits.js';
import type { Obj, StreamSlice } from '../types.js';

/** How the worker rebuilds the Source the caller built (a Source object cannot cross threads). */
export type SourceOrigin =
  | { kind: 'file'; path: string }
  | { kind: 'text'; text: string; file?: string | undefined }
  | { kind: 'object'; manifest: unknown; file?: string | undefined };

/** SourceOptions that can cross: no callbacks; a transport only as the --record/--replay folders that make it. */
export interface WorkerSourceOptions {
  logLevel?: LogLevel | undefined;
  backoffScale?: number | undefined;
  applyBudget?: boolean | undefined;
  allowPaths?: string[] | undefined;
  limits?: Partial<Limits> | undefined;
  transport?: { record?: string | undefined; replay?: string | undefined } | undefined;
}

export interface WorkerInit {
  origin: SourceOrigin;
  options: WorkerSourceOptions;
  config: Obj;
  catalog: ConfiguredAirbyteCatalog | undefined;
  state: unknown;
  read: {
    concurrency?: number | undefined;
    limits?: { records?: number; pages?: number; slices?: number } | undefined;
    /** Whether to report each page (the caller's onPage). */
    pages: boolean;
  };
  /** This worker reads the catalog's streams i with i % count === index. */
  shard: { index: number; count: number };
  /** Batches the worker may send before the writer hands back credit. */
  window: number;
}

/**
 * One batch of read()'s messages in order: a Uint8Array is one or more RECORD lines in UTF-8, each
 * ending with "\n", moved to the writer (transferred, not copied); every other message goes as
 * itself (they are few and the writer looks at them).
 */
export type WireItem = Uint8Array | Exclude<AirbyteMessage, { type: 'RECORD' }>;

/** ReadOptions.onPage's event (the slice is plain data: partition, cursor_slice, extra_fields). */
export interface PageEvent {
  stream: string;
  records: number;
  url: string;
  status: number;
  slice: StreamSlice;
}

export type FromWorker =
  | { t: 'batch'; items: WireItem[] }
  | { t: 'page'; event: PageEvent }
  /** The worker's streams are all done; `failed` names those that did not sync. */
  | { t: 'done'; failed: string[] }
  | { t: 'fatal'; message: string; stack?: string | undefined };

export type ToWorker = { t: 'credit'; n: number } | { t: 'abort'; reason: string };
