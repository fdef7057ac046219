/**
 * JsonFileSchemaLoader: a schema file next to the manifest (`file_path`, default
 * `./source_<name>/schemas/{stream name}.json`, Airbyte's package layout). Manifests often omit the
 * file, so a missing one gives a permissive schema and a warning rather than a failed read. The
 * path must stay inside the folders the file policy allows (see engine/files): a path outside is
 * a manifest error when the stream is built, before any request.
 */
import { ConfigError } from '../errors/manifold-error.js';
import { FilePolicy, FileRefusal, readRegularFile } from '../files/file-policy.js';
import { InterpolatedString } from '../interpolation/index.js';
import { DEFAULT_LIMITS, jsonDepthExceeds, LimitExceededError } from '../limits/limits.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Logger } from '../services.js';
import type { SourceLocation } from '../errors/manifold-error.js';
import type { Obj } from '../types.js';
import { PERMISSIVE_SCHEMA, type SchemaLoader } from './schema-loader.js';

interface FileUsers {
  streams: Set<string>;
  reported: boolean;
}

/** services.cache key: schema file path → the streams using it. */
const USERS_KEY = 'JsonFileSchemaLoader.users';

/** A schema file is small; anything near this size is not one. */
const MAX_SCHEMA_FILE_BYTES = 16 * 1024 * 1024;

export class JsonFileSchemaLoader implements SchemaLoader {
  private loaded: Promise<Obj> | undefined;

  constructor(
    readonly filePath: string,
    private readonly logger: Logger,
    private readonly location: SourceLocation = {},
    private readonly maxDepth = DEFAULT_LIMITS.maxRecordDepth,
    /** The streams of this run using the same file: a missing file is reported once, naming them all. */
    private readonly users: FileUsers = { streams: new Set(), reported: false },
  ) {}

  getJsonSchema(): Promise<Obj> {
    this.loaded ??= Promise.resolve().then(() => this.read());
    return this.loaded;
  }

  private read(): Obj {
    if (!FilePolicy.exists(this.filePath)) {
      if (!this.users.reported) {
        this.users.reported = true;
        const streams = [...this.users.streams];
        const who = streams.length === 1 ? `stream ${streams[0]}` : streams.length ? `streams ${streams.join(', ')}` : 'its stream';
        this.logger.warn(`schema file ${this.filePath} (schema_loader of ${who}) not found; using a permissive schema`);
      }
      return PERMISSIVE_SCHEMA;
    }
    let text: string;
    try {
      text = readRegularFile(this.filePath, MAX_SCHEMA_FILE_BYTES);
    } catch (e) {
      throw new ConfigError(`cannot read schema file ${this.filePath}: ${(e as Error).message}`, { location: this.location, cause: e });
    }
    if (jsonDepthExceeds(text, this.maxDepth)) {
      throw new LimitExceededError('maxRecordDepth', this.maxDepth, `schema file ${this.filePath} nests deeper than ${this.maxDepth} levels`, {
        location: this.location,
      });
    }
    try {
      return JSON.parse(text) as Obj;
    } catch (e) {
      throw new ConfigError(`schema file ${this.filePath} is not valid JSON: ${(e as Error).message}`, { location: this.location, cause: e });
    }
  }
}

export function buildJsonFileSchemaLoader(node: ManifestNode, ctx: BuildContext): JsonFileSchemaLoader {
  const name = String(ctx.parameters.name ?? 'stream');
  const template = node.file_path ?? `./source_${String(ctx.parameters.source_name ?? 'declarative')}/schemas/${name}.json`;
  const relative = InterpolatedString.create(template, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters });
  const policy = ctx.services.files ?? FilePolicy.forManifest(ctx.location().file);
  let path: string;
  try {
    path = policy.check(relative, 'read');
  } catch (e) {
    if (e instanceof FileRefusal) throw ctx.error(e.message, node.file_path === undefined ? undefined : 'file_path');
    throw e;
  }
  const location = ctx.location(node.file_path === undefined ? undefined : 'file_path');
  const byPath = (ctx.services.cache.get(USERS_KEY) as Map<string, FileUsers> | undefined) ?? new Map<string, FileUsers>();
  ctx.services.cache.set(USERS_KEY, byPath);
  const users = byPath.get(path) ?? { streams: new Set<string>(), reported: false };
  byPath.set(path, users);
  if (ctx.parameters.name !== undefined) users.streams.add(name);
  return new JsonFileSchemaLoader(path, ctx.services.logger, location, ctx.services.limits?.maxRecordDepth, users);
}

registerComponent('JsonFileSchemaLoader', buildJsonFileSchemaLoader, 'A JSON schema file next to the manifest.');
