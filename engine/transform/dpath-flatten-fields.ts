/**
 * DpathFlattenFields: the object at `field_path` is merged into the record's top level (keys
 * optionally prefixed/suffixed); with replace_record it becomes the record. Skipped on key clashes.
 */
import type { RecordTransformation } from '../contracts.js';
import { deleteGlob, getPath, globValues, hasWildcard, resolvePath, type PathKey } from '../extract/dpath.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, Obj } from '../types.js';
import { assignAllOwn, assignOwn } from '../extract/dpath.js';

export class DpathFlattenFields implements RecordTransformation {
  private readonly wildcard: boolean;

  constructor(
    private readonly path: PathKey[],
    private readonly options: { deleteOrigin: boolean; replaceRecord: boolean; prefix: string; suffix: string },
  ) {
    this.wildcard = hasWildcard(path);
  }

  transform(record: DataRecord): void {
    const found = this.wildcard ? globValues(record, this.path)[0] : getPath(record, this.path);
    if (found === null || typeof found !== 'object' || Array.isArray(found)) return;
    const { prefix, suffix, replaceRecord, deleteOrigin } = this.options;
    let extracted = found as Obj;
    if (prefix || suffix) {
      extracted = {};
      for (const [k, v] of Object.entries(found as Obj)) assignOwn(extracted, `${prefix}${k}${suffix}`, v);
    }
    if (replaceRecord && Object.keys(extracted).length > 0) {
      for (const k of Object.keys(record)) delete record[k];
      assignAllOwn(record, extracted);
      return;
    }
    for (const k of Object.keys(extracted)) if (k in record) return;
    if (deleteOrigin) deleteGlob(record, this.path);
    assignAllOwn(record, extracted);
  }
}

export function buildDpathFlattenFields(node: ManifestNode, ctx: BuildContext): DpathFlattenFields {
  if (!Array.isArray(node.field_path) || node.field_path.length === 0) throw ctx.error('field_path must be a non-empty list of keys', 'field_path');
  const kt = (node.key_transformation ?? {}) as Obj;
  const render = (v: unknown): string =>
    v === undefined || v === null
      ? ''
      : InterpolatedString.create(v, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters });
  return new DpathFlattenFields(resolvePath(node.field_path, ctx, 'field_path'), {
    deleteOrigin: node.delete_origin_value === true,
    replaceRecord: node.replace_record === true,
    prefix: render(kt.prefix),
    suffix: render(kt.suffix),
  });
}

registerComponent('DpathFlattenFields', buildDpathFlattenFields, 'Lifts the object at a path into the top level of the record.');
registerComponent('KeyTransformation', (node: ManifestNode) => node, 'Prefix/suffix for DpathFlattenFields keys.');
