/** Public API of manifest loading, validation and component building. */
export { loadManifestFile, loadManifestText, loadManifestObject, type LoadedManifest } from './loader.js';
export { locationOf } from './locations.js';
export { validateManifest, manifestWarnings, manifestSchema, componentTypeNames } from './validate.js';
export { checkTemplates } from './template-checks.js';
export { checkUnknownKeys } from './unknown-keys.js';
export { buildComponent, ManifestBuildContext } from './build-context.js';
export type { ManifestProblem, SourceLocation } from '../errors/manifold-error.js';
