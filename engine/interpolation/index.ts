/**
 * PUBLIC CONTRACT of the interpolation layer (the implementation behind it is being written).
 * Other folders import only from here.
 *
 * TEMPORARY naive implementation: only `{{ a.b['c'] }}`-style lookups. Replaced by the real
 * Jinja-compatible compiler.
 */
import type { Obj } from '../types.js';

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

export class InterpolatedString {
  readonly isStatic: boolean;
  private constructor(private readonly source: unknown, private readonly options: InterpolatedOptions) {
    this.isStatic = typeof source !== 'string' || !source.includes('{{');
  }
  static create(value: unknown, options: InterpolatedOptions = {}): InterpolatedString {
    return new InterpolatedString(value, options);
  }
  /** Evaluated with Airbyte's typing: a whole result that reads as a literal (5, True, [1]) is typed. */
  eval(ctx: InterpolationContext): unknown {
    const s = this.evalString(ctx);
    if (/^-?\d+$/.test(s)) return Number(s);
    return s === '' ? undefined : s;
  }
  /** The rendered text, untyped. */
  evalString(ctx: InterpolationContext): string {
    if (typeof this.source !== 'string') return this.source === undefined || this.source === null ? '' : String(this.source);
    const full = { ...ctx, parameters: ctx.parameters ?? this.options.parameters ?? {} };
    return this.source.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
      const v = lookup(full, expr);
      return v === undefined || v === null ? '' : String(v);
    });
  }
}

export class InterpolatedBoolean {
  private readonly str: InterpolatedString;
  constructor(condition: unknown, parameters?: Obj) {
    this.str = InterpolatedString.create(condition ?? 'False', { parameters });
  }
  eval(ctx: InterpolationContext): boolean {
    const s = this.str.evalString(ctx);
    return !['False', 'false', '{}', '[]', '()', '', '0', '0.0', 'None'].includes(s.trim());
  }
}

export class InterpolatedMapping {
  constructor(private readonly mapping: unknown, private readonly parameters?: Obj) {}
  eval(ctx: InterpolationContext): Obj {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return InterpolatedString.create(v, { parameters: this.parameters }).eval(ctx);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return (walk(this.mapping) ?? {}) as Obj;
  }
}

function lookup(root: Obj, expr: string): unknown {
  const parts = expr.match(/[A-Za-z_]\w*|\[\s*'[^']*'\s*\]|\[\s*"[^"]*"\s*\]/g) ?? [];
  let cur: unknown = root;
  for (const p of parts) {
    const key = p.startsWith('[') ? p.slice(1, -1).trim().slice(1, -1) : p;
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[key];
  }
  return cur;
}
