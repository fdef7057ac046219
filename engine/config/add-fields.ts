/**
 * ConfigAddFields: sets values (templates over the config) at paths of the config, optionally only
 * where `condition` holds. The condition sees the candidate `value` and `path` as well, which is how
 * migrations say "only if the old key exists and the new one does not".
 */
import { setPath, type PathKey } from '../extract/dpath.js';
import { InterpolatedBoolean, InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import { addedFields, cast, type ValueType } from '../transform/add-fields.js';
import { isEmptyCondition } from '../transform/context.js';
import type { ConfigTransformation } from './contracts.js';

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
      const value = cast(f.value.eval({ config }), f.valueType, () => f.value.evalString({ config }));
      if (this.condition && !this.condition.eval({ config, value, path: f.path })) continue;
      setPath(config, f.path, value);
    }
  }
}

function build(node: ManifestNode, ctx: BuildContext): ConfigAddFields {
  const fields = addedFields(node, ctx, 'ConfigAddFields').map(
    (f): Field => ({ path: f.path, value: InterpolatedString.create(f.value, { parameters: ctx.parameters }), valueType: f.valueType }),
  );
  const condition = isEmptyCondition(node.condition) ? undefined : new InterpolatedBoolean(node.condition, ctx.parameters);
  return new ConfigAddFields(fields, condition);
}

registerComponent('ConfigAddFields', build, 'Adds fields (static values or templates over the config) to the config.');
