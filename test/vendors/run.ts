/** Runs a vendor manifest through the public Source API and sorts the messages for assertions. */
import { join } from 'node:path';
import { Source } from '../../engine/index.js';
import { repoRoot } from './mock-kit.js';

type Obj = Record<string, unknown>;

export async function loadVendor(manifest: string): Promise<Source> {
  return Source.fromFile(join(repoRoot, 'manifests', manifest), { backoffScale: 0.001 });
}

export interface ReadResult {
  records: Map<string, Obj[]>;
  /** Last STATE blob per stream. */
  states: Map<string, Obj>;
  stateCount: Map<string, number>;
  errors: Array<{ message: string; failure_type?: string; stream?: string }>;
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
  const out: ReadResult = { records: new Map(), states: new Map(), stateCount: new Map(), errors: [] };
  for (const s of streams) out.records.set(s, []);
  for await (const raw of source.read(config, catalog(streams, syncMode), state, { concurrency: 1 })) {
    const msg = raw as Obj;
    if (msg.type === 'RECORD') {
      const rec = msg.record as { stream: string; data: Obj };
      out.records.get(rec.stream)?.push(rec.data) ?? out.records.set(rec.stream, [rec.data]);
    } else if (msg.type === 'STATE') {
      const st = (msg.state as { stream?: { stream_descriptor: { name: string }; stream_state: Obj } }).stream;
      if (st) {
        out.states.set(st.stream_descriptor.name, st.stream_state);
        out.stateCount.set(st.stream_descriptor.name, (out.stateCount.get(st.stream_descriptor.name) ?? 0) + 1);
      }
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
