/**
 * Config checks against the manifest's `spec.connection_specification`, done before any request.
 * Like Airbyte's CDK we do not validate `format`s (its jsonschema validator ignores them), and we
 * fill documented defaults so manifests reading `config['x']` see them from the CLI too.
 */
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { ConfigError } from '../errors/manifold-error.js';
import type { SecretRegistry } from '../services.js';
import type { Obj } from '../types.js';
import { createAjv } from '../schema/lazy-ajv.js';
import { errorsOfChosenBranches, fillBranchDefaults } from './config-branches.js';

let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

export function validateConfig(spec: Obj | undefined, config: Obj): void {
  if (!spec || typeof spec !== 'object') return;
  let validate = compiled.get(spec);
  if (!validate) {
    ajv ??= createAjv({ useDefaults: true });
    try {
      validate = ajv.compile(stripUnsupported(spec) as Obj);
    } catch (e) {
      throw new ConfigError(`The manifest's spec.connection_specification is not a valid JSON Schema: ${(e as Error).message}`);
    }
    compiled.set(spec, validate);
  }
  fillBranchDefaults(spec, config);
  if (validate(config)) return;
  const problems = errorsOfChosenBranches(validate.errors ?? [], spec, config).map((e) => (typeof e === 'string' ? e : describeSchemaError(e)));
  throw new ConfigError(`Config does not match the connector spec:\n${[...new Set(problems)].map((p) => `  - ${p}`).join('\n')}`);
}

/** One ajv error as `<where>: <what>`, where `base` names the validated value (default: the config). */
export function describeSchemaError(e: ErrorObject, base = 'config'): string {
  const at = base + e.instancePath.replace(/\/([^/]+)/g, (_m, k: string) => (/^\d+$/.test(k) ? `[${k}]` : `.${k}`));
  switch (e.keyword) {
    case 'required':
      return `${at}: missing required field "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'enum':
      return `${at}: must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    case 'type':
      return `${at}: must be ${(e.params as { type: string }).type}`;
    case 'const':
      return `${at}: must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'additionalProperties':
      return `${at}: unexpected field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    default:
      return `${at}: ${e.message ?? e.keyword}`;
  }
}

/** Airbyte specs carry `$schema` URLs ajv may not know; the checks themselves are draft-07. */
function stripUnsupported(spec: Obj): Obj {
  const { $schema: _ignored, ...rest } = spec;
  return rest;
}

/** Registers every config value that the spec marks `airbyte_secret` (at any depth, incl. oneOf). */
export function collectSecrets(spec: Obj | undefined, config: unknown, secrets: SecretRegistry): void {
  if (!spec || config === null || typeof config !== 'object') return;
  const visit = (schema: unknown, value: unknown): void => {
    if (!schema || typeof schema !== 'object' || value === undefined || value === null) return;
    const s = schema as Obj;
    if (s.airbyte_secret === true && (typeof value === 'string' || typeof value === 'number')) secrets.add(value);
    for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
      const alternatives = s[key];
      if (Array.isArray(alternatives)) alternatives.forEach((alt) => visit(alt, value));
    }
    if (s.properties && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, sub] of Object.entries(s.properties as Obj)) visit(sub, (value as Obj)[k]);
    }
    if (s.items && Array.isArray(value)) value.forEach((v) => visit(s.items, v));
  };
  visit(spec, config);
  // Fields named like credentials are secrets even when a manifest forgot airbyte_secret.
  const walk = (v: unknown, key = ''): void => {
    if (typeof v === 'string' && /(secret|password|passcode|token|api_?key|private_key)$/i.test(key)) secrets.add(v);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(config);
}
