/**
 * Manifold's public API. Everything the CLI does is available here (the CLI itself imports some
 * modules directly so that a command loads only what it uses).
 *
 *   const source = await Source.fromFile('manifests/close-com.yaml');
 *   for await (const message of source.read(config, catalog, state)) { ... }
 */
export { Source, INJECTED_MANIFEST_KEY, injectedManifestSpec } from './source/source.js';
export type { SourceOptions, ReadOptions, CheckResult, OutOfBandOptions } from './source/source.js';
export { registerComponent, registeredTypes, getComponent } from './registry.js';
export type { BuildContext, Builder, ManifestNode, ComponentInfo } from './registry.js';
export { loadComponents } from './components.js';
// Authoring: what `manifold validate`, `infer-schema` and `--check-schema` use.
export { loadManifestFile, loadManifestText, loadManifestObject, validateManifest, manifestSchema, componentTypeNames } from './manifest/index.js';
export type { LoadedManifest } from './manifest/index.js';
export { SchemaInferrer } from './schema/infer.js';
export { RecordChecker } from './schema/record-checker.js';
export type { SchemaMismatch } from './schema/record-checker.js';
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
export { DEFAULT_LIMITS, LimitExceededError, setTemplateSizeLimit } from './limits/limits.js';
export type { Limits } from './limits/limits.js';
export type { DestinationOptions, WriteOptions, DestinationSpec, PreviewResult, TestSendOptions, TestSendResult } from './destination/destination.js';
export type { PreparedWrite } from './destination/write-run.js';
export type { RequestView } from './destination/request-view.js';
export { InputLine } from './destination/input.js';
// Loading into a database (`manifold sync`): DuckDB files and PostgreSQL.
export { sync, syncCatalogFor } from './sync/sync.js';
export type { SyncOptions, SyncResult } from './sync/sync.js';
export type { StreamSummary } from './sync/stream-loader.js';
export { openDestination } from './sync/sql-destination.js';
export type { SqlDestination } from './sync/sql-destination.js';
export { syncCatalog } from './sync/modes.js';
export type { DestinationSyncMode } from './sync/modes.js';
