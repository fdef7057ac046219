/**
 * GroupByKeyMergeStrategy: records of different property chunks describe the same entity when
 * their key field(s) are equal. A record missing a key value cannot be grouped (undefined).
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../../registry.js';
import type { DataRecord } from '../../types.js';

export class GroupByKeyMergeStrategy {
  constructor(private readonly keys: readonly string[]) {}

  groupKey(record: DataRecord): string | undefined {
    if (this.keys.length === 1) {
      const value = record[this.keys[0]!];
      return value === undefined || value === null ? undefined : String(value);
    }
    const parts: string[] = [];
    for (const key of this.keys) {
      const value = record[key];
      if (value === undefined || value === null) return undefined;
      parts.push(String(value));
    }
    // JSON keeps ("a,b", "c") apart from ("a", "b,c").
    return JSON.stringify(parts);
  }
}

export function buildGroupByKeyMergeStrategy(node: ManifestNode, ctx: BuildContext): GroupByKeyMergeStrategy {
  const key = node.key;
  const keys = Array.isArray(key) ? key.map(String) : key === undefined || key === null || key === '' ? [] : [String(key)];
  if (keys.length === 0) throw ctx.error('GroupByKeyMergeStrategy needs a key', 'key');
  return new GroupByKeyMergeStrategy(keys);
}

registerComponent('GroupByKeyMergeStrategy', buildGroupByKeyMergeStrategy, 'Merges the records of property chunks that share a key.');
