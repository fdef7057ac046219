/** Runs a vendor manifest through the public Source API and sorts the messages for assertions. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Source } from '../../engine/index.js';
import { repoRoot } from './mock-kit.js';

type Obj = Record<string, unknown>;

let preloaded: Promise<void> | undefined;
/**
 * jest's ESM loader fails ("request for ... is not in cache") when engine/components.ts imports
 * every component at once; importing them one by one first leaves it nothing to link.
 */
function preloadEngine(): Promise<void> {
  preloaded ??= (async () => {
    const engine = join(repoRoot, 'engine');
    for (const entry of readdirSync(engine, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || !/\.ts$/.test(entry.name) || /\.d\.ts$/.test(entry.name)) continue;
      const dir = entry.parentPath ?? (entry as unknown as { path: string }).path;
      try {
        await import(join(dir, entry.name));
      } catch {
        // A module someone is rewriting right now; the ones a vendor manifest needs will fail later, visibly.
      }
    }
  })();
  return preloaded;
}

export async function loadVendor(manifest: string): Promise<Source> {
  await preloadEngine();
  return Source.fromFile(join(repoRoot, 'manifests', manifest), { backoffScale: 0.001 });
}

export interface ReadResult {
  records: Map<string, Obj[]>;
  /** Last STATE blob per stream. */
  states: Map<string, Obj>;
  stateCount: Map<string, number>;
  errors: Array<{ message: string; failure_type?: string; stream?: string }>;
  /** LOG messages at WARN. */
  warnings: string[];
}

export function catalog(streams: string[], syncMode: 'full_refresh' | 'incremental' = 'full_refresh') {
  return {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: syncMode,
      destination_sync_mode: syncMode === 'incremental' ? 'append_dedup' : 'overwrite',
    })),
  } as never;
}

/** A per-stream input state, as the platform sends it. */
export function streamState(entries: Record<string, Obj>): unknown {
  return Object.entries(entries).map(([name, stream_state]) => ({
    type: 'STREAM',
    stream: { stream_descriptor: { name }, stream_state },
  }));
}

export async function readStreams(
  source: Source,
  config: Obj,
  streams: string[],
  syncMode: 'full_refresh' | 'incremental' = 'full_refresh',
  state?: unknown,
): Promise<ReadResult> {
  const out: ReadResult = { records: new Map(), states: new Map(), stateCount: new Map(), errors: [], warnings: [] };
  for (const s of streams) out.records.set(s, []);
  for await (const raw of source.read(config, catalog(streams, syncMode), state, { concurrency: 1 })) {
    const msg = raw as unknown as Obj;
    if (msg.type === 'RECORD') {
      const rec = msg.record as { stream: string; data: Obj };
      out.records.get(rec.stream)?.push(rec.data) ?? out.records.set(rec.stream, [rec.data]);
    } else if (msg.type === 'STATE') {
      const st = (msg.state as { stream?: { stream_descriptor: { name: string }; stream_state: Obj } }).stream;
      if (st) {
        out.states.set(st.stream_descriptor.name, st.stream_state);
        out.stateCount.set(st.stream_descriptor.name, (out.stateCount.get(st.stream_descriptor.name) ?? 0) + 1);
      }
    } else if (msg.type === 'LOG') {
      const log = msg.log as { level: string; message: string };
      if (log.level === 'WARN') out.warnings.push(log.message);
    } else if (msg.type === 'TRACE') {
      const trace = msg.trace as { type: string; error?: { message: string; failure_type?: string; stream_descriptor?: { name: string } } };
      if (trace.type === 'ERROR' && trace.error) {
        const e: ReadResult['errors'][number] = { message: trace.error.message };
        if (trace.error.failure_type) e.failure_type = trace.error.failure_type;
        if (trace.error.stream_descriptor) e.stream = trace.error.stream_descriptor.name;
        out.errors.push(e);
      }
    }
  }
  return out;
}
