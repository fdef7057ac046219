/**
 * ConditionalStreams (an entry of root `streams`): its `streams` exist only when `condition`
 * (over config) holds.
 */
import type { StreamDefinition } from '../contracts.js';
import { InterpolatedBoolean } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';

export class ConditionalStreams {
  constructor(
    readonly enabled: boolean,
    private readonly streams: Obj[],
    private readonly path: string,
  ) {}

  definitions(): StreamDefinition[] {
    return this.enabled ? this.streams.map((node, i) => ({ node, path: `${this.path}.streams[${i}]` })) : [];
  }
}

export function buildConditionalStreams(node: ManifestNode, ctx: BuildContext): ConditionalStreams {
  if (!Array.isArray(node.streams)) throw ctx.error('ConditionalStreams needs a streams list', 'streams');
  if (node.condition === undefined || node.condition === null) throw ctx.error('ConditionalStreams needs a condition', 'condition');
  const enabled = new InterpolatedBoolean(String(node.condition), ctx.parameters).eval({ config: ctx.config, parameters: ctx.parameters });
  return new ConditionalStreams(enabled, node.streams as Obj[], ctx.path);
}

registerComponent('ConditionalStreams', buildConditionalStreams, 'Streams that exist only when a condition over the config holds.');
