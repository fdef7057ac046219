/**
 * spec.config_normalization_rules, applied to the user's config before anything uses it, in
 * Airbyte's order: config_migrations (permanent: the caller emits the migrated config in a CONTROL
 * message so the platform stores it), then transformations (this run only), then, after the spec
 * check, validations (a failure is a config error, raised before any request).
 */
import { isDeepStrictEqual } from 'node:util';
import { ConfigError, type SourceLocation } from '../errors/manifold-error.js';
import { locationOf } from '../manifest/locations.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import type { ConfigTransformation, ConfigValidator } from './contracts.js';

export class ConfigMigration implements ConfigTransformation {
  constructor(private readonly transformations: ConfigTransformation[]) {}

  transform(config: Obj): void {
    for (const t of this.transformations) t.transform(config);
  }
}

interface LocatedValidator {
  validator: ConfigValidator;
  location: SourceLocation;
}

export class ConfigNormalizationRules {
  constructor(
    private readonly migrations: ConfigTransformation[],
    private readonly transformations: ConfigTransformation[],
    private readonly validations: LocatedValidator[],
  ) {}

  /** The migrated copy of `config` (never the input object), and whether migrating changed it. */
  migrate(config: Obj): { config: Obj; changed: boolean } {
    // Compared with a clone, not the input: structuredClone's objects may come from another realm
    // than the caller's, and a strict deep comparison would see that as a change.
    const before = structuredClone(config);
    const out = structuredClone(config);
    for (const m of this.migrations) m.transform(out);
    return { config: out, changed: !isDeepStrictEqual(out, before) };
  }

  /** A transformed copy of `config`, for this run only. */
  transform(config: Obj): Obj {
    if (this.transformations.length === 0) return config;
    const out = structuredClone(config);
    for (const t of this.transformations) t.transform(out);
    return out;
  }

  validate(config: Obj): void {
    for (const { validator, location } of this.validations) {
      try {
        validator.validate(config);
      } catch (e) {
        if (e instanceof ConfigError) throw e;
        throw new ConfigError(`Config validation failed: ${e instanceof Error ? e.message : String(e)}`, { location, cause: e });
      }
    }
  }
}

function list(node: ManifestNode, field: string, ctx: BuildContext): unknown[] {
  const v = node[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw ctx.error(`${field} must be a list`, field);
  return v;
}

function buildRules(node: ManifestNode, ctx: BuildContext): ConfigNormalizationRules {
  const migrations = list(node, 'config_migrations', ctx).map((m, i) => ctx.build<ConfigTransformation>(m, `config_migrations[${i}]`, 'ConfigMigration'));
  const transformations = list(node, 'transformations', ctx).map((t, i) => ctx.build<ConfigTransformation>(t, `transformations[${i}]`));
  const validations = list(node, 'validations', ctx).map((v, i) => ({
    validator: ctx.build<ConfigValidator>(v, `validations[${i}]`),
    location: { ...(v !== null && typeof v === 'object' ? locationOf(v) : undefined), path: `${ctx.path}.validations[${i}]` },
  }));
  return new ConfigNormalizationRules(migrations, transformations, validations);
}

function buildMigration(node: ManifestNode, ctx: BuildContext): ConfigMigration {
  return new ConfigMigration(list(node, 'transformations', ctx).map((t, i) => ctx.build<ConfigTransformation>(t, `transformations[${i}]`)));
}

registerComponent('ConfigNormalizationRules', buildRules, 'Config migrations, transformations and validations (spec.config_normalization_rules).');
registerComponent('ConfigMigration', buildMigration, 'One config migration: transformations whose result is stored back (CONTROL message).');
