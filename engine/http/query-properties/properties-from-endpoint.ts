/**
 * PropertiesFromEndpoint: the properties to query are read from the API (e.g. a "list properties"
 * endpoint): each record of its retriever gives one property name at property_field_path. Read once
 * per partition and kept for the run, since every page of every chunk needs the same list.
 */
import type { Retriever } from '../../contracts.js';
import { getPath, resolvePath, type PathKey } from '../../extract/dpath.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../../registry.js';
import type { StreamSlice } from '../../types.js';

export class PropertiesFromEndpoint {
  private readonly cache = new Map<string, Promise<string[]>>();

  constructor(
    private readonly retriever: Retriever,
    private readonly fieldPath: readonly PathKey[],
  ) {}

  properties(args: { stream: string; slice: StreamSlice; signal?: AbortSignal | undefined }): Promise<string[]> {
    const key = JSON.stringify(args.slice.partition ?? {});
    let found = this.cache.get(key);
    if (!found) {
      found = this.read(args);
      this.cache.set(key, found);
      // A failed read is not remembered: a retry of the slice asks again.
      found.catch(() => this.cache.delete(key));
    }
    return found;
  }

  private async read(args: { stream: string; slice: StreamSlice; signal?: AbortSignal | undefined }): Promise<string[]> {
    const out: string[] = [];
    for await (const record of this.retriever.readSlice({ stream: args.stream, slice: args.slice, extra: [], signal: args.signal })) {
      const value = getPath(record, this.fieldPath);
      if (value !== undefined && value !== null && value !== '') out.push(String(value));
    }
    return out;
  }
}

export function buildPropertiesFromEndpoint(node: ManifestNode, ctx: BuildContext): PropertiesFromEndpoint {
  const fieldPath = resolvePath(node.property_field_path, ctx, 'property_field_path');
  if (fieldPath.length === 0) throw ctx.error('PropertiesFromEndpoint needs a property_field_path', 'property_field_path');
  if (!node.retriever) throw ctx.error('PropertiesFromEndpoint needs a retriever', 'retriever');
  return new PropertiesFromEndpoint(ctx.build<Retriever>(node.retriever, 'retriever', 'SimpleRetriever'), fieldPath);
}

registerComponent('PropertiesFromEndpoint', buildPropertiesFromEndpoint, 'Query properties read from an API endpoint.');
