/**
 * QueryProperties: the value of one request parameter listing the properties (fields) the API
 * should return, static or read from an endpoint, optionally split into chunks. The requester puts
 * the current chunk, joined with commas, into that parameter; the retriever requests once per chunk
 * and merges the chunks' records by key.
 */
import type { QueryPropertyChunks } from '../../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../../registry.js';
import type { DataRecord, StreamSlice } from '../../types.js';
import type { PropertiesFromEndpoint } from './properties-from-endpoint.js';
import type { PropertyChunking } from './property-chunking.js';

export class QueryProperties implements QueryPropertyChunks {
  constructor(
    private readonly propertyList: readonly string[] | PropertiesFromEndpoint,
    private readonly alwaysInclude: readonly string[],
    private readonly chunking: PropertyChunking | undefined,
  ) {}

  async chunks(args: { stream: string; slice: StreamSlice; signal?: AbortSignal | undefined }): Promise<string[][]> {
    const properties = Array.isArray(this.propertyList)
      ? (this.propertyList as readonly string[])
      : await (this.propertyList as PropertiesFromEndpoint).properties(args);
    if (this.chunking) return this.chunking.chunks(properties, this.alwaysInclude);
    // Without chunking Airbyte requests exactly property_list (always_include_properties only count with chunking).
    return [[...properties]];
  }

  mergeKey(record: DataRecord): string | undefined {
    return this.chunking?.mergeKey(record);
  }
}

export function buildQueryProperties(node: ManifestNode, ctx: BuildContext): QueryProperties {
  const list = node.property_list;
  let propertyList: readonly string[] | PropertiesFromEndpoint;
  if (Array.isArray(list)) propertyList = list.map(String);
  else if (list && typeof list === 'object') propertyList = ctx.build<PropertiesFromEndpoint>(list, 'property_list', 'PropertiesFromEndpoint');
  else throw ctx.error('QueryProperties needs a property_list (a list or a PropertiesFromEndpoint)', 'property_list');
  const always = node.always_include_properties;
  if (always !== undefined && always !== null && !Array.isArray(always))
    throw ctx.error('always_include_properties must be a list', 'always_include_properties');
  if (node.property_selector) {
    ctx.services.logger.debug(`${ctx.path}: property_selector is not applied; every property of property_list is requested`);
  }
  return new QueryProperties(
    propertyList,
    (always ?? []).map(String),
    ctx.buildOptional<PropertyChunking>(node.property_chunking, 'property_chunking', 'PropertyChunking'),
  );
}

registerComponent('QueryProperties', buildQueryProperties, 'Properties to request in one request parameter, optionally in chunks whose records are merged.');
