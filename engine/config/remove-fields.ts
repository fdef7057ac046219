/** ConfigRemoveFields: deletes the config fields at field_pointers (globs allowed) when `condition` holds. */
import { deleteGlob, type PathKey } from '../extract/dpath.js';
import { InterpolatedBoolean } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import { isEmptyCondition } from '../transform/context.js';
import type { ConfigTransformation } from './contracts.js';

export class ConfigRemoveFields implements ConfigTransformation {
  constructor(
    private readonly pointers: PathKey[][],
    private readonly condition: InterpolatedBoolean | undefined,
  ) {}

  transform(config: Obj): void {
    if (this.condition && !this.condition.eval({ config })) return;
    // A pointer to a missing field is not an error: the config may already be in the new shape.
    for (const p of this.pointers) deleteGlob(config, p);
  }
}

function build(node: ManifestNode, ctx: BuildContext): ConfigRemoveFields {
  const pointers = node.field_pointers;
  if (!Array.isArray(pointers) || pointers.length === 0) throw ctx.error('ConfigRemoveFields needs a non-empty list of field_pointers', 'field_pointers');
  pointers.forEach((p, i) => {
    if (!Array.isArray(p) || p.length === 0) throw ctx.error(`field_pointers[${i}] must be a non-empty list of keys`, 'field_pointers');
  });
  const condition = isEmptyCondition(node.condition) ? undefined : new InterpolatedBoolean(node.condition, ctx.parameters);
  return new ConfigRemoveFields(pointers as PathKey[][], condition);
}

registerComponent('ConfigRemoveFields', build, 'Removes fields from the config.');
