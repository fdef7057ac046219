/**
 * ConfigComponentsResolver: one stream per entry of a config list (StreamConfig.configs_pointer,
 * plus its default_values). With several stream_configs, one stream per combination: mapping
 * entries are merged, other values appear as `source_config_<i>` = [index, value], as in Airbyte.
 * String results of the mappings are read as YAML.
 */
import type { ComponentsResolver } from '../contracts.js';
import { getPath } from '../extract/dpath.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import { buildMappings, type ComponentMapping } from './component-mapping.js';
import { assignAllOwn } from '../extract/dpath.js';

interface StreamConfigSpec {
  pointer: InterpolatedString[];
  defaults: unknown[];
}

export class ConfigComponentsResolver implements ComponentsResolver {
  constructor(
    private readonly streamConfigs: StreamConfigSpec[],
    private readonly mappings: ComponentMapping[],
    private readonly config: Obj,
    private readonly parameters: Obj,
  ) {}

  /** The components_values of every stream, per Airbyte's combination rules. */
  componentsValues(): Obj[] {
    const lists = this.streamConfigs.map((sc) => {
      const path = sc.pointer.map((p) => p.evalString({ config: this.config, parameters: this.parameters }));
      const found = getPath(this.config, path);
      const items = found === undefined ? [] : Array.isArray(found) ? [...found] : [found];
      return [...items, ...sc.defaults];
    });
    let combos: unknown[][] = [[]];
    for (const list of lists) combos = combos.flatMap((combo) => list.map((item) => [...combo, item]));
    return combos.map((combo) => {
      const merged: Obj = {};
      combo.forEach((item, configIndex) => {
        if (item !== null && typeof item === 'object' && !Array.isArray(item)) assignAllOwn(merged, item as Obj);
        else if (!(`source_config_${configIndex}` in merged)) merged[`source_config_${configIndex}`] = [lists[configIndex]!.indexOf(item), item];
      });
      return merged;
    });
  }

  async *resolve(template: Obj): AsyncIterable<Obj> {
    for (const values of this.componentsValues()) {
      const stream = structuredClone(template);
      const ctx = { config: this.config, parameters: this.parameters, components_values: values, stream_template_config: template };
      for (const mapping of this.mappings) mapping.apply(stream, ctx, true);
      yield stream;
    }
  }
}

function streamConfigSpec(node: unknown, ctx: BuildContext, field: string): StreamConfigSpec {
  const n = (node ?? {}) as ManifestNode;
  if (!Array.isArray(n.configs_pointer)) throw ctx.error('StreamConfig needs configs_pointer (a list of keys into the config)', field);
  return {
    pointer: n.configs_pointer.map((p) => InterpolatedString.create(String(p), { parameters: ctx.parameters })),
    defaults: Array.isArray(n.default_values) ? n.default_values : [],
  };
}

export function buildConfigComponentsResolver(node: ManifestNode, ctx: BuildContext): ConfigComponentsResolver {
  const raw = node.stream_config;
  if (!raw || typeof raw !== 'object') throw ctx.error('ConfigComponentsResolver needs stream_config', 'stream_config');
  const specs = Array.isArray(raw) ? raw.map((s, i) => streamConfigSpec(s, ctx, `stream_config[${i}]`)) : [streamConfigSpec(raw, ctx, 'stream_config')];
  return new ConfigComponentsResolver(specs, buildMappings(node, ctx), ctx.config, ctx.parameters);
}

registerComponent('ConfigComponentsResolver', buildConfigComponentsResolver, 'Makes one stream per entry of a config list (dynamic streams).');

// The CDK's default-type table names it without the s; manifests relying on the default get this spelling.
registerComponent('ConfigComponentResolver', buildConfigComponentsResolver);
