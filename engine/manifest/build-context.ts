/**
 * The BuildContext handed to component builders: dispatches on `type` through the registry,
 * tracks the component path of each child and turns problems into located ConfigErrors.
 */
import { ConfigError, ManifoldError, type SourceLocation } from '../errors/manifold-error.js';
import { getComponent, hasComponentModule, registeredTypes, suggestTypes, type BuildContext, type ManifestNode } from '../registry.js';
import type { EngineServices } from '../services.js';
import type { Obj } from '../types.js';
import { childPath, locationOf } from './locations.js';
import { componentTypeNames } from './validate.js';

export class ManifestBuildContext implements BuildContext {
  readonly parameters: Obj;

  constructor(
    private readonly node: ManifestNode,
    readonly path: string,
    readonly config: Obj,
    readonly services: EngineServices,
  ) {
    const own = node.$parameters;
    this.parameters = own && typeof own === 'object' ? own : {};
  }

  build<T = unknown>(child: unknown, field: string | number, defaultType?: string): T {
    return buildNode<T>(child, childPath(this.path, field), this.config, this.services, defaultType, this.location(field));
  }

  buildOptional<T = unknown>(child: unknown, field: string | number, defaultType?: string): T | undefined {
    return child === undefined || child === null ? undefined : this.build<T>(child, field, defaultType);
  }

  location(field?: string | number): SourceLocation {
    const loc = locationOf(this.node, field);
    if (loc) return { ...loc, path: field === undefined ? this.path : childPath(this.path, field) };
    return { path: field === undefined ? this.path : childPath(this.path, field) };
  }

  error(message: string, field?: string | number): ConfigError {
    return new ConfigError(message, { location: this.location(field) });
  }
}

/** Builds the component described by `node` (its `type`, else `defaultType`) at component path `path`. */
export function buildComponent<T>(node: unknown, path: string, config: Obj, services: EngineServices, defaultType?: string): T {
  return buildNode<T>(node, path, config, services, defaultType, undefined);
}

function buildNode<T>(
  node: unknown,
  path: string,
  config: Obj,
  services: EngineServices,
  defaultType: string | undefined,
  fieldLocation: SourceLocation | undefined,
): T {
  const where = (): SourceLocation => {
    const own = node !== null && typeof node === 'object' ? locationOf(node) : undefined;
    return { ...(fieldLocation ?? own ?? {}), ...(own?.line ? own : {}), path };
  };
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    const got = node === undefined || node === null ? 'nothing' : Array.isArray(node) ? 'a list' : JSON.stringify(node);
    const expected = defaultType ? `a ${defaultType} component` : 'a component (a mapping with a `type`)';
    throw new ConfigError(`expected ${expected}, got ${got}`, { location: where() });
  }
  const manifestNode = node as ManifestNode;
  const type = typeof manifestNode.type === 'string' ? manifestNode.type : defaultType;
  if (!type) {
    throw new ConfigError('component has no `type`', { location: where() });
  }
  const info = getComponent(type);
  if (!info && hasComponentModule(type)) {
    // loadComponentsFor() imports what the manifest names and the types engine code names; a
    // type reached another way is an engine bug, not the user's.
    throw new ManifoldError(`component type ${type} was not loaded before building`, { failureType: 'system_error', location: where() });
  }
  if (!info && componentTypeNames().includes(type)) {
    const why = type.startsWith('Custom') ? ' (it names a Python class, which Manifold cannot run)' : '';
    throw new ConfigError(`component type ${type} is not supported by Manifold${why}`, { location: where() });
  }
  if (!info) {
    const suggestions = suggestTypes(type, registeredTypes());
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.join(', ')}?` : '';
    throw new ConfigError(`unknown component type ${type}${hint}`, { location: where() });
  }
  try {
    return info.build(manifestNode, new ManifestBuildContext(manifestNode, path, config, services)) as T;
  } catch (e) {
    // Errors raised below a builder without a location (an invalid template, a bad regex, a
    // programming slip) would otherwise reach the user with no file:line or component path.
    if (e instanceof ManifoldError && e.location) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const failureType = e instanceof ManifoldError ? e.failureType : 'config_error';
    if (failureType === 'config_error') throw new ConfigError(message, { location: where(), cause: e });
    throw new ManifoldError(message, { failureType, location: where(), cause: e });
  }
}
