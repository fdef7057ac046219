/** InlineSchemaLoader: the JSON schema written in the manifest. */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import type { SchemaLoader } from './schema-loader.js';

export class InlineSchemaLoader implements SchemaLoader {
  constructor(private readonly schema: Obj) {}
  async getJsonSchema(): Promise<Obj> {
    return this.schema;
  }
}

export function buildInlineSchemaLoader(node: ManifestNode, ctx: BuildContext): InlineSchemaLoader {
  const schema = node.schema ?? {};
  if (typeof schema !== 'object' || Array.isArray(schema)) throw ctx.error('schema must be a JSON schema object', 'schema');
  return new InlineSchemaLoader(schema as Obj);
}

registerComponent('InlineSchemaLoader', buildInlineSchemaLoader, 'A JSON schema written inline in the manifest.');
