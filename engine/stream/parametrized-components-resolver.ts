/**
 * ParametrizedComponentsResolver: one stream per entry of a literal list in the manifest
 * (stream_parameters.list_of_parameters_for_stream), each entry being the `components_values`
 * the mappings read. String results of the mappings are read as YAML, as for config entries.
 */
import type { ComponentsResolver } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import { buildMappings, type ComponentMapping } from './component-mapping.js';

export class ParametrizedComponentsResolver implements ComponentsResolver {
  constructor(
    private readonly entries: readonly Obj[],
    private readonly mappings: ComponentMapping[],
    private readonly config: Obj,
    private readonly parameters: Obj,
  ) {}

  async *resolve(template: Obj): AsyncIterable<Obj> {
    for (const values of this.entries) {
      const stream = structuredClone(template);
      const ctx = { config: this.config, parameters: this.parameters, components_values: values, stream_template_config: template };
      for (const mapping of this.mappings) mapping.apply(stream, ctx, true);
      yield stream;
    }
  }
}

export function buildParametrizedComponentsResolver(node: ManifestNode, ctx: BuildContext): ParametrizedComponentsResolver {
  const definition = node.stream_parameters as ManifestNode | undefined;
  const list = definition?.list_of_parameters_for_stream;
  if (!Array.isArray(list)) {
    throw ctx.error('ParametrizedComponentsResolver needs stream_parameters.list_of_parameters_for_stream (a list of mappings)', 'stream_parameters');
  }
  list.forEach((entry, i) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw ctx.error(`list_of_parameters_for_stream[${i}] must be a mapping`, 'stream_parameters');
    }
  });
  return new ParametrizedComponentsResolver(list as Obj[], buildMappings(node, ctx), ctx.config, ctx.parameters);
}

registerComponent(
  'ParametrizedComponentsResolver',
  buildParametrizedComponentsResolver,
  'Makes one stream per entry of a literal list of parameters (dynamic streams).',
);
