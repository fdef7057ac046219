/**
 * CheckStream: `check` succeeds when each named stream can read its first page without error.
 * Reading stops after the first record, so a check costs one or two requests per stream.
 */
import type { Stream } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';

export interface ConnectionCheck {
  run(streams: Map<string, Stream>, signal?: AbortSignal): Promise<{ ok: boolean; message?: string }>;
}

export class CheckStream implements ConnectionCheck {
  /**
   * `firstStreams`: without stream names, how many of the source's streams to read (Airbyte's
   * CheckDynamicStream.stream_count); `readStreams: false` only resolves the streams
   * (use_check_availability: false).
   */
  constructor(readonly streamNames: string[], private readonly options: { firstStreams?: number; readStreams?: boolean } = {}) {}

  async run(streams: Map<string, Stream>, signal?: AbortSignal): Promise<{ ok: boolean; message?: string }> {
    if (!this.streamNames.length && streams.size === 0) return { ok: false, message: 'The source has no streams to connect to' };
    if (this.options.readStreams === false) return { ok: true };
    const names = this.streamNames.length ? this.streamNames : [...streams.keys()].slice(0, Math.max(1, this.options.firstStreams ?? 1));
    for (const name of names) {
      const stream = streams.get(name);
      if (!stream) return { ok: false, message: `check names stream "${name}", which the manifest does not define` };
      const iterator = stream.read({ syncMode: 'full_refresh', limits: { records: 1, pages: 1, slices: 1 }, signal })[Symbol.asyncIterator]();
      try {
        // The first record (or the end of an empty stream) proves the API answers with these credentials.
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) if (r.value.kind === 'record') break;
      } finally {
        await iterator.return?.();
      }
    }
    return { ok: true };
  }
}

export function buildCheckStream(node: ManifestNode, _ctx: BuildContext): CheckStream {
  const names = Array.isArray(node.stream_names) ? node.stream_names.map(String) : [];
  return new CheckStream(names);
}

registerComponent('CheckStream', buildCheckStream, 'Checks the connection by reading the first record of the named streams.');
export function buildCheckDynamicStream(node: ManifestNode, _ctx: BuildContext): CheckStream {
  const count = Number(node.stream_count);
  return new CheckStream([], { firstStreams: Number.isFinite(count) && count > 0 ? count : 1, readStreams: node.use_check_availability !== false });
}

registerComponent(
  'CheckDynamicStream',
  buildCheckDynamicStream,
  'Checks the connection by reading the first record of the first stream_count streams (dynamic streams resolved first); use_check_availability: false only resolves them.',
);
