/**
 * DynamicDeclarativeStream (root `dynamic_streams`): a stream_template plus a components_resolver
 * that turns it into concrete stream definitions when the Source needs its streams (discover,
 * check, read). The definitions are built like any `streams` entry.
 */
import type { ComponentsResolver, StreamDefinition } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import { propagateTypesAndParameters } from '../manifest/component-transformer.js';

export class DynamicDeclarativeStream {
  constructor(
    private readonly template: Obj,
    private readonly resolver: ComponentsResolver,
    private readonly path: string,
    private readonly useParentParameters: boolean,
  ) {}

  async definitions(signal?: AbortSignal): Promise<StreamDefinition[]> {
    const out: StreamDefinition[] = [];
    const path = `${this.path}.stream_template`;
    for await (const resolved of this.resolver.resolve(this.template, signal)) {
      // As in the CDK, `$parameters` a mapping set (on the stream, say) flow down again to the
      // generated stream's components; by default (use_parent_parameters) the parent's win.
      const node = propagateTypesAndParameters(resolved, { useParentParameters: this.useParentParameters }, '', {}, path) as Obj;
      if (!('type' in node)) node.type = 'DeclarativeStream';
      out.push({ node, path });
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
  return new DynamicDeclarativeStream(node.stream_template as Obj, resolver, ctx.path, node.use_parent_parameters !== false);
}

registerComponent('DynamicDeclarativeStream', buildDynamicDeclarativeStream, 'Streams generated from a template, per API item or config entry.');
