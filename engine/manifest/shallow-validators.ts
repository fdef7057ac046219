/**
 * The shallow per-definition validators that validate.ts runs on every component: child component
 * references become the `manifoldComponent` keyword ("type is one of"), so each node is checked on
 * its own. The build precompiles them (scripts/gen-validators.mjs → PRECOMPILED_FILE next to the
 * compiled validate.js); compiling them here with ajv is the fallback when that file is missing,
 * e.g. when the TypeScript sources run directly. Both paths use the same schema and keyword, so
 * they report the same errors.
 */
import { createHash } from 'node:crypto';
import type { Ajv, KeywordCxt, Options, ValidateFunction } from 'ajv';
import { createAjv, loadAjv } from '../schema/lazy-ajv.js';

type Schema = Record<string, unknown>;

export const COMPONENT_KEYWORD = 'manifoldComponent';
export const SHALLOW_SCHEMA_ID = 'manifold-shallow-components';
export const PRECOMPILED_FILE = 'shallow-validators.generated.cjs';

export interface ComponentFailure {
  message: string;
  params: Record<string, unknown>;
}

/**
 * The keyword's logic lives with the caller, not in the generated code: it needs the registry and
 * collects the children to validate next. Validators are called with it as `this`.
 */
export interface ComponentChecks {
  manifoldComponent(allowed: string[], data: unknown): ComponentFailure | undefined;
}

/** A validator run as `validate.call(checks, data)`. */
export type ShallowValidator = ValidateFunction;

/** Manifest `type` value → definition name (they differ only for the session-token helpers). */
export function definitionsByType(definitions: Record<string, Schema>): Map<string, string> {
  const byType = new Map<string, string>();
  for (const [name, def] of Object.entries(definitions)) {
    const typeConst = (def.properties as Record<string, Schema> | undefined)?.type?.const;
    if (typeof typeConst === 'string') byType.set(typeConst, name);
  }
  return byType;
}

/** Child component references become a shallow "type is one of" check. */
export function shallow(definitions: Record<string, Schema>): Schema {
  const typeOfRef = (s: unknown): string | undefined => {
    const ref = s && typeof s === 'object' ? (s as Schema).$ref : undefined;
    if (typeof ref !== 'string' || !ref.startsWith('#/definitions/')) return undefined;
    const typeConst = (definitions[ref.slice('#/definitions/'.length)]?.properties as Record<string, Schema> | undefined)?.type?.const;
    return typeof typeConst === 'string' ? typeConst : undefined;
  };
  const walk = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(walk);
    if (!s || typeof s !== 'object') return s;
    const single = typeOfRef(s);
    if (single) return { [COMPONENT_KEYWORD]: [single] };
    const schema = s as Schema;
    if (Array.isArray(schema.anyOf)) {
      const types = schema.anyOf.map(typeOfRef);
      if (types.every((t) => t !== undefined)) return { [COMPONENT_KEYWORD]: types };
    }
    const out: Schema = {};
    for (const [k, v] of Object.entries(schema)) out[k] = k === 'const' || k === 'enum' ? v : walk(v);
    return out;
  };
  return walk(definitions) as Schema;
}

/** Identifies the schema a precompiled module was generated from. */
export function schemaDigest(schemaText: string): string {
  return createHash('sha256').update(schemaText).digest('hex');
}

export function shallowRef(definitionName: string): string {
  return `${SHALLOW_SCHEMA_ID}#/definitions/${definitionName}`;
}

/** An ajv instance holding the shallow definitions; `getSchema(shallowRef(name))` compiles one. */
export function shallowAjv(definitions: Record<string, Schema>, options: Options = {}): Ajv {
  const { _ } = loadAjv();
  // validateSchema off: the schema ships with the engine (tested), and checking it against the
  // meta-schema for every component type was most of the validation time of a cold start.
  const ajv = createAjv({ verbose: true, passContext: true, validateFormats: true, ...options });
  ajv.addKeyword({
    keyword: COMPONENT_KEYWORD,
    schemaType: 'array',
    // Generated code rather than a `validate` function: standalone code cannot import a function.
    code(cxt: KeywordCxt) {
      const failure = cxt.gen.const('failure', _`this.manifoldComponent(${cxt.schemaValue}, ${cxt.data})`);
      cxt.setParams({ failure });
      cxt.fail(_`${failure} !== undefined`);
    },
    error: {
      message: ({ params }) => _`${params.failure!}.message`,
      params: ({ params }) => _`${params.failure!}.params`,
    },
  });
  // Added once and compiled per definition on demand: ajv then walks the (large) definitions
  // once, and helpers shared by several components (Rate, TypesMap, ...) compile once.
  ajv.addSchema({ $id: SHALLOW_SCHEMA_ID, definitions: shallow(definitions) });
  return ajv;
}
