/**
 * ComponentMappingDefinition: writes one interpolated value into a copy of a stream template, at
 * field_path (templates too; `*` matches any key). Only existing paths are set unless
 * create_or_update; an optional condition skips the mapping. Templates see config, parameters,
 * components_values (the API item / config entry), stream_slice and stream_template_config.
 */
import { parse as parseYaml } from 'yaml';
import { InterpolatedBoolean, InterpolatedString, type InterpolationContext } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';

const VALUE_TYPES = ['string', 'number', 'integer', 'boolean'] as const;
type ValueType = (typeof VALUE_TYPES)[number];

export class ComponentMapping {
  constructor(
    private readonly fieldPath: InterpolatedString[],
    private readonly value: InterpolatedString,
    private readonly valueType: ValueType | undefined,
    private readonly createOrUpdate: boolean,
    private readonly condition: InterpolatedBoolean | undefined,
  ) {}

  /** `readYaml`: ConfigComponentsResolver reads string results as YAML (lists, mappings, numbers). */
  apply(target: Obj, ctx: InterpolationContext, readYaml = false): void {
    if (this.condition && !this.condition.eval(ctx)) return;
    const path = this.fieldPath.map((p) => p.evalString(ctx));
    let value = this.typed(ctx);
    if (readYaml && typeof value === 'string') value = yamlOrString(value);
    const updated = setExisting(target, path, value);
    if (updated === 0 && this.createOrUpdate && !path.includes('*')) createPath(target, path, value);
  }

  private typed(ctx: InterpolationContext): unknown {
    switch (this.valueType) {
      case 'string':
        return this.value.evalString(ctx);
      case 'integer':
      case 'number': {
        const v = this.value.eval(ctx);
        const n = typeof v === 'number' ? v : Number(v);
        if (Number.isNaN(n)) return v;
        return this.valueType === 'integer' ? Math.trunc(n) : n;
      }
      case 'boolean': {
        const v = this.value.eval(ctx);
        return typeof v === 'boolean' ? v : String(v).toLowerCase() === 'true';
      }
      default:
        return this.value.eval(ctx);
    }
  }
}

function yamlOrString(value: string): unknown {
  try {
    const parsed: unknown = parseYaml(value);
    return parsed === null && value.trim() !== '' && !/^(null|~)$/i.test(value.trim()) ? value : parsed;
  } catch {
    return value;
  }
}

/** dpath.set: replaces every existing value the path matches; returns how many. */
function setExisting(node: unknown, path: string[], value: unknown, i = 0): number {
  if (node === null || typeof node !== 'object') return 0;
  const key = path[i]!;
  const last = i === path.length - 1;
  const container = node as Record<string, unknown>;
  const keys = key === '*' ? Object.keys(container) : Object.hasOwn(container, key) ? [key] : [];
  let count = 0;
  for (const k of keys) {
    if (last) {
      container[k] = value;
      count++;
    } else {
      count += setExisting(container[k], path, value, i + 1);
    }
  }
  return count;
}

function createPath(root: Obj, path: string[], value: unknown): void {
  let node: Record<string, unknown> = root;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = (next !== null && typeof next === 'object' ? next : (node[key] = {})) as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

export function buildComponentMapping(node: ManifestNode, ctx: BuildContext): ComponentMapping {
  if (!Array.isArray(node.field_path) || node.field_path.length === 0) throw ctx.error('field_path must be a non-empty list', 'field_path');
  if (node.value === undefined || node.value === null) throw ctx.error('ComponentMappingDefinition needs a value', 'value');
  const valueType = node.value_type as ValueType | undefined;
  if (valueType !== undefined && !VALUE_TYPES.includes(valueType)) throw ctx.error(`value_type must be one of ${VALUE_TYPES.join(', ')}`, 'value_type');
  const parameters = ctx.parameters;
  return new ComponentMapping(
    node.field_path.map((p) => InterpolatedString.create(String(p), { parameters })),
    InterpolatedString.create(typeof node.value === 'string' ? node.value : JSON.stringify(node.value), { parameters }),
    valueType,
    node.create_or_update === true,
    node.condition ? new InterpolatedBoolean(String(node.condition), parameters) : undefined,
  );
}

/** Builds a resolver's components_mapping list. */
export function buildMappings(node: ManifestNode, ctx: BuildContext): ComponentMapping[] {
  if (!Array.isArray(node.components_mapping) || node.components_mapping.length === 0) {
    throw ctx.error('components_mapping must be a non-empty list of ComponentMappingDefinition', 'components_mapping');
  }
  return node.components_mapping.map((m, i) => ctx.build<ComponentMapping>(m, `components_mapping[${i}]`, 'ComponentMappingDefinition'));
}

registerComponent('ComponentMappingDefinition', buildComponentMapping, 'Writes an interpolated value into a dynamic stream template at field_path.');
