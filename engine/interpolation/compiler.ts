/**
 * Compiles the template AST into JS closures once; evaluation then walks no AST and converts no
 * context (a context may hold a whole response). Names are resolved at compile time into
 * locals, context variables or globals.
 */
import { PyDate, PyDateTime } from './datetime.js';
import { PyDuration } from './duration.js';
import { getFilter, getTest } from './filters.js';
import { getGlobal } from './macros.js';
import { callMethod, hasMethod, valueAttribute } from './methods.js';
import { TemplateSyntaxError, parseTemplate, type Expr, type Node } from './parser.js';
import { ensureTemplateSize } from './size-guard.js';
import {
  PyCallable,
  TemplateRuntimeError,
  UndefinedError,
  isPlainObject,
  pyCompare,
  pyContains,
  pyEquals,
  pyIter,
  pyStr,
  typeName,
  truthy,
} from './python-values.js';

export interface Scope {
  ctx: Record<string, unknown>;
  params: Record<string, unknown>;
  locals: Record<string, unknown> | undefined;
}

type Fn = (s: Scope) => unknown;
type Render = (s: Scope) => string;

/** Variables every evaluation site may reference; unset ones are simply undefined. */
export const STANDARD_VARIABLES = new Set([
  'config',
  'parameters',
  'stream_slice',
  'stream_partition',
  'stream_interval',
  'next_page_token',
  'response',
  'headers',
  'last_record',
  'last_page_size',
  'record',
]);

export interface CompiledTemplate {
  readonly source: string;
  /** Set when the template is exactly one `{{ expr }}`: its value, unrendered. */
  readonly value: Fn | undefined;
  readonly render: Render;
  /** Context names that must be present (Airbyte: undeclared variable → error). */
  readonly required: readonly string[];
  readonly usesLocals: boolean;
  /**
   * Context variables the template reads (`parameters` included), or undefined when it also calls
   * a global such as now_utc(): then its value may change between two evaluations in one context.
   */
  readonly reads: readonly string[] | undefined;
}

const templateCache = new Map<string, CompiledTemplate>();
let compileCount = 0;

/** Number of templates actually compiled so far (cache misses), for tests and diagnostics. */
export function compiledTemplateCount(): number {
  return compileCount;
}

export function compileTemplate(source: string): CompiledTemplate {
  const cached = templateCache.get(source);
  if (cached) return cached;
  const compiled = new Compiler(source).compile();
  compileCount++;
  if (templateCache.size >= 10_000) templateCache.clear();
  templateCache.set(source, compiled);
  return compiled;
}

class Compiler {
  private readonly locals = new Set<string>();
  private readonly required = new Set<string>();
  private usesLocals = false;
  private readonly reads = new Set<string>();
  private usesGlobals = false;

  constructor(private readonly source: string) {}

  compile(): CompiledTemplate {
    const nodes = parseTemplate(this.source);
    const render = this.body(nodes);
    const only = nodes.length === 1 && nodes[0]!.k === 'out' ? nodes[0] : undefined;
    const value = only && only.k === 'out' ? this.expr(only.expr) : undefined;
    return {
      source: this.source,
      value,
      render,
      required: [...this.required],
      usesLocals: this.usesLocals,
      reads: this.usesGlobals ? undefined : [...this.reads],
    };
  }

  private body(nodes: Node[]): Render {
    const parts = nodes.map((n) => this.node(n));
    if (parts.length === 0) return () => '';
    if (parts.length === 1) return parts[0]!;
    return (s) => {
      let out = '';
      for (let i = 0; i < parts.length; i++) out += parts[i]!(s);
      ensureTemplateSize(out.length, 'the rendered text');
      return out;
    };
  }

  private node(n: Node): Render {
    switch (n.k) {
      case 'text': {
        const text = n.text;
        return () => text;
      }
      case 'out': {
        const f = this.expr(n.expr);
        return (s) => pyStr(f(s));
      }
      case 'if': {
        const branches = n.branches.map(([test, body]) => [this.expr(test), this.body(body)] as const);
        const elseBody = n.else ? this.body(n.else) : undefined;
        return (s) => {
          for (const [test, body] of branches) if (truthy(test(s))) return body(s);
          return elseBody ? elseBody(s) : '';
        };
      }
      case 'set': {
        const value = this.expr(n.value);
        const targets = n.targets;
        this.declare(targets);
        return (s) => {
          assign(s, targets, value(s));
          return '';
        };
      }
      case 'for': {
        const iter = this.expr(n.iter);
        const targets = n.targets;
        const outer = new Set(this.locals);
        this.declare([...targets, 'loop']);
        const filter = n.filter ? this.expr(n.filter) : undefined;
        const body = this.body(n.body);
        // Loop variables do not outlive the loop (Jinja scoping).
        for (const t of [...targets, 'loop']) if (!outer.has(t)) this.locals.delete(t);
        const elseBody = n.else ? this.body(n.else) : undefined;
        return (s) => {
          let items = pyIter(iter(s));
          const locals = (s.locals ??= Object.create(null) as Record<string, unknown>);
          const saved = [...targets, 'loop'].map((t) => [t, locals[t]] as const);
          if (filter) {
            items = items.filter((item) => {
              assign(s, targets, item);
              return truthy(filter(s));
            });
          }
          let out = '';
          const length = items.length;
          for (let i = 0; i < length; i++) {
            assign(s, targets, items[i]);
            locals.loop = { index: i + 1, index0: i, first: i === 0, last: i === length - 1, length, revindex: length - i, revindex0: length - i - 1 };
            out += body(s);
            ensureTemplateSize(out.length, 'the output of a for loop');
          }
          for (const [t, v] of saved) locals[t] = v;
          if (length === 0 && elseBody) return elseBody(s);
          return out;
        };
      }
    }
  }

  private declare(names: string[]): void {
    this.usesLocals = true;
    for (const n of names) this.locals.add(n);
  }

  private exprs(list: Expr[]): Fn[] {
    return list.map((e) => this.expr(e));
  }

  private kwargs(list: Array<[string, Expr]>): ((s: Scope) => Record<string, unknown>) | undefined {
    if (list.length === 0) return undefined;
    const compiled = list.map(([k, e]) => [k, this.expr(e)] as const);
    return (s) => {
      const out: Record<string, unknown> = {};
      for (const [k, f] of compiled) out[k] = f(s);
      return out;
    };
  }

  expr(e: Expr): Fn {
    switch (e.k) {
      case 'lit': {
        const v = e.v;
        return () => v;
      }
      case 'name':
        return this.name(e.name);
      case 'list': {
        const items = this.exprs(e.items);
        return (s) => items.map((f) => f(s));
      }
      case 'dict':
        return this.dict(e);
      case 'attr': {
        const obj = this.expr(e.obj);
        const name = e.name;
        return (s) => getAttr(obj(s), name);
      }
      case 'item':
        return this.item(e);
      case 'slice':
        return this.slice(e);
      case 'call':
        return this.call(e);
      case 'filter':
        return this.filter(e);
      case 'test':
        return this.test(e);
      case 'unary':
        return this.unary(e);
      case 'and':
      case 'or':
        return this.logical(e);
      case 'bin': {
        const left = this.expr(e.left);
        const right = this.expr(e.right);
        const op = binaryOp(e.op);
        return (s) => op(left(s), right(s));
      }
      case 'compare':
        return this.compare(e);
      case 'cond': {
        const test = this.expr(e.test);
        const then = this.expr(e.then);
        const otherwise = e.else ? this.expr(e.else) : undefined;
        return (s) => (truthy(test(s)) ? then(s) : otherwise ? otherwise(s) : undefined);
      }
    }
  }

  private dict(e: Extract<Expr, { k: 'dict' }>): Fn {
    const entries = e.entries.map(([k, v]) => [this.expr(k), this.expr(v)] as const);
    return (s) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) {
        const key = k(s);
        out[typeof key === 'string' ? key : pyStr(key)] = v(s);
      }
      return out;
    };
  }

  private item(e: Extract<Expr, { k: 'item' }>): Fn {
    const obj = this.expr(e.obj);
    if (e.key.k === 'lit') {
      const key = e.key.v;
      return (s) => getItem(obj(s), key);
    }
    const key = this.expr(e.key);
    return (s) => getItem(obj(s), key(s));
  }

  private slice(e: Extract<Expr, { k: 'slice' }>): Fn {
    const obj = this.expr(e.obj);
    const start = e.start ? this.expr(e.start) : undefined;
    const stop = e.stop ? this.expr(e.stop) : undefined;
    const step = e.step ? this.expr(e.step) : undefined;
    return (s) => pySlice(obj(s), start?.(s), stop?.(s), step?.(s));
  }

  private filter(e: Extract<Expr, { k: 'filter' }>): Fn {
    const f = getFilter(e.name);
    if (!f) throw new TemplateSyntaxError(`No filter named '${e.name}'.`);
    const value = this.expr(e.value);
    const args = this.exprs(e.args);
    const kwargs = this.kwargs(e.kwargs);
    if (args.length === 0 && !kwargs) return (s) => f(value(s), [], undefined);
    return (s) =>
      f(
        value(s),
        args.map((a) => a(s)),
        kwargs?.(s),
      );
  }

  private test(e: Extract<Expr, { k: 'test' }>): Fn {
    const t = getTest(e.name);
    if (!t) throw new TemplateSyntaxError(`No test named '${e.name}'.`);
    const value = this.expr(e.value);
    const args = this.exprs(e.args);
    const negate = e.negate;
    return (s) =>
      t(
        value(s),
        args.map((a) => a(s)),
      ) !== negate;
  }

  private unary(e: Extract<Expr, { k: 'unary' }>): Fn {
    const value = this.expr(e.value);
    if (e.op === 'not') return (s) => !truthy(value(s));
    if (e.op === '+') return (s) => value(s);
    return (s) => negate(value(s));
  }

  /** `and` / `or`: Python's, returning the deciding operand (not a boolean). */
  private logical(e: Extract<Expr, { k: 'and' | 'or' }>): Fn {
    const left = this.expr(e.left);
    const right = this.expr(e.right);
    if (e.k === 'and') {
      return (s) => {
        const l = left(s);
        return truthy(l) ? right(s) : l;
      };
    }
    return (s) => {
      const l = left(s);
      return truthy(l) ? l : right(s);
    };
  }

  /** Chained comparisons (`a < b < c`) compare neighbours and stop at the first false. */
  private compare(e: Extract<Expr, { k: 'compare' }>): Fn {
    const first = this.expr(e.first);
    const ops = e.ops.map(([op, x]) => [compareOp(op), this.expr(x)] as const);
    if (ops.length === 1) {
      const [op, right] = ops[0]!;
      return (s) => op(first(s), right(s));
    }
    return (s) => {
      let left = first(s);
      for (const [op, rightFn] of ops) {
        const right = rightFn(s);
        if (!op(left, right)) return false;
        left = right;
      }
      return true;
    };
  }

  private name(name: string): Fn {
    if (this.locals.has(name)) return (s) => s.locals![name];
    this.reads.add(name);
    switch (name) {
      case 'parameters':
        return (s) => s.params;
      case 'stream_partition':
      case 'stream_interval':
        return (s) => (Object.hasOwn(s.ctx, name) ? s.ctx[name] : s.ctx.stream_slice);
    }
    if (STANDARD_VARIABLES.has(name)) return (s) => s.ctx[name];
    const global = getGlobal(name);
    if (global) this.usesGlobals = true;
    if (global) return (s) => (Object.hasOwn(s.ctx, name) ? s.ctx[name] : global);
    this.required.add(name);
    return (s) => s.ctx[name];
  }

  private call(e: Extract<Expr, { k: 'call' }>): Fn {
    const args = this.exprs(e.args);
    const kwargs = this.kwargs(e.kwargs);
    const evalArgs = (s: Scope): unknown[] => args.map((a) => a(s));
    if (e.fn.k === 'attr') {
      const obj = this.expr(e.fn.obj);
      const name = e.fn.name;
      return (s) => {
        const target = obj(s);
        if (target === undefined) throw new UndefinedError(`cannot call '${name}' on an undefined value`);
        const a = evalArgs(s);
        const kw = kwargs?.(s);
        const r = callMethod(target, name, a, kw);
        if (r.found) return r.value;
        return invoke(getAttr(target, name), a, kw, name);
      };
    }
    const fn = this.expr(e.fn);
    const label = e.fn.k === 'name' ? e.fn.name : 'expression';
    return (s) => invoke(fn(s), evalArgs(s), kwargs?.(s), label);
  }
}

function invoke(fn: unknown, args: unknown[], kwargs: Record<string, unknown> | undefined, label: string): unknown {
  if (fn instanceof PyCallable) return fn.fn(args, kwargs);
  if (fn === undefined) throw new UndefinedError(`'${label}' is undefined`);
  throw new TemplateRuntimeError(`'${typeName(fn)}' object is not callable`);
}

function assign(s: Scope, targets: string[], value: unknown): void {
  const locals = (s.locals ??= Object.create(null) as Record<string, unknown>);
  if (targets.length === 1) {
    locals[targets[0]!] = value;
    return;
  }
  const items = pyIter(value);
  if (items.length !== targets.length) throw new TemplateRuntimeError(`cannot unpack ${items.length} values into ${targets.length} names`);
  targets.forEach((t, i) => (locals[t] = items[i]));
}

/** Jinja getattr: attribute (whitelisted method / value attribute) first, then item. */
export function getAttr(obj: unknown, name: string): unknown {
  if (obj === undefined) throw new UndefinedError(`undefined value has no attribute '${name}'`);
  if (obj === null || (typeof obj !== 'object' && typeof obj !== 'string')) return undefined;
  if (isPlainObject(obj)) {
    if (hasMethod(obj, name)) return boundMethod(obj, name);
    return Object.hasOwn(obj, name) ? obj[name] : undefined;
  }
  if (hasMethod(obj, name)) return boundMethod(obj, name);
  const attr = valueAttribute(obj, name);
  return attr.found ? attr.value : undefined;
}

function boundMethod(obj: unknown, name: string): PyCallable {
  return new PyCallable(name, (args, kwargs) => callMethod(obj, name, args, kwargs).value);
}

/** Jinja getitem: item first, then attribute for string keys. */
export function getItem(obj: unknown, key: unknown): unknown {
  if (obj === undefined) throw new UndefinedError(`undefined value has no item ${pyStr(key, true)}`);
  if (key === undefined) throw new UndefinedError('undefined subscript');
  if (Array.isArray(obj)) {
    if (typeof key === 'number' && Number.isInteger(key)) return key < 0 ? obj[obj.length + key] : obj[key];
    if (typeof key === 'boolean') return obj[+key];
    return typeof key === 'string' && hasMethod(obj, key) ? boundMethod(obj, key) : undefined;
  }
  if (isPlainObject(obj)) {
    const k = typeof key === 'string' ? key : pyStr(key);
    if (Object.hasOwn(obj, k)) return obj[k];
    return typeof key === 'string' && hasMethod(obj, key) ? boundMethod(obj, key) : undefined;
  }
  if (typeof obj === 'string') {
    if (typeof key === 'number' && Number.isInteger(key)) {
      const chars = [...obj];
      return key < 0 ? chars[chars.length + key] : chars[key];
    }
    return typeof key === 'string' ? getAttr(obj, key) : undefined;
  }
  return typeof key === 'string' ? getAttr(obj, key) : undefined;
}

function pySlice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (obj === undefined) throw new UndefinedError('cannot slice an undefined value');
  const isString = typeof obj === 'string';
  const items: unknown[] = isString ? [...obj] : Array.isArray(obj) ? obj : [];
  if (!isString && !Array.isArray(obj)) throw new TemplateRuntimeError(`'${typeName(obj)}' object is not subscriptable`);
  const n = items.length;
  const st = step === undefined || step === null ? 1 : Number(step);
  if (st === 0) throw new TemplateRuntimeError('slice step cannot be zero');
  const norm = (v: unknown, dflt: number, lo: number, hi: number): number => {
    if (v === undefined || v === null) return dflt;
    let i = Number(v);
    if (i < 0) i += n;
    return Math.min(Math.max(i, lo), hi);
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = norm(start, 0, 0, n);
    const b = norm(stop, n, 0, n);
    for (let i = a; i < b; i += st) out.push(items[i]);
  } else {
    const a = norm(start, n - 1, -1, n - 1);
    const b = norm(stop, -1, -1, n - 1);
    for (let i = a; i > b; i += st) out.push(items[i]);
  }
  return isString ? out.join('') : out;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

function typeError(op: string, a: unknown, b: unknown): TemplateRuntimeError {
  return new TemplateRuntimeError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function checkDefined(a: unknown, b: unknown): void {
  if (a === undefined || b === undefined) throw new UndefinedError('operation on an undefined value');
}

function negate(v: unknown): unknown {
  const n = num(v);
  if (n !== undefined) return -n;
  if (v instanceof PyDuration) return v.negate();
  if (v === undefined) throw new UndefinedError('negation of an undefined value');
  throw new TemplateRuntimeError(`bad operand type for unary -: '${typeName(v)}'`);
}

function add(a: unknown, b: unknown): unknown {
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x + y;
  if (typeof a === 'string' && typeof b === 'string') {
    ensureTemplateSize(a.length + b.length, 'a string joined with +');
    return a + b;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    ensureTemplateSize(a.length + b.length, 'a list joined with +');
    return [...a, ...b];
  }
  if (b instanceof PyDuration) {
    if (a instanceof PyDateTime || a instanceof PyDate) return a.plus(b);
    if (a instanceof PyDuration) return a.plus(b);
  }
  if (a instanceof PyDuration && (b instanceof PyDateTime || b instanceof PyDate)) return b.plus(a);
  checkDefined(a, b);
  throw typeError('+', a, b);
}

function sub(a: unknown, b: unknown): unknown {
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x - y;
  if (b instanceof PyDuration) {
    if (a instanceof PyDateTime || a instanceof PyDate) return a.minus(b);
    if (a instanceof PyDuration) return a.plus(b.negate());
  }
  if (a instanceof PyDateTime && b instanceof PyDateTime) return a.since(b);
  if (a instanceof PyDate && b instanceof PyDate) {
    return PyDateTime.fromWall(a.year, a.month, a.day).since(PyDateTime.fromWall(b.year, b.month, b.day));
  }
  checkDefined(a, b);
  throw typeError('-', a, b);
}

function mul(a: unknown, b: unknown): unknown {
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x * y;
  if (typeof a === 'string' && y !== undefined) return repeatString(a, y);
  if (typeof b === 'string' && x !== undefined) return repeatString(b, x);
  if (Array.isArray(a) && y !== undefined) {
    const times = Math.max(0, Math.trunc(y));
    ensureTemplateSize(a.length * times, 'a list repeated with *');
    return Array.from({ length: times }, () => a).flat();
  }
  if (a instanceof PyDuration && y !== undefined) return a.times(y);
  checkDefined(a, b);
  throw typeError('*', a, b);
}

function repeatString(s: string, n: number): string {
  const times = Math.max(0, Math.trunc(n));
  ensureTemplateSize(s.length * times, 'a string repeated with *');
  return s.repeat(times);
}

function numeric(op: string, f: (x: number, y: number) => number): (a: unknown, b: unknown) => unknown {
  return (a, b) => {
    const x = num(a);
    const y = num(b);
    if (x === undefined || y === undefined) {
      checkDefined(a, b);
      throw typeError(op, a, b);
    }
    if (y === 0 && op !== '**') throw new TemplateRuntimeError('division by zero');
    return f(x, y);
  };
}

function mod(a: unknown, b: unknown): unknown {
  if (typeof a === 'string') {
    const values = Array.isArray(b) ? b : [b];
    let i = 0;
    return a.replace(/%([sdirf%])/g, (_m, c: string) => {
      if (c === '%') return '%';
      const v = values[i++];
      if (c === 's') return pyStr(v);
      if (c === 'r') return pyStr(v, true);
      if (c === 'f') return Number(v).toFixed(6);
      return String(Math.trunc(Number(v)));
    });
  }
  return numeric('%', (x, y) => x - y * Math.floor(x / y))(a, b);
}

function binaryOp(op: string): (a: unknown, b: unknown) => unknown {
  switch (op) {
    case '+':
      return add;
    case '-':
      return sub;
    case '*':
      return mul;
    case '/':
      return numeric('/', (x, y) => x / y);
    case '//':
      return numeric('//', (x, y) => Math.floor(x / y));
    case '%':
      return mod;
    case '**':
      return numeric('**', (x, y) => x ** y);
    case '~':
      return (a, b) => {
        const x = pyStr(a);
        const y = pyStr(b);
        ensureTemplateSize(x.length + y.length, 'a string joined with ~');
        return x + y;
      };
  }
  throw new TemplateSyntaxError(`unknown operator ${op}`);
}

function compareOp(op: string): (a: unknown, b: unknown) => boolean {
  switch (op) {
    case '==':
      return pyEquals;
    case '!=':
      return (a, b) => !pyEquals(a, b);
    case '<':
      return (a, b) => pyCompare(a, b) < 0;
    case '>':
      return (a, b) => pyCompare(a, b) > 0;
    case '<=':
      return (a, b) => pyCompare(a, b) <= 0;
    case '>=':
      return (a, b) => pyCompare(a, b) >= 0;
    case 'in':
      return (a, b) => pyContains(b, a);
    case 'notin':
      return (a, b) => !pyContains(b, a);
  }
  throw new TemplateSyntaxError(`unknown comparison ${op}`);
}
