/**
 * DynamicSchemaLoader: Airbyte reads the schema from an API at discover time. Manifold reports a
 * permissive schema instead (records are not constrained), so discover needs no network call.
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import { PERMISSIVE_SCHEMA, type SchemaLoader } from './schema-loader.js';

export class DynamicSchemaLoader implements SchemaLoader {
  async getJsonSchema(): Promise<Obj> {
    return PERMISSIVE_SCHEMA;
  }
}

export function buildDynamicSchemaLoader(_node: ManifestNode, ctx: BuildContext): DynamicSchemaLoader {
  ctx.services.logger.debug(`${ctx.path}: DynamicSchemaLoader is reported as a permissive schema`);
  return new DynamicSchemaLoader();
}

registerComponent('DynamicSchemaLoader', buildDynamicSchemaLoader, 'Schema discovered from the API (reported as permissive).');
