/**
 * Manifest validation against the shipped JSON Schema, one component at a time: each node is
 * checked against the definition its `type` names, and child component fields only check that the
 * child's type is allowed there (the `manifoldComponent` keyword); children are then validated on
 * their own. That keeps messages precise ("missing field cursor_value" rather than a wall of
 * failed anyOf branches) and lets every problem be reported with its own location.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv, ErrorObject } from 'ajv';
import type { ManifestProblem, SourceLocation } from '../errors/manifold-error.js';
import { getComponent, suggestTypes } from '../registry.js';
import type { LoadedManifest } from './loader.js';
import { childPath, locationOf, valueLocationOf } from './locations.js';
import {
  COMPONENT_KEYWORD,
  PRECOMPILED_FILE,
  definitionsByType,
  schemaDigest,
  shallowAjv,
  shallowRef,
  type ComponentChecks,
  type ComponentFailure,
  type ShallowValidator,
} from './shallow-validators.js';

type Schema = Record<string, unknown>;
type Mapping = Record<string, unknown>;

const schemaText = readFileSync(new URL('./schema/manifest.schema.json', import.meta.url), 'utf8');
export const manifestSchema: Schema = JSON.parse(schemaText) as Schema;

const definitions = manifestSchema.definitions as Record<string, Schema>;

/** Manifest `type` value → definition name (they differ only for the session-token helpers). */
const definitionByType = definitionsByType(definitions);
/** Components that may omit `type` where the schema expects exactly them. */
const typeOptional = new Set<string>();
for (const [type, name] of definitionByType) {
  if (!(definitions[name]!.required as string[] | undefined)?.includes('type')) typeOptional.add(type);
}

/** Every component `type` the manifest format knows. */
export function componentTypeNames(): string[] {
  return [...definitionByType.keys()].sort();
}

export function validateManifest(m: LoadedManifest): ManifestProblem[] {
  return oncePerPlace(new Validation(m.file).run(m.root));
}

/**
 * A `$ref`'d definition is copied into every place that uses it, so a mistake in it is found once
 * per use, at the same line and column: it is reported once, listing the uses.
 */
function oncePerPlace(problems: ManifestProblem[]): ManifestProblem[] {
  const groups = new Map<string, { problem: ManifestProblem; uses: string[] }>();
  for (const p of problems) {
    const { file, line, column, path } = p.location;
    const key = line === undefined ? `${path}\u0000${p.message}` : `${file}:${line}:${column}\u0000${p.message}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { problem: p, uses: path ? [path] : [] });
    else if (path && !group.uses.includes(path)) group.uses.push(path);
  }
  return [...groups.values()].map(({ problem, uses }) =>
    uses.length > 1 ? { ...problem, message: `${problem.message} (used in ${uses.length} places: ${uses.join(', ')})` } : problem,
  );
}

/**
 * Located problems worth a WARN that do not stop the manifest: the loader's (a repeated YAML key)
 * and check.stream_names naming a stream the manifest lacks. The CDK accepts such a manifest and
 * reads it; only `check` fails, when run.
 */
export function manifestWarnings(m: LoadedManifest): ManifestProblem[] {
  const out = [...(m.warnings ?? [])];
  const root = m.root;
  const check = root.check as Mapping | undefined;
  if (root.type === 'DeclarativeDestination' || !check || !Array.isArray(check.stream_names) || root.dynamic_streams) return out;
  const streams = Array.isArray(root.streams) ? (root.streams as unknown[]) : [];
  const names = streams.map((s) => (s && typeof s === 'object' ? (s as Mapping).name : undefined)).filter((n): n is string => typeof n === 'string');
  check.stream_names.forEach((n, i) => {
    if (typeof n !== 'string' || names.includes(n)) return;
    const hint = suggestTypes(n, names);
    const loc: SourceLocation = locationOf(check.stream_names as unknown[], i) ?? {};
    out.push({
      message: `check.stream_names refers to unknown stream "${n}"${hint.length ? `; did you mean ${hint.join(', ')}?` : ''} (check will fail)`,
      location: { ...loc, file: loc.file ?? m.file, path: loc.path || `check.stream_names[${i}]` },
    });
  });
  return out;
}

// ── validators ──────────────────────────────────────────────────────────────────────────────────

interface Precompiled {
  schemaDigest: string;
  validators: Record<string, ShallowValidator>;
}

/**
 * The build's standalone validators (scripts/gen-validators.mjs), if they sit next to this file
 * and were generated from this schema: a stale file would silently check an older format.
 */
function loadPrecompiled(): Record<string, ShallowValidator> | undefined {
  const file = fileURLToPath(new URL(`./${PRECOMPILED_FILE}`, import.meta.url));
  if (!existsSync(file)) return undefined;
  const mod = createRequire(import.meta.url)(file) as Precompiled;
  return mod.schemaDigest === schemaDigest(schemaText) ? mod.validators : undefined;
}

let precompiled: Record<string, ShallowValidator> | undefined | null = null;
let ajvInstance: Ajv | undefined;
const compiled = new Map<string, ShallowValidator>();

function validatorFor(definitionName: string): ShallowValidator {
  if (precompiled === null) precompiled = loadPrecompiled();
  const ready = precompiled?.[definitionName] ?? compiled.get(definitionName);
  if (ready) return ready;
  ajvInstance ??= shallowAjv(definitions);
  const v = ajvInstance.getSchema(shallowRef(definitionName))!;
  compiled.set(definitionName, v);
  return v;
}

/** The `manifoldComponent` check of one child reference; found children are collected to validate next. */
function checkComponent(allowed: string[], data: unknown, found: FoundChild[]): ComponentFailure | undefined {
  const fail = (message: string, params: Mapping = {}): ComponentFailure => ({ message, params: { allowed, ...params } });
  const expected = allowed.length === 1 ? `a ${allowed[0]}` : `one of ${allowed.join(', ')}`;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return fail(`expected ${expected} component, got ${kindOf(data)}`);
  const type = (data as Mapping).type;
  if (type === undefined && allowed.length === 1 && typeOptional.has(allowed[0]!)) {
    found.push({ node: data as Mapping, type: allowed[0]! });
    return undefined;
  }
  if (typeof type !== 'string') return fail(`component has no \`type\`; expected ${expected}`, { missingType: true });
  if (!definitionByType.has(type)) {
    // A component a library user registered from code: it has no schema here, so it is trusted
    // to check its own fields when built (located errors come from its BuildContext).
    if (getComponent(type)) return undefined;
    const suggestions = suggestTypes(type, allowed.length > 1 ? allowed : definitionByType.keys());
    return fail(`unknown component type ${type}${suggestions.length ? `; did you mean ${suggestions.join(', ')}?` : ''}`, { unknownType: type });
  }
  if (!allowed.includes(type)) return fail(`${type} is not allowed here; expected ${expected}`, { wrongType: type });
  found.push({ node: data as Mapping, type });
  return undefined;
}

interface FoundChild {
  node: Mapping;
  type: string;
}

// ── walking and reporting ───────────────────────────────────────────────────────────────────────

class Validation {
  private readonly problems: ManifestProblem[] = [];
  constructor(private readonly file: string | undefined) {}

  run(root: Mapping): ManifestProblem[] {
    const rootType = typeof root.type === 'string' ? root.type : 'DeclarativeSource';
    if (rootType !== 'DeclarativeSource' && rootType !== 'DeclarativeDestination') {
      const hint = suggestTypes(rootType, ['DeclarativeSource', 'DeclarativeDestination']);
      this.add(
        `the manifest root must have type DeclarativeSource or DeclarativeDestination, got ${rootType}${hint.length ? `; did you mean ${hint[0]}?` : ''}`,
        root,
        'type',
      );
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
    const checks: ComponentChecks = { manifoldComponent: (allowed, data) => checkComponent(allowed, data, children) };
    if (!validate.call(checks, node)) this.report(node, type, validate.errors ?? []);
    return dedupe(children);
  }

  private report(node: Mapping, type: string, errors: ErrorObject[]): void {
    const failedAnyOf = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath + '/');
    for (const e of errors) {
      if (failedAnyOf.some((p) => e.schemaPath.startsWith(p))) continue;
      const { parent, field } = target(node, e);
      const branchErrors = errors.filter((b) => b.schemaPath.startsWith(e.schemaPath + '/'));
      const message = describe(e, type, branchErrors);
      if (!message) continue;
      // A wrong `type` is pointed at where it is written, the line an editor should underline.
      const typed = badComponentType(e, branchErrors);
      if (typed) this.addAt(message, valueLocationOf(typed, 'type'), parent, field);
      else this.add(message, parent, field);
    }
  }

  /** Checks the schema cannot express: stream names are unique. */
  private crossChecks(root: Mapping): void {
    const streams = Array.isArray(root.streams) ? (root.streams as unknown[]) : [];
    const seen = new Set<string>();
    for (const s of streams) {
      const name = s && typeof s === 'object' ? (s as Mapping).name : undefined;
      if (typeof name !== 'string') continue;
      if (seen.has(name)) this.add(`duplicate stream name "${name}"`, s as Mapping, 'name');
      seen.add(name);
    }
  }

  private addAt(message: string, loc: SourceLocation | undefined, node: object, field?: string | number): void {
    if (!loc?.line) return this.add(message, node, field);
    this.problems.push({ message, location: { ...loc, file: loc.file ?? this.file } });
  }

  private add(message: string, node: object, field?: string | number): void {
    const loc: SourceLocation = locationOf(node, field) ?? {};
    this.problems.push({
      message,
      location: { ...loc, file: loc.file ?? this.file, path: loc.path || (field !== undefined ? childPath('', field) : '(root)') },
    });
  }
}

/** The component whose `type` is unknown or not allowed where it is used, if that is the error. */
function badComponentType(e: ErrorObject, branches: ErrorObject[]): Mapping | undefined {
  const candidates = e.keyword === COMPONENT_KEYWORD ? [e] : e.keyword === 'anyOf' ? branches.filter((b) => b.keyword === COMPONENT_KEYWORD) : [];
  for (const c of candidates) {
    const params = c.params as Mapping;
    if ((params.unknownType || params.wrongType) && c.data && typeof c.data === 'object' && !Array.isArray(c.data)) return c.data as Mapping;
  }
  return undefined;
}

function dedupe(children: FoundChild[]): FoundChild[] {
  const seen = new Set<object>();
  return children.filter((c) => (seen.has(c.node) ? false : (seen.add(c.node), true)));
}

/** The object an error is about, and the field within it (if the error is about a field). */
function target(node: Mapping, e: ErrorObject): { parent: object; field?: string | number } {
  const segments = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
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
      return `${subject}must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}; got ${JSON.stringify(e.data)}`;
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
  if (s.type === 'array')
    return s.items && typeof s.items === 'object'
      ? `a list of ${describeSchema(s.items as Schema)
          .replace(/^an? /, '')
          .replace(/([^s])$/, '$1s')}`
      : 'a list';
  if (typeof s.type === 'string') return s.type === 'object' ? 'a mapping' : `${/^[aeiou]/.test(s.type) ? 'an' : 'a'} ${s.type}`;
  return 'a valid value';
}

function fieldName(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
