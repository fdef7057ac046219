/**
 * AddFields: sets values (static or templates over record/slice/config) at paths of each record,
 * optionally only where `condition` holds (condition sees `value` and `path` too).
 */
import type { RecordContext, RecordTransformation } from '../contracts.js';
import { setPath, type PathKey } from '../extract/dpath.js';
import { InterpolatedBoolean, InterpolatedString, type InterpolationContext } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, Obj } from '../types.js';
import { isEmptyCondition, RecordTemplateContexts } from './context.js';

export type ValueType = 'string' | 'number' | 'integer' | 'boolean';

const VALUE_TYPES: Record<string, ValueType> = {
  string: 'string',
  str: 'string',
  number: 'number',
  float: 'number',
  integer: 'integer',
  int: 'integer',
  boolean: 'boolean',
  bool: 'boolean',
};

export interface AddedField {
  path: PathKey[];
  value: unknown;
  valueType?: ValueType | undefined;
}

interface CompiledField {
  path: PathKey[];
  template: InterpolatedString | undefined;
  constant: unknown;
  valueType: ValueType | undefined;
}

export class AddFields implements RecordTransformation {
  private readonly fields: CompiledField[];
  private readonly condition: InterpolatedBoolean | undefined;
  private readonly needsContext: boolean;
  private readonly contexts: RecordTemplateContexts;

  constructor(fields: AddedField[], condition: unknown, config: Obj, parameters: Obj) {
    this.fields = fields.map((f) => {
      const compiled = typeof f.value === 'string' ? InterpolatedString.create(f.value, { parameters }) : undefined;
      const template = compiled && !compiled.isStatic ? compiled : undefined;
      if (!template) return { path: f.path, template, constant: cast(f.value, f.valueType, undefined), valueType: f.valueType };
      const folded = template.readsOnlyConfigAndParameters ? evalOnce(template, f.valueType, { config, parameters }) : undefined;
      return folded
        ? { path: f.path, template: undefined, constant: folded.value, valueType: f.valueType }
        : { path: f.path, template, constant: undefined, valueType: f.valueType };
    });
    this.condition = isEmptyCondition(condition) ? undefined : new InterpolatedBoolean(condition, parameters);
    this.needsContext = this.fields.some((f) => f.template) || this.condition !== undefined;
    this.contexts = new RecordTemplateContexts(config, parameters);
  }

  transform(record: DataRecord, ctx?: RecordContext): void {
    const tctx = this.needsContext ? this.contexts.for(record, ctx) : undefined;
    for (const f of this.fields) {
      const value = f.template ? cast(f.template.eval(tctx!), f.valueType, () => f.template!.evalString(tctx!)) : f.constant;
      if (this.condition && !this.condition.eval({ ...tctx!, value, path: f.path })) continue;
      setPath(record, f.path, value);
    }
  }
}

/**
 * A value that reads only config and parameters is the same for every record: computed once here
 * instead of per record. Only scalars are folded (a list or object would be one instance shared by
 * every record); one that fails is left to fail per record, where the error is reported.
 */
function evalOnce(template: InterpolatedString, valueType: ValueType | undefined, ctx: InterpolationContext): { value: unknown } | undefined {
  try {
    const value = cast(template.eval(ctx), valueType, () => template.evalString(ctx));
    return value !== null && typeof value === 'object' ? undefined : { value };
  } catch {
    return undefined;
  }
}

/** Airbyte keeps a typed result only when it matches value_type; otherwise the rendered text. */
export function cast(value: unknown, type: ValueType | undefined, rendered?: () => string): unknown {
  if (!type || value === undefined || value === null) return value;
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : rendered ? rendered() : String(value);
    case 'integer': {
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : undefined;
      return n ?? value;
    }
    case 'number': {
      if (typeof value === 'number') return value;
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      return Number.isNaN(n) ? value : n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      return value;
  }
}

/** The `fields` of AddFields (and of ConfigAddFields): AddedFieldDefinitions with a path, a value and an optional value_type. */
export function addedFields(node: ManifestNode, ctx: BuildContext, component: string): AddedField[] {
  if (!Array.isArray(node.fields) || node.fields.length === 0) throw ctx.error(`${component} needs a non-empty list of fields`, 'fields');
  return node.fields.map((raw, i): AddedField => {
    const f = (raw ?? {}) as Obj;
    if (!Array.isArray(f.path) || f.path.length === 0) throw ctx.error(`fields[${i}].path must be a non-empty list of keys`, 'fields');
    if (!('value' in f)) throw ctx.error(`fields[${i}] needs a value`, 'fields');
    let valueType: ValueType | undefined;
    if (f.value_type !== undefined && f.value_type !== null) {
      valueType = VALUE_TYPES[String(f.value_type)];
      if (!valueType) throw ctx.error(`fields[${i}].value_type must be string, number, integer or boolean`, 'fields');
    }
    return { path: f.path as PathKey[], value: f.value, valueType };
  });
}

export function buildAddFields(node: ManifestNode, ctx: BuildContext): AddFields {
  return new AddFields(addedFields(node, ctx, 'AddFields'), node.condition, ctx.config, ctx.parameters);
}

registerComponent('AddFields', buildAddFields, 'Adds fields (static values or templates) to each record.');
registerComponent('AddedFieldDefinition', (node: ManifestNode) => node, 'One field of AddFields.');
