/**
 * FlattenFields: nested objects (and lists, unless flatten_lists is false) become top-level keys.
 * A leaf keeps its own name; on a clash, and for list items, the parent path is prefixed
 * (`parent.key`, `list.0`) — Airbyte's naming.
 */
import type { RecordTransformation } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, Obj } from '../types.js';

export class FlattenFields implements RecordTransformation {
  constructor(private readonly flattenLists = true) {}

  transform(record: DataRecord): void {
    const out: Obj = {};
    const stack: Array<[unknown, string]> = [[record, '']];
    let forceParentName = false;
    while (stack.length > 0) {
      const [node, parentKey] = stack.pop()!;
      if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
        for (const [k, v] of Object.entries(node as Obj)) {
          const key = parentKey !== '' && (k in out || forceParentName) ? `${parentKey}.${k}` : k;
          stack.push([v, key]);
        }
      } else if (Array.isArray(node) && this.flattenLists) {
        forceParentName = true;
        node.forEach((item, i) => stack.push([item, `${parentKey}.${i}`]));
      } else {
        out[parentKey] = node;
      }
    }
    for (const k of Object.keys(record)) delete record[k];
    Object.assign(record, out);
  }
}

export function buildFlattenFields(node: ManifestNode, _ctx: BuildContext): FlattenFields {
  return new FlattenFields(node.flatten_lists !== false);
}

registerComponent('FlattenFields', buildFlattenFields, 'Flattens nested objects (and lists) into top-level keys.');
