/**
 * ConfigRemapField: replaces the value at field_path by map[value] when the map has that value as a
 * key; any other value, or a missing path, is left alone.
 */
import { InterpolatedMapping, InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import type { ConfigTransformation } from './contracts.js';

export class ConfigRemapField implements ConfigTransformation {
  constructor(
    private readonly map: Obj,
    private readonly fieldPath: InterpolatedString[],
  ) {}

  transform(config: Obj): void {
    const keys = this.fieldPath.map((k) => k.evalString({ config }));
    let node: unknown = config;
    for (const key of keys.slice(0, -1)) {
      if (!isObject(node) || !Object.hasOwn(node, key)) return;
      node = node[key];
    }
    const last = keys[keys.length - 1]!;
    if (!isObject(node) || !Object.hasOwn(node, last)) return;
    const value = node[last];
    // Map keys come from YAML as strings; only a string value can equal one.
    if (typeof value === 'string' && Object.hasOwn(this.map, value)) node[last] = this.map[value];
  }
}

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function build(node: ManifestNode, ctx: BuildContext): ConfigRemapField {
  if (!Array.isArray(node.field_path) || node.field_path.length === 0) throw ctx.error('ConfigRemapField needs a non-empty field_path', 'field_path');
  if (!isObject(node.map)) throw ctx.error('ConfigRemapField needs a map (a mapping of old value to new value)', 'map');
  // Airbyte renders the map once, against the config the run started with.
  const map = new InterpolatedMapping(node.map, ctx.parameters).eval({ config: ctx.config });
  const path = node.field_path.map((k) => InterpolatedString.create(String(k), { parameters: ctx.parameters }));
  return new ConfigRemapField(map, path);
}

registerComponent('ConfigRemapField', build, 'Remaps a config value through a static map.');
