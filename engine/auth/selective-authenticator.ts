/** SelectiveAuthenticator: the config picks one of several authenticators (e.g. API key vs OAuth). */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Authenticator } from '../contracts.js';
import { getPath } from './token-support.js';

export function buildSelectiveAuthenticator(node: ManifestNode, ctx: BuildContext): Authenticator {
  const path = Array.isArray(node.authenticator_selection_path) ? node.authenticator_selection_path.map(String) : [];
  if (path.length === 0) throw ctx.error('authenticator_selection_path must be a non-empty list of config keys', 'authenticator_selection_path');
  const options = (node.authenticators ?? {}) as Record<string, unknown>;
  const selected = getPath(ctx.config, path);
  const name = selected === undefined || selected === null ? undefined : String(selected);
  if (name === undefined || !(name in options)) {
    throw ctx.error(
      `config.${path.join('.')} is ${name === undefined ? 'missing' : `"${name}"`}; it must be one of: ${Object.keys(options).join(', ')}`,
      'authenticator_selection_path',
    );
  }
  // Only the chosen one is built: the others may need config fields this user does not have.
  return ctx.build<Authenticator>(options[name], `authenticators.${name}`);
}

registerComponent('SelectiveAuthenticator', buildSelectiveAuthenticator, 'Chooses an authenticator from a config value.');
