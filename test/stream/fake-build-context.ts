/**
 * A minimal BuildContext for building components straight from manifest-like objects in tests
 * (no loader: `$parameters` are merged naively and defaults come from the `defaultType` argument).
 */
import { ConfigError } from '../../engine/errors/manifold-error.js';
import { getComponent, type BuildContext, type ManifestNode } from '../../engine/registry.js';
import { SecretRegistry, type EngineServices, type LogLevel } from '../../engine/services.js';
import type { Obj } from '../../engine/types.js';

export interface TestServices extends EngineServices {
  logged: Array<{ level: LogLevel; message: string }>;
}

export function testServices(): TestServices {
  const logged: Array<{ level: LogLevel; message: string }> = [];
  const log = (level: LogLevel, message: string): void => void logged.push({ level, message });
  return {
    logged,
    logger: {
      log,
      error: (m) => log('ERROR', m),
      warn: (m) => log('WARN', m),
      info: (m) => log('INFO', m),
      debug: (m) => log('DEBUG', m),
    },
    cache: new Map(),
    secrets: new SecretRegistry(),
    emit: () => undefined,
    onHttp: [],
    backoffScale: 0.001,
  };
}

export function fakeContext(
  config: Obj = {},
  services: EngineServices = testServices(),
  path = 'streams[0]',
  parameters: Obj = {},
  manifestDir?: string,
): BuildContext {
  const ctx: BuildContext & { manifestDir?: string } = {
    config,
    path,
    services,
    parameters,
    build<T>(node: unknown, field: string | number, defaultType?: string): T {
      const n = { ...(node as ManifestNode) };
      const type = n.type ?? defaultType;
      const info = type ? getComponent(type) : undefined;
      if (!info) throw new ConfigError(`unknown component type ${String(type)} at ${path}.${field}`);
      const merged = { ...parameters, ...((n.$parameters as Obj | undefined) ?? {}) };
      n.$parameters = merged;
      const child = fakeContext(config, services, `${path}.${field}`, merged, manifestDir);
      return info.build(n, child) as T;
    },
    buildOptional<T>(node: unknown, field: string | number, defaultType?: string): T | undefined {
      return node === undefined || node === null ? undefined : ctx.build<T>(node, field, defaultType);
    },
    location: (field) => ({ path: field === undefined ? path : `${path}.${field}` }),
    error: (message, field) => new ConfigError(message, { location: { path: field === undefined ? path : `${path}.${field}` } }),
  };
  if (manifestDir !== undefined) ctx.manifestDir = manifestDir;
  return ctx;
}
