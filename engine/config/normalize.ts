/**
 * The config a run uses: the user's config after the manifest's spec.config_normalization_rules
 * (see normalization-rules.ts), checked against the spec in between, as Airbyte does.
 */
import { buildComponent } from '../manifest/build-context.js';
import type { EngineServices } from '../services.js';
import { controlConfigMessage } from '../protocol/messages.js';
import type { Obj } from '../types.js';
import type { ConfigNormalizationRules } from './normalization-rules.js';

/** Key under which source-declarative-manifest configs carry the manifest (see engine/source). */
const INJECTED_MANIFEST_KEY = '__injected_declarative_manifest';

/**
 * `checkSpec` validates against the spec and returns the config to use (defaults filled). A
 * migration that changes the config is emitted once as a CONTROL message carrying the whole
 * migrated config, injected manifest included, since the platform replaces the stored config with it.
 */
export function normalizeConfig(root: Obj, rawConfig: Obj, services: EngineServices, checkSpec: (config: Obj) => Obj): Obj {
  const node = (root.spec as Obj | undefined)?.config_normalization_rules;
  if (node === undefined || node === null) return checkSpec(rawConfig);
  const { [INJECTED_MANIFEST_KEY]: manifest, ...userConfig } = rawConfig;
  const rules = buildComponent<ConfigNormalizationRules>(node, 'spec.config_normalization_rules', userConfig, services, 'ConfigNormalizationRules');
  const migrated = rules.migrate(userConfig);
  if (migrated.changed) {
    const stored = manifest === undefined ? migrated.config : { ...migrated.config, [INJECTED_MANIFEST_KEY]: manifest };
    services.emit(controlConfigMessage(stored));
  }
  const config = checkSpec(rules.transform(migrated.config));
  rules.validate(config);
  return config;
}
