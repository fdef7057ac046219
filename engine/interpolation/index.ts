/**
 * PUBLIC CONTRACT of the interpolation layer. Other folders import only from here.
 *
 * Jinja-compatible templates with Airbyte's semantics (jinja.py): templates are parsed and
 * compiled to closures once per source text (see compiler.ts), undefined values fall back to
 * the `default` template, results are typed like `ast.literal_eval(str(value))`.
 */
import { ConfigError, ManifoldError } from '../errors/manifold-error.js';
import type { Obj } from '../types.js';
import { STANDARD_VARIABLES, compileTemplate, type CompiledTemplate, type Scope } from './compiler.js';
import { NOT_LITERAL, literalEval } from './literal-eval.js';
import { TemplateSyntaxError } from './parser.js';
import { TemplateSizeError } from './size-guard.js';
import { LimitExceededError, templateSizeLimit } from '../limits/limits.js';
import { TemplateRuntimeError, UndefinedError, isPlainObject, pyNumberStr, pyStr, truthy } from './python-values.js';

export { PyDate, PyDateTime, formatDatetime, parseDatetime, setNowForTesting, strToDatetime } from './datetime.js';
export { PyDuration } from './duration.js';
export { callMacro } from './macros.js';
export { compiledTemplateCount } from './compiler.js';
export { filterNames } from './filters.js';
export { globalNames } from './macros.js';

/** Names every evaluation site may reference (others exist only in some components, see docs/interpolation.md). */
export function standardVariableNames(): string[] {
  return [...STANDARD_VARIABLES];
}

export interface TemplateInspection {
  /** Parse or compile error (syntax, unknown filter or test), as the engine would raise it. */
  syntaxError?: string | undefined;
  /** Names the template reads that are neither standard variables, locals nor globals. */
  undeclared: string[];
}

/** Compiles a template without evaluating it, for authoring checks (`manifold validate`). */
export function inspectTemplate(source: string): TemplateInspection {
  if (!hasTemplateSyntax(source)) return { undeclared: [] };
  try {
    return { undeclared: [...compileTemplate(source).required] };
  } catch (e) {
    if (e instanceof TemplateSyntaxError) return { syntaxError: e.message, undeclared: [] };
    throw e;
  }
}

export interface InterpolationContext {
  config: Obj;
  parameters?: Obj | undefined;
  /** The slice view (see sliceView()); aliased as stream_partition and stream_interval. */
  stream_slice?: Obj | undefined;
  next_page_token?: Obj | undefined;
  response?: unknown;
  headers?: unknown;
  last_record?: unknown;
  last_page_size?: number | undefined;
  record?: unknown;
  [name: string]: unknown;
}

export interface InterpolatedOptions {
  parameters?: Obj | undefined;
  /** Template evaluated when the main one is undefined or renders empty. */
  default?: string | undefined;
}

function hasTemplateSyntax(s: string): boolean {
  return s.includes('{{') || s.includes('{%');
}

function compileOrThrow(source: string): CompiledTemplate {
  try {
    return compileTemplate(source);
  } catch (e) {
    if (e instanceof TemplateSyntaxError) throw new ConfigError(`Invalid template ${JSON.stringify(source)}: ${e.message}`, { cause: e });
    if (e instanceof RangeError) throw new ConfigError(`Invalid template ${JSON.stringify(source.slice(0, 200))}: it nests too deep to parse`, { cause: e });
    throw e;
  }
}

const EMPTY: Obj = Object.freeze({}) as Obj;

/** The value a whole-template result yields once printed with str() and read back by literal_eval. */
function typedValue(v: unknown): unknown {
  switch (typeof v) {
    case 'string': {
      const lit = literalEval(v);
      return lit === NOT_LITERAL ? v : lit;
    }
    case 'number':
      return Number.isFinite(v) && (Number.isSafeInteger(v) || !Number.isInteger(v)) ? v : pyNumberStr(v);
    case 'boolean':
      return v;
  }
  if (v === null) return null;
  if (Array.isArray(v) || isPlainObject(v)) return roundTrips(v) ? v : typedValue(pyStr(v));
  return pyStr(v);
}

function roundTrips(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && (Number.isSafeInteger(v) || !Number.isInteger(v));
  if (Array.isArray(v)) return v.every(roundTrips);
  if (isPlainObject(v)) {
    for (const k in v) if (!roundTrips(v[k])) return false;
    return true;
  }
  return false;
}

function runtimeError(source: string, e: unknown): unknown {
  const shown = source.length > 200 ? `${JSON.stringify(source.slice(0, 200))}…` : JSON.stringify(source);
  if (e instanceof TemplateSizeError) return new LimitExceededError('maxTemplateSize', templateSizeLimit(), `Error evaluating ${shown}: ${e.message}`);
  // V8's own ceilings (string length, array length, call stack) reached by a template's values.
  if (e instanceof RangeError) {
    if (/call stack/i.test(e.message)) return new ConfigError(`Error evaluating ${shown}: it nests too deep to evaluate`, { cause: e });
    return new LimitExceededError('maxTemplateSize', templateSizeLimit(), `Error evaluating ${shown}: it builds a value too large for memory (${e.message})`);
  }
  if (e instanceof TemplateRuntimeError) return new ConfigError(`Error evaluating ${JSON.stringify(source)}: ${e.message}`, { cause: e });
  if (e instanceof ManifoldError) return e;
  return e;
}

function checkDeclared(t: CompiledTemplate, ctx: InterpolationContext): void {
  for (const name of t.required) {
    if (!(name in ctx)) {
      if (name === 'stream_state') {
        throw new ConfigError(`Using 'stream_state' in interpolation is no longer supported; use 'stream_interval' instead (in ${JSON.stringify(t.source)})`);
      }
      throw new ConfigError(`Template ${JSON.stringify(t.source)} uses undeclared variable '${name}'`);
    }
  }
}

/** Result of one template: `undefined` = undefined or empty (use the default). */
function evalTyped(t: CompiledTemplate, ctx: InterpolationContext, params: Obj): unknown {
  if (t.required.length) checkDeclared(t, ctx);
  const scope: Scope = { ctx, params, locals: undefined };
  try {
    if (t.value) {
      const v = t.value(scope);
      if (v === undefined || v === '') return undefined;
      return typedValue(v);
    }
    const text = t.render(scope);
    if (text === '') return undefined;
    const lit = literalEval(text);
    return lit === NOT_LITERAL ? text : lit;
  } catch (e) {
    if (e instanceof UndefinedError) return undefined;
    throw runtimeError(t.source, e);
  }
}

function evalText(t: CompiledTemplate, ctx: InterpolationContext, params: Obj): string | undefined {
  if (t.required.length) checkDeclared(t, ctx);
  const scope: Scope = { ctx, params, locals: undefined };
  try {
    const text = t.value ? pyStr(t.value(scope)) : t.render(scope);
    return text === '' ? undefined : text;
  } catch (e) {
    if (e instanceof UndefinedError) return undefined;
    throw runtimeError(t.source, e);
  }
}

export class InterpolatedString {
  readonly isStatic: boolean;
  private readonly template: CompiledTemplate | undefined;
  private readonly defaultTemplate: InterpolatedString | undefined;
  private readonly parameters: Obj | undefined;

  private constructor(
    private readonly source: unknown,
    options: InterpolatedOptions,
  ) {
    this.isStatic = typeof source !== 'string' || !hasTemplateSyntax(source);
    this.template = this.isStatic ? undefined : compileOrThrow(source as string);
    this.parameters = options.parameters;
    this.defaultTemplate =
      options.default !== undefined && options.default !== null ? InterpolatedString.create(options.default, { parameters: options.parameters }) : undefined;
  }

  /**
   * True when the value depends on config and parameters only (no record, slice, response, and no
   * now_utc()-style global): evaluated once, it holds for every record of the read.
   */
  get readsOnlyConfigAndParameters(): boolean {
    if (!this.template) return true;
    const reads = this.template.reads;
    if (!reads?.every((name) => name === 'config' || name === 'parameters')) return false;
    return this.defaultTemplate ? this.defaultTemplate.readsOnlyConfigAndParameters : true;
  }

  static create(value: unknown, options: InterpolatedOptions = {}): InterpolatedString {
    return new InterpolatedString(value, options);
  }

  private params(ctx: InterpolationContext): Obj {
    return this.parameters ?? ctx.parameters ?? EMPTY;
  }

  /**
   * Evaluated with Airbyte's typing: a result that reads as a Python literal (5, True, [1]) is
   * typed. Static strings are returned unchanged; an undefined or empty result gives the default
   * (or undefined).
   */
  eval(ctx: InterpolationContext): unknown {
    if (!this.template) {
      if (this.source === '' || this.source === undefined || this.source === null) return this.defaultTemplate?.eval(ctx);
      return this.source;
    }
    const v = evalTyped(this.template, ctx, this.params(ctx));
    if (v === undefined && this.defaultTemplate) return this.defaultTemplate.eval(ctx);
    return v;
  }

  /** The rendered text, untyped ('' when undefined and no default). */
  evalString(ctx: InterpolationContext): string {
    if (!this.template) {
      if (this.source === undefined || this.source === null || this.source === '') return this.defaultTemplate?.evalString(ctx) ?? '';
      return typeof this.source === 'string' ? this.source : pyStrOrJson(this.source);
    }
    const text = evalText(this.template, ctx, this.params(ctx));
    if (text === undefined) return this.defaultTemplate ? this.defaultTemplate.evalString(ctx) : '';
    return text;
  }
}

function pyStrOrJson(v: unknown): string {
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : pyStr(v);
}

const FALSE_STRINGS = new Set(['False', 'false', '{}', '[]', '()', '', '0', '0.0']);

/** InterpolatedBoolean: default "False"; falsy values and the strings Airbyte treats as false. */
export class InterpolatedBoolean {
  private readonly str: InterpolatedString;
  private readonly constant: boolean | undefined;
  constructor(condition: unknown, parameters?: Obj) {
    if (typeof condition === 'boolean') this.constant = condition;
    this.str = InterpolatedString.create(condition === undefined || condition === null || condition === '' ? 'False' : condition, { parameters });
  }
  eval(ctx: InterpolationContext): boolean {
    if (this.constant !== undefined) return this.constant;
    const v = this.str.eval(ctx);
    if (typeof v === 'string') return !FALSE_STRINGS.has(v);
    // Airbyte tests `evaluated in FALSE_VALUES`: None is not in it (so it is true), 0 == False is.
    if (v === undefined || v === false || v === 0) return false;
    if (v === null) return true;
    return truthy(v);
  }
}

type MappingFn = (ctx: InterpolationContext) => unknown;

/** InterpolatedMapping / InterpolatedNestedMapping: every string key and value is a template. */
export class InterpolatedMapping {
  private readonly compiled: MappingFn;
  constructor(mapping: unknown, parameters?: Obj) {
    this.compiled = compileMapping(mapping, parameters);
  }
  eval(ctx: InterpolationContext): Obj {
    return (this.compiled(ctx) ?? {}) as Obj;
  }
}

function compileMapping(v: unknown, parameters: Obj | undefined): MappingFn {
  if (typeof v === 'string') {
    // Mapping values are typed even when static ("100" → 100), as JinjaInterpolation.eval does.
    if (!hasTemplateSyntax(v)) {
      const typed = v === '' ? undefined : typedValue(v);
      return () => typed;
    }
    const s = InterpolatedString.create(v, { parameters });
    return (ctx) => s.eval(ctx);
  }
  if (Array.isArray(v)) {
    const items = v.map((x) => compileMapping(x, parameters));
    return (ctx) => items.map((f) => f(ctx));
  }
  if (isPlainObject(v)) {
    const entries = Object.entries(v).map(([k, x]) => {
      const key = hasTemplateSyntax(k) ? InterpolatedString.create(k, { parameters }) : k;
      return [key, compileMapping(x, parameters)] as const;
    });
    return (ctx) => {
      const out: Obj = {};
      for (const [k, f] of entries) out[typeof k === 'string' ? k : k.evalString(ctx)] = f(ctx);
      return out;
    };
  }
  return () => v;
}

/** Airbyte's JinjaInterpolation.eval (used by conformance tests and ad-hoc evaluation). */
export function interpolate(template: string, ctx: InterpolationContext, defaultTemplate?: string): unknown {
  for (const alias of ['stream_interval', 'stream_partition']) {
    if (alias in ctx) throw new ConfigError(`Found reserved keyword ${alias} in interpolation context. This is unexpected and indicative of a bug.`);
  }
  const t = compileOrThrow(template);
  const v = evalTyped(t, ctx, (ctx.parameters as Obj | undefined) ?? EMPTY);
  if (v !== undefined) return v;
  return defaultTemplate === undefined ? null : (InterpolatedString.create(defaultTemplate).eval(ctx) ?? null);
}
