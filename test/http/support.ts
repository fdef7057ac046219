/**
 * Test scaffolding for http/auth/errors: a minimal BuildContext over the registry (the real one
 * comes from the manifest loader) and services with tiny backoffs and captured messages.
 */
import type { AirbyteMessage } from '../../engine/protocol/messages.js';
import { ConfigError } from '../../engine/errors/manifold-error.js';
import { getComponent, type BuildContext, type ManifestNode } from '../../engine/registry.js';
import { SecretRegistry, type EngineServices, type LogLevel } from '../../engine/services.js';
import type { Obj } from '../../engine/types.js';
import '../../engine/http/request-option.js';
import '../../engine/http/request-body.js';
import '../../engine/http/http-requester.js';
import '../../engine/errors/default-error-handler.js';
import '../../engine/errors/composite-error-handler.js';
import '../../engine/errors/http-response-filter.js';
import '../../engine/errors/constant-backoff-strategy.js';
import '../../engine/errors/exponential-backoff-strategy.js';
import '../../engine/errors/wait-time-from-header.js';
import '../../engine/errors/wait-until-time-from-header.js';
import '../../engine/auth/no-auth.js';
import '../../engine/auth/api-key-authenticator.js';
import '../../engine/auth/bearer-authenticator.js';
import '../../engine/auth/basic-http-authenticator.js';
import '../../engine/auth/oauth-authenticator.js';
import '../../engine/auth/session-token-authenticator.js';
import '../../engine/auth/selective-authenticator.js';

export interface TestServices extends EngineServices {
  emitted: AirbyteMessage[];
  logs: Array<{ level: LogLevel; message: string }>;
}

export function makeServices(overrides: Partial<EngineServices> = {}): TestServices {
  const emitted: AirbyteMessage[] = [];
  const logs: Array<{ level: LogLevel; message: string }> = [];
  const log = (level: LogLevel, message: string) => logs.push({ level, message });
  return {
    logger: { log, error: (m) => log('ERROR', m), warn: (m) => log('WARN', m), info: (m) => log('INFO', m), debug: (m) => log('DEBUG', m) },
    cache: new Map(),
    secrets: new SecretRegistry(),
    emit: (m) => emitted.push(m),
    onHttp: [],
    backoffScale: 0.001,
    emitted,
    logs,
    ...overrides,
  };
}

export function makeContext(config: Obj, services: EngineServices, parameters: Obj = {}, path = 'root'): BuildContext {
  const ctx: BuildContext = {
    config,
    path,
    services,
    parameters,
    build<T>(node: unknown, field: string | number, defaultType?: string): T {
      const n = (node ?? {}) as ManifestNode;
      const type = n.type ?? defaultType;
      const info = type ? getComponent(type) : undefined;
      if (!info) throw new ConfigError(`Unknown component type "${String(type)}" at ${path}.${field}`);
      const childParams = { ...parameters, ...(n.$parameters ?? {}) };
      return info.build({ ...n, type }, makeContext(config, services, childParams, `${path}.${field}`)) as T;
    },
    buildOptional<T>(node: unknown, field: string | number, defaultType?: string): T | undefined {
      return node === undefined || node === null ? undefined : ctx.build<T>(node, field, defaultType);
    },
    location: (field) => ({ path: field === undefined ? path : `${path}.${field}` }),
    error: (message, field) => new ConfigError(message, { location: { path: field === undefined ? path : `${path}.${field}` } }),
  };
  return ctx;
}

export function build<T>(node: ManifestNode, config: Obj = {}, services: EngineServices = makeServices(), parameters: Obj = {}): T {
  return makeContext(config, services, parameters).build<T>(node, 'component');
}
