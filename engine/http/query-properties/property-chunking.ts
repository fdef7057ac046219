/**
 * PropertyChunking: splits the properties to request into chunks an API accepts in one request,
 * counted in properties or in characters. As in Airbyte, a property counts its length + 3 characters
 * (the URL-encoded comma between properties), always_include_properties go into every chunk without
 * counting, and without property_limit everything goes in one chunk (always-included ones last).
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../../registry.js';
import type { DataRecord } from '../../types.js';
import { GroupByKeyMergeStrategy } from './group-by-key-merge-strategy.js';

const ENCODED_DELIMITER_LENGTH = 3;

export class PropertyChunking {
  constructor(
    private readonly limitType: 'characters' | 'property_count',
    private readonly limit: number | undefined,
    private readonly mergeStrategy: { groupKey(record: DataRecord): string | undefined },
  ) {}

  chunks(properties: readonly string[], alwaysInclude: readonly string[]): string[][] {
    if (!this.limit) return [[...properties, ...alwaysInclude]];
    const out: string[][] = [];
    let current = [...alwaysInclude];
    let size = 0;
    for (const property of properties) {
      const cost = this.limitType === 'characters' ? property.length + ENCODED_DELIMITER_LENGTH : 1;
      if (size + cost > this.limit) {
        out.push(current);
        current = [...alwaysInclude];
        size = 0;
      }
      current.push(property);
      size += cost;
    }
    out.push(current);
    return out;
  }

  mergeKey(record: DataRecord): string | undefined {
    return this.mergeStrategy.groupKey(record);
  }
}

export function buildPropertyChunking(node: ManifestNode, ctx: BuildContext): PropertyChunking {
  const limitType = node.property_limit_type;
  if (limitType !== 'characters' && limitType !== 'property_count') {
    throw ctx.error(`property_limit_type must be "characters" or "property_count" (got ${JSON.stringify(limitType)})`, 'property_limit_type');
  }
  let limit: number | undefined;
  if (node.property_limit !== undefined && node.property_limit !== null) {
    limit = Number(node.property_limit);
    if (!Number.isInteger(limit) || limit <= 0) throw ctx.error('property_limit must be a positive integer', 'property_limit');
  }
  // Airbyte's default merge strategy groups by `id`.
  const mergeStrategy =
    ctx.buildOptional<GroupByKeyMergeStrategy>(node.record_merge_strategy, 'record_merge_strategy', 'GroupByKeyMergeStrategy') ??
    new GroupByKeyMergeStrategy(['id']);
  return new PropertyChunking(limitType, limit, mergeStrategy);
}

registerComponent('PropertyChunking', buildPropertyChunking, "Splits query properties into chunks (by count or characters) and merges the chunks' records.");
