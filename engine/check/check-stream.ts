/**
 * CheckStream: `check` succeeds when each named stream can read its first page without error.
 * Reading stops after the first record, so a check costs one or two requests per stream.
 */
import type { Stream } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';

export interface CheckContext {
  /**
   * Per `dynamic_streams` entry (by name, `dynamic_stream_<i>` when unnamed), the names of the
   * streams it generated, in order; every entry is listed, also one that generated none.
   */
  generated?: Map<string, string[]>;
}

export interface ConnectionCheck {
  run(streams: Map<string, Stream>, signal?: AbortSignal, context?: CheckContext): Promise<{ ok: boolean; message?: string }>;
}

/** DynamicStreamCheckConfig: check the streams one dynamic_streams entry generated (the first `streamCount`, else all). */
export interface DynamicStreamCheck {
  dynamicStreamName: string;
  streamCount?: number | undefined;
}

type CheckResult = { ok: boolean; message?: string };

export class CheckStream implements ConnectionCheck {
  /**
   * `firstStreams`: without stream names, how many of the source's streams to read (Airbyte's
   * CheckDynamicStream.stream_count); `readStreams: false` only resolves the streams
   * (use_check_availability: false); `dynamicChecks`: CheckStream.dynamic_streams_check_configs,
   * checked after the named streams.
   */
  constructor(
    readonly streamNames: string[],
    private readonly options: { firstStreams?: number; readStreams?: boolean; dynamicChecks?: DynamicStreamCheck[] } = {},
  ) {}

  async run(streams: Map<string, Stream>, signal?: AbortSignal, context: CheckContext = {}): Promise<CheckResult> {
    const dynamicChecks = this.options.dynamicChecks ?? [];
    if (streams.size === 0 && (!this.streamNames.length || dynamicChecks.length)) return { ok: false, message: 'The source has no streams to connect to' };
    if (this.options.readStreams === false) return { ok: true };
    const names =
      this.streamNames.length || dynamicChecks.length ? this.streamNames : [...streams.keys()].slice(0, Math.max(1, this.options.firstStreams ?? 1));
    for (const name of names) {
      const stream = streams.get(name);
      if (!stream) return { ok: false, message: `check names stream "${name}", which the manifest does not define` };
      await readFirstRecord(stream, signal);
    }
    for (const check of dynamicChecks) {
      const generated = context.generated?.get(check.dynamicStreamName);
      if (!generated) {
        const known = [...(context.generated?.keys() ?? [])];
        return {
          ok: false,
          message: `check names dynamic stream "${check.dynamicStreamName}", which the manifest does not define (dynamic streams: ${known.join(', ') || 'none'})`,
        };
      }
      for (const name of check.streamCount === undefined ? generated : generated.slice(0, check.streamCount)) {
        const stream = streams.get(name);
        if (stream) await readFirstRecord(stream, signal);
      }
    }
    return { ok: true };
  }
}

/** The first record (or the end of an empty stream) proves the API answers with these credentials. */
async function readFirstRecord(stream: Stream, signal: AbortSignal | undefined): Promise<void> {
  const iterator = stream.read({ syncMode: 'full_refresh', limits: { records: 1, pages: 1, slices: 1 }, signal })[Symbol.asyncIterator]();
  try {
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) if (r.value.kind === 'record') break;
  } finally {
    await iterator.return?.();
  }
}

export function buildCheckStream(node: ManifestNode, ctx: BuildContext): CheckStream {
  const names = Array.isArray(node.stream_names) ? node.stream_names.map(String) : [];
  const configs = Array.isArray(node.dynamic_streams_check_configs) ? (node.dynamic_streams_check_configs as ManifestNode[]) : [];
  const dynamicChecks = configs.map((c, i): DynamicStreamCheck => {
    if (typeof c?.dynamic_stream_name !== 'string' || !c.dynamic_stream_name) {
      throw ctx.error('DynamicStreamCheckConfig needs a dynamic_stream_name', `dynamic_streams_check_configs[${i}].dynamic_stream_name`);
    }
    const count = c.stream_count === undefined || c.stream_count === null ? undefined : Number(c.stream_count);
    if (count !== undefined && !(Number.isInteger(count) && count >= 1)) {
      throw ctx.error('stream_count must be a positive integer', `dynamic_streams_check_configs[${i}].stream_count`);
    }
    return { dynamicStreamName: c.dynamic_stream_name, streamCount: count };
  });
  return new CheckStream(names, { dynamicChecks });
}

registerComponent(
  'CheckStream',
  buildCheckStream,
  'Checks the connection by reading the first record of the named streams (and of the streams dynamic_streams_check_configs names).',
);
export function buildCheckDynamicStream(node: ManifestNode, _ctx: BuildContext): CheckStream {
  const count = Number(node.stream_count);
  return new CheckStream([], { firstStreams: Number.isFinite(count) && count > 0 ? count : 1, readStreams: node.use_check_availability !== false });
}

registerComponent(
  'CheckDynamicStream',
  buildCheckDynamicStream,
  'Checks the connection by reading the first record of the first stream_count streams (dynamic streams resolved first); use_check_availability: false only resolves them.',
);
