/**
 * DynamicDeclarativeStream (root `dynamic_streams`): a stream_template plus a components_resolver
 * that turns it into concrete stream definitions when the Source needs its streams (discover,
 * check, read). The definitions are built like any `streams` entry.
 */
import type { ComponentsResolver, StreamDefinition } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';

export class DynamicDeclarativeStream {
  constructor(
    private readonly template: Obj,
    private readonly resolver: ComponentsResolver,
    private readonly path: string,
  ) {}

  async definitions(signal?: AbortSignal): Promise<StreamDefinition[]> {
    const out: StreamDefinition[] = [];
    for await (const node of this.resolver.resolve(this.template, signal)) {
      if (!('type' in node)) node.type = 'DeclarativeStream';
      out.push({ node, path: `${this.path}.stream_template` });
    }
    return out;
  }
}

export function buildDynamicDeclarativeStream(node: ManifestNode, ctx: BuildContext): DynamicDeclarativeStream {
  if (!node.stream_template || typeof node.stream_template !== 'object') throw ctx.error('DynamicDeclarativeStream needs a stream_template', 'stream_template');
  if (!node.components_resolver || typeof node.components_resolver !== 'object') {
    throw ctx.error('DynamicDeclarativeStream needs a components_resolver', 'components_resolver');
  }
  const resolver = ctx.build<ComponentsResolver>(node.components_resolver, 'components_resolver', 'ConfigComponentsResolver');
  return new DynamicDeclarativeStream(node.stream_template as Obj, resolver, ctx.path);
}

registerComponent('DynamicDeclarativeStream', buildDynamicDeclarativeStream, 'Streams generated from a template, per API item or config entry.');
