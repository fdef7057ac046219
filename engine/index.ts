/**
 * Manifold's public API. Everything the CLI does is available here.
 *
 *   const source = await Source.fromFile('manifests/close-com.yaml');
 *   for await (const message of source.read(config, catalog, state)) { ... }
 */
export { Source, INJECTED_MANIFEST_KEY, injectedManifestSpec } from './source/source.js';
export type { SourceOptions, ReadOptions, CheckResult, OutOfBandOptions } from './source/source.js';
export { registerComponent, registeredTypes, getComponent } from './registry.js';
export type { BuildContext, Builder, ManifestNode, ComponentInfo } from './registry.js';
export { loadComponents } from './components.js';
export * from './protocol/messages.js';
export * from './contracts.js';
export type * from './types.js';
export { makeSlice, sliceView } from './types.js';
export { ManifoldError, ConfigError, ManifestError } from './errors/manifold-error.js';
export type { FailureType, SourceLocation, ManifestProblem } from './errors/manifold-error.js';
export { createServices, SecretRegistry } from './services.js';
export type { EngineServices, Logger, LogLevel, HttpRequest, CallBudget } from './services.js';
// Record/replay for library users (the CLI's --record/--replay): pass as SourceOptions.transport.
export { createTransport } from './http/transport.js';
export type { Transport, RawResponse, TransportContext } from './http/client.js';
export { Destination } from './destination/destination.js';
export type { DestinationOptions, WriteOptions, DestinationSpec } from './destination/destination.js';
export { InputLine } from './destination/input.js';
