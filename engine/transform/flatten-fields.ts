/**
 * FlattenFields: nested objects (and lists, unless flatten_lists is false) become top-level keys.
 * A leaf keeps its own name; on a clash, and for list items, the parent path is prefixed
 * (`parent.key`, `list.0`) — Airbyte's naming.
 */
import type { RecordTransformation } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, Obj } from '../types.js';
import { assignAllOwn, assignOwn } from '../extract/dpath.js';

export class FlattenFields implements RecordTransformation {
  constructor(private readonly flattenLists = true) {}

  transform(record: DataRecord): void {
    const out: Obj = {};
    const stack: Array<[unknown, string, string]> = [[record, '', '']];
    while (stack.length > 0) {
      const [node, key, parent] = stack.pop()!;
      const name = Object.hasOwn(out, key) && parent !== '' ? `${parent}.${key}` : key;
      if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
        // Pushed in reverse so fields are visited in document order: the first one keeps the plain name.
        const entries = Object.entries(node as Obj);
        for (let i = entries.length - 1; i >= 0; i--) {
          const [k, v] = entries[i]!;
          stack.push([v, k, name]);
        }
      } else if (Array.isArray(node) && this.flattenLists) {
        for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], `${name}.${i}`, name]);
      } else {
        assignOwn(out, name, node);
      }
    }
    for (const k of Object.keys(record)) delete record[k];
    assignAllOwn(record, out);
  }
}

export function buildFlattenFields(node: ManifestNode, _ctx: BuildContext): FlattenFields {
  return new FlattenFields(node.flatten_lists !== false);
}

registerComponent('FlattenFields', buildFlattenFields, 'Flattens nested objects (and lists) into top-level keys.');
