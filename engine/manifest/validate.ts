/**
 * Manifest validation against the shipped JSON Schema, one component at a time: each node is
 * checked against the definition its `type` names, and child component fields only check that the
 * child's type is allowed there (the `manifoldComponent` keyword); children are then validated on
 * their own. That keeps messages precise ("missing field cursor_value" rather than a wall of
 * failed anyOf branches) and lets every problem be reported with its own location.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ManifestProblem, SourceLocation } from '../errors/manifold-error.js';
import { getComponent, suggestTypes } from '../registry.js';
import type { LoadedManifest } from './loader.js';
import { childPath, locationOf } from './locations.js';

type Schema = Record<string, unknown>;
type Mapping = Record<string, unknown>;

export const manifestSchema: Schema = JSON.parse(
  readFileSync(new URL('./schema/manifest.schema.json', import.meta.url), 'utf8'),
) as Schema;

const definitions = manifestSchema.definitions as Record<string, Schema>;

/** Manifest `type` value → definition name (they differ only for the session-token helpers). */
const definitionByType = new Map<string, string>();
/** Components that may omit `type` where the schema expects exactly them. */
const typeOptional = new Set<string>();
for (const [name, def] of Object.entries(definitions)) {
  const typeProp = (def.properties as Record<string, Schema> | undefined)?.type;
  if (typeof typeProp?.const !== 'string') continue;
  definitionByType.set(typeProp.const, name);
  if (!(def.required as string[] | undefined)?.includes('type')) typeOptional.add(typeProp.const);
}

/** Every component `type` the manifest format knows. */
export function componentTypeNames(): string[] {
  return [...definitionByType.keys()].sort();
}

export function validateManifest(m: LoadedManifest): ManifestProblem[] {
  return new Validation(m.file).run(m.root);
}

// ── schema preparation ──────────────────────────────────────────────────────────────────────────

const COMPONENT_KEYWORD = 'manifoldComponent';

function componentTypeOfRef(s: unknown): string | undefined {
  if (!s || typeof s !== 'object') return undefined;
  const ref = (s as Schema).$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/definitions/')) return undefined;
  const def = definitions[ref.slice('#/definitions/'.length)];
  const typeConst = (def?.properties as Record<string, Schema> | undefined)?.type?.const;
  return typeof typeConst === 'string' ? typeConst : undefined;
}

/** Child component references become a shallow "type is one of" check. */
function shallow(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(shallow);
  if (!s || typeof s !== 'object') return s;
  const single = componentTypeOfRef(s);
  if (single) return { [COMPONENT_KEYWORD]: [single] };
  const schema = s as Schema;
  if (Array.isArray(schema.anyOf)) {
    const types = schema.anyOf.map(componentTypeOfRef);
    if (types.every((t) => t !== undefined)) return { [COMPONENT_KEYWORD]: types };
  }
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'const' || k === 'enum' ? v : shallow(v);
  return out;
}

interface FoundChild {
  node: Mapping;
  type: string;
}

let collecting: FoundChild[] | undefined;

function createAjv(): Ajv {
  // validateSchema off: the schema ships with the engine (tested), and checking it against the
  // meta-schema for every component type was most of the validation time of a cold start.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, validateSchema: false });
  ajv.addKeyword({
    keyword: COMPONENT_KEYWORD,
    schemaType: 'array',
    errors: true,
    validate: function check(allowed: string[], data: unknown): boolean {
      const fail = (message: string, params: Mapping = {}): boolean => {
        (check as unknown as { errors: Partial<ErrorObject>[] }).errors = [{ keyword: COMPONENT_KEYWORD, message, params: { allowed, ...params } }];
        return false;
      };
      const expected = allowed.length === 1 ? `a ${allowed[0]}` : `one of ${allowed.join(', ')}`;
      if (!data || typeof data !== 'object' || Array.isArray(data)) return fail(`expected ${expected} component, got ${kindOf(data)}`);
      const type = (data as Mapping).type;
      if (type === undefined && allowed.length === 1 && typeOptional.has(allowed[0]!)) {
        collecting?.push({ node: data as Mapping, type: allowed[0]! });
        return true;
      }
      if (typeof type !== 'string') return fail(`component has no \`type\`; expected ${expected}`, { missingType: true });
      if (!definitionByType.has(type)) {
        // A component a library user registered from code: it has no schema here, so it is trusted
        // to check its own fields when built (located errors come from its BuildContext).
        if (getComponent(type)) return true;
        const suggestions = suggestTypes(type, allowed.length > 1 ? allowed : definitionByType.keys());
        return fail(`unknown component type ${type}${suggestions.length ? `; did you mean ${suggestions.join(', ')}?` : ''}`, { unknownType: type });
      }
      if (!allowed.includes(type)) return fail(`${type} is not allowed here; expected ${expected}`, { wrongType: type });
      collecting?.push({ node: data as Mapping, type });
      return true;
    },
  });
  return ajv;
}

const validators = new Map<string, ValidateFunction>();
const SHALLOW_SCHEMA_ID = 'manifold-shallow-components';
let ajvInstance: Ajv | undefined;

function validatorFor(definitionName: string): ValidateFunction {
  let v = validators.get(definitionName);
  if (!v) {
    if (!ajvInstance) {
      ajvInstance = createAjv();
      // Added once and compiled per definition on demand: ajv then walks the (large) definitions
      // once, and helpers shared by several components (Rate, TypesMap, ...) compile once.
      ajvInstance.addSchema({ $id: SHALLOW_SCHEMA_ID, definitions: shallow(definitions) as Schema });
    }
    v = ajvInstance.getSchema(`${SHALLOW_SCHEMA_ID}#/definitions/${definitionName}`)!;
    validators.set(definitionName, v);
  }
  return v;
}

// ── walking and reporting ───────────────────────────────────────────────────────────────────────

class Validation {
  private readonly problems: ManifestProblem[] = [];
  constructor(private readonly file: string | undefined) {}

  run(root: Mapping): ManifestProblem[] {
    const rootType = typeof root.type === 'string' ? root.type : 'DeclarativeSource';
    if (rootType !== 'DeclarativeSource' && rootType !== 'DeclarativeDestination') {
      const hint = suggestTypes(rootType, ['DeclarativeSource', 'DeclarativeDestination']);
      this.add(`the manifest root must have type DeclarativeSource or DeclarativeDestination, got ${rootType}${hint.length ? `; did you mean ${hint[0]}?` : ''}`, root, 'type');
      return this.problems;
    }
    const queue: FoundChild[] = [{ node: root, type: rootType }];
    for (let next = queue.shift(); next; next = queue.shift()) {
      queue.push(...this.component(next.node, next.type));
    }
    if (rootType === 'DeclarativeSource') this.crossChecks(root);
    return this.problems;
  }

  private component(node: Mapping, type: string): FoundChild[] {
    const validate = validatorFor(definitionByType.get(type)!);
    const children: FoundChild[] = [];
    collecting = children;
    try {
      if (!validate(node)) this.report(node, type, validate.errors ?? []);
    } finally {
      collecting = undefined;
    }
    return dedupe(children);
  }

  private report(node: Mapping, type: string, errors: ErrorObject[]): void {
    const failedAnyOf = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath + '/');
    for (const e of errors) {
      if (failedAnyOf.some((p) => e.schemaPath.startsWith(p))) continue;
      const { parent, field } = target(node, e);
      const branchErrors = errors.filter((b) => b.schemaPath.startsWith(e.schemaPath + '/'));
      const message = describe(e, type, branchErrors);
      if (message) this.add(message, parent, field);
    }
  }

  /** Checks the schema cannot express: check.stream_names must name streams of this manifest. */
  private crossChecks(root: Mapping): void {
    const streams = Array.isArray(root.streams) ? (root.streams as unknown[]) : [];
    const names = streams.map((s) => (s && typeof s === 'object' ? (s as Mapping).name : undefined)).filter((n): n is string => typeof n === 'string');
    const seen = new Set<string>();
    streams.forEach((s, i) => {
      const name = s && typeof s === 'object' ? (s as Mapping).name : undefined;
      if (typeof name !== 'string') return;
      if (seen.has(name)) this.add(`duplicate stream name "${name}"`, s as Mapping, 'name');
      seen.add(name);
      void i;
    });
    const check = root.check as Mapping | undefined;
    if (!check || !Array.isArray(check.stream_names) || root.dynamic_streams) return;
    check.stream_names.forEach((n, i) => {
      if (typeof n !== 'string' || names.includes(n)) return;
      const hint = suggestTypes(n, names);
      this.add(`check.stream_names refers to unknown stream "${n}"${hint.length ? `; did you mean ${hint.join(', ')}?` : ''}`, check.stream_names as unknown[], i);
    });
  }

  private add(message: string, node: object, field?: string | number): void {
    const loc: SourceLocation = locationOf(node, field) ?? {};
    this.problems.push({ message, location: { ...loc, file: loc.file ?? this.file, path: loc.path || (field !== undefined ? childPath('', field) : '(root)') } });
  }
}

function dedupe(children: FoundChild[]): FoundChild[] {
  const seen = new Set<object>();
  return children.filter((c) => (seen.has(c.node) ? false : (seen.add(c.node), true)));
}

/** The object an error is about, and the field within it (if the error is about a field). */
function target(node: Mapping, e: ErrorObject): { parent: object; field?: string | number } {
  const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let parent: unknown = node;
  for (let i = 0; i < segments.length - 1; i++) parent = (parent as Mapping)[segments[i]!];
  const last = segments.at(-1);
  if (last === undefined) return { parent: node };
  const field = Array.isArray(parent) ? Number(last) : last;
  if (e.keyword === 'required' || e.keyword === 'additionalProperties') {
    const obj = (parent as Mapping)[last];
    if (obj && typeof obj === 'object') return { parent: obj };
  }
  return { parent: parent as object, field };
}

function describe(e: ErrorObject, type: string, branches: ErrorObject[]): string | undefined {
  const field = fieldName(e.instancePath);
  const subject = field ? `${field}: ` : '';
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return `${type} is missing required field "${missing}"`;
    }
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(((e.parentSchema as Schema | undefined)?.properties as Schema | undefined) ?? {});
      const hint = suggestTypes(extra, known);
      return `unknown field "${extra}"${hint.length ? `; did you mean ${hint[0]}?` : ''}`;
    }
    case 'type':
      return `${subject}expected ${(e.params as { type: string }).type}, got ${kindOf(e.data)}`;
    case 'enum':
      return `${subject}must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}; got ${JSON.stringify(e.data)}`;
    case 'const':
      return `${subject}must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}; got ${JSON.stringify(e.data)}`;
    case COMPONENT_KEYWORD:
      return `${subject}${e.message}`;
    case 'anyOf': {
      const specific = branches.find((b) => b.keyword === COMPONENT_KEYWORD && (b.params as Mapping).allowed && e.data && typeof e.data === 'object');
      if (specific) return `${subject}${specific.message}`;
      const options = ((e.schema as Schema[] | undefined) ?? []).map(describeSchema);
      if (options.every((o) => o.startsWith('field '))) {
        return `${type} is missing required field ${options.map((o) => `"${o.slice(6)}"`).join(' or ')}`;
      }
      return `${subject}expected ${[...new Set(options)].join(' or ')}, got ${kindOf(e.data)}`;
    }
    default:
      return `${subject}${e.message ?? 'is invalid'}`;
  }
}

function describeSchema(s: Schema): string {
  if (Array.isArray(s[COMPONENT_KEYWORD])) return `a ${(s[COMPONENT_KEYWORD] as string[]).join('/')} component`;
  if (Array.isArray(s.required) && s.required.length === 1 && Object.keys(s).length === 1) return `field ${String(s.required[0])}`;
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (s.type === 'array') return s.items && typeof s.items === 'object' ? `a list of ${describeSchema(s.items as Schema).replace(/^an? /, '')}s` : 'a list';
  if (typeof s.type === 'string') return s.type === 'object' ? 'a mapping' : `${/^[aeiou]/.test(s.type) ? 'an' : 'a'} ${s.type}`;
  return 'a valid value';
}

function fieldName(instancePath: string): string {
  return instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
