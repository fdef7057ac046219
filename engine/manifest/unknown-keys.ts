/**
 * Fields a component does not have. Airbyte ignores them, so they are warnings — but a misspelled
 * optional field (`start_time_opton`) is silently never used, which is worth saying with a hint.
 */
import type { ManifestProblem } from '../errors/manifold-error.js';
import type { LoadedManifest } from './loader.js';
import { getOrigin } from './locations.js';
import { groupByPlace, suggestNames, walkManifest, type PlacedProblem } from './manifest-walk.js';
import { definitionsByType } from './shallow-validators.js';
import { manifestSchema } from './validate.js';

type Schema = Record<string, unknown>;

/** Keys the manifest format allows on every component besides its own fields. */
const ALWAYS_ALLOWED = new Set(['type', '$parameters', 'parameters', '$schema', '$id', '$ref', 'definitions']);

let fieldsByType: Map<string, { fields: string[]; closed: boolean }> | undefined;

function componentFields(): Map<string, { fields: string[]; closed: boolean }> {
  if (fieldsByType) return fieldsByType;
  const definitions = (manifestSchema as { definitions: Record<string, Schema> }).definitions;
  fieldsByType = new Map();
  for (const [type, name] of definitionsByType(definitions)) {
    const def = definitions[name]!;
    fieldsByType.set(type, { fields: Object.keys((def.properties as Schema | undefined) ?? {}), closed: def.additionalProperties === false });
  }
  return fieldsByType;
}

export function checkUnknownKeys(m: LoadedManifest): ManifestProblem[] {
  const byType = componentFields();
  const found: PlacedProblem[] = [];
  const check = (node: Record<string, unknown>, type: string): void => {
    const known = byType.get(type);
    // Closed definitions already fail schema validation for an unknown field.
    if (!known || known.closed) return;
    // Only keys written in the manifest: $parameters propagation copies parameters onto
    // components as fields, which Airbyte does too, and which are no mistake of the author's.
    const written = getOrigin(node)?.fields;
    if (!written) return;
    // Resolved manifests (what the Connector Builder exports) write the parameters out as fields.
    const parameters = (node.$parameters ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(node)) {
      if (!written.has(key) || ALWAYS_ALLOWED.has(key) || known.fields.includes(key) || Object.hasOwn(parameters, key)) continue;
      const hint = suggestNames(key, known.fields);
      found.push({ message: `${type} has no field "${key}" (Airbyte ignores it)${hint.length ? `; did you mean ${hint[0]}?` : ''}`, parent: node, field: key });
    }
  };
  const root = m.root as Record<string, unknown>;
  check(root, typeof root.type === 'string' ? root.type : 'DeclarativeSource');
  for (const { value } of walkManifest(root)) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const type = (value as Record<string, unknown>).type;
    if (typeof type === 'string') check(value as Record<string, unknown>, type);
  }
  return groupByPlace(found, m.file, 'warning');
}
