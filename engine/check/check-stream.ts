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
  constructor(readonly streamNames: string[]) {}

  async run(streams: Map<string, Stream>, signal?: AbortSignal): Promise<{ ok: boolean; message?: string }> {
    const names = this.streamNames.length ? this.streamNames : [...streams.keys()].slice(0, 1);
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
registerComponent(
  'CheckDynamicStream',
  () => new CheckStream([]),
  'Checks the connection by reading the first record of the first stream (dynamic streams are resolved at read time).',
);
