/** RemoveFields: deletes the fields matched by dpath globs (`*`, `**`), optionally where `condition` holds for the value (`property`). */
import type { RecordContext, RecordTransformation } from '../contracts.js';
import { deleterFor, type PathKey } from '../extract/dpath.js';
import { InterpolatedBoolean } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { sliceView, type DataRecord, type Obj } from '../types.js';
import { isEmptyCondition } from './context.js';

export class RemoveFields implements RecordTransformation {
  private readonly condition: InterpolatedBoolean | undefined;
  private readonly deleters: Array<ReturnType<typeof deleterFor>>;

  constructor(
    pointers: PathKey[][],
    condition: unknown,
    private readonly config: Obj,
    private readonly parameters: Obj,
  ) {
    this.condition = isEmptyCondition(condition) ? undefined : new InterpolatedBoolean(condition, parameters);
    this.deleters = pointers.map(deleterFor);
  }

  transform(record: DataRecord, ctx?: RecordContext): void {
    const cond = this.condition;
    const veto = cond
      ? (property: unknown) => cond.eval({ config: this.config, parameters: this.parameters, property, stream_slice: sliceView(ctx?.slice) })
      : undefined;
    for (const remove of this.deleters) remove(record, veto);
  }
}

export function buildRemoveFields(node: ManifestNode, ctx: BuildContext): RemoveFields {
  const pointers = node.field_pointers;
  if (!Array.isArray(pointers) || pointers.some((p) => !Array.isArray(p))) {
    throw ctx.error('field_pointers must be a list of paths (each a list of keys)', 'field_pointers');
  }
  return new RemoveFields(pointers as PathKey[][], node.condition, ctx.config, ctx.parameters);
}

registerComponent('RemoveFields', buildRemoveFields, 'Removes fields matched by paths (with * and ** globs).');
