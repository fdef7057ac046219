/**
 * JsonFileSchemaLoader: a schema file next to the manifest (`file_path`, default
 * `./source_<name>/schemas/{stream name}.json`, Airbyte's package layout). Manifests often omit the
 * file, so a missing one gives a permissive schema and a warning rather than a failed read.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Logger } from '../services.js';
import type { Obj } from '../types.js';
import { PERMISSIVE_SCHEMA, type SchemaLoader } from './schema-loader.js';

export class JsonFileSchemaLoader implements SchemaLoader {
  private loaded: Promise<Obj> | undefined;

  constructor(
    readonly filePath: string,
    private readonly logger: Logger,
  ) {}

  getJsonSchema(): Promise<Obj> {
    this.loaded ??= readFile(this.filePath, 'utf8').then(
      (text) => JSON.parse(text) as Obj,
      () => {
        this.logger.warn(`schema file ${this.filePath} not found; using a permissive schema`);
        return PERMISSIVE_SCHEMA;
      },
    );
    return this.loaded;
  }
}

export function buildJsonFileSchemaLoader(node: ManifestNode, ctx: BuildContext): JsonFileSchemaLoader {
  const name = String(ctx.parameters.name ?? 'stream');
  const template = node.file_path ?? `./source_${String(ctx.parameters.source_name ?? 'declarative')}/schemas/${name}.json`;
  const relative = InterpolatedString.create(template, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters });
  const manifestFile = ctx.location().file;
  const base = manifestFile ? dirname(manifestFile) : process.cwd();
  return new JsonFileSchemaLoader(isAbsolute(relative) ? relative : resolve(base, relative), ctx.services.logger);
}

registerComponent('JsonFileSchemaLoader', buildJsonFileSchemaLoader, 'A JSON schema file next to the manifest.');
