/**
 * ConfigAddFields: sets values (templates over the config) at paths of the config, optionally only
 * where `condition` holds. The condition sees the candidate `value` and `path` as well, which is how
 * migrations say "only if the old key exists and the new one does not".
 */
import { setPath, type PathKey } from '../extract/dpath.js';
import { InterpolatedBoolean, InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import type { ConfigTransformation } from './contracts.js';

type ValueType = 'string' | 'number' | 'integer' | 'boolean';
const VALUE_TYPES: Record<string, ValueType> = {
  string: 'string', str: 'string', number: 'number', float: 'number', integer: 'integer', int: 'integer', boolean: 'boolean', bool: 'boolean',
};

interface Field {
  path: PathKey[];
  value: InterpolatedString;
  valueType: ValueType | undefined;
}

export class ConfigAddFields implements ConfigTransformation {
  constructor(
    private readonly fields: Field[],
    private readonly condition: InterpolatedBoolean | undefined,
  ) {}

  transform(config: Obj): void {
    for (const f of this.fields) {
      const value = cast(f.value.eval({ config }), f.valueType);
      if (this.condition && !this.condition.eval({ config, value, path: f.path })) continue;
      setPath(config, f.path, value);
    }
  }
}

/** A typed result is kept only when it has the declared type; a numeric string is converted. */
function cast(value: unknown, type: ValueType | undefined): unknown {
  if (!type || value === undefined || value === null) return value;
  if (type === 'string') return typeof value === 'string' ? value : String(value);
  if (type === 'boolean') return typeof value === 'string' && /^(true|false)$/i.test(value) ? value.toLowerCase() === 'true' : value;
  if (typeof value === 'number') return value;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isNaN(n) || (type === 'integer' && !Number.isInteger(n))) return value;
  return n;
}

function build(node: ManifestNode, ctx: BuildContext): ConfigAddFields {
  if (!Array.isArray(node.fields) || node.fields.length === 0) throw ctx.error('ConfigAddFields needs a non-empty list of fields', 'fields');
  const fields = node.fields.map((raw, i): Field => {
    const f = (raw ?? {}) as Obj;
    if (!Array.isArray(f.path) || f.path.length === 0) throw ctx.error(`fields[${i}].path must be a non-empty list of keys`, 'fields');
    if (!('value' in f)) throw ctx.error(`fields[${i}] needs a value`, 'fields');
    let valueType: ValueType | undefined;
    if (f.value_type !== undefined && f.value_type !== null) {
      valueType = VALUE_TYPES[String(f.value_type)];
      if (!valueType) throw ctx.error(`fields[${i}].value_type must be string, number, integer or boolean`, 'fields');
    }
    return { path: f.path as PathKey[], value: InterpolatedString.create(f.value, { parameters: ctx.parameters }), valueType };
  });
  const condition = node.condition === undefined || node.condition === null || node.condition === '' ? undefined : new InterpolatedBoolean(node.condition, ctx.parameters);
  return new ConfigAddFields(fields, condition);
}

registerComponent('ConfigAddFields', build, 'Adds fields (static values or templates over the config) to the config.');
