/**
 * Compiled request_parameters / request_headers / request_body_data / request_body_json: each
 * template compiled once, rendered per request with Airbyte's typing rules for request inputs
 * (flat inputs keep text unless it is a list literal; JSON bodies are typed and nested).
 */
import { InterpolatedMapping, InterpolatedString, type InterpolationContext } from '../interpolation/index.js';
import type { BuildContext } from '../registry.js';
import type { Obj } from '../types.js';
import { listFromLiteral, pythonStr } from './url.js';

interface FlatEntry {
  key: InterpolatedString;
  value: InterpolatedString | undefined;
  raw: unknown;
}

/** Query parameters, headers or form fields: a flat map of key → text or list. */
export class FlatInputs {
  private readonly entries: FlatEntry[] = [];
  /** A whole-map template (`request_parameters: "{{ ... }}"`) rendering to a dict. */
  private readonly whole: InterpolatedString | undefined;
  readonly isEmpty: boolean;

  constructor(
    source: unknown,
    ctx: BuildContext,
    field: string,
    private readonly listsAllowed: boolean,
  ) {
    const parameters = ctx.parameters;
    if (typeof source === 'string') {
      this.whole = InterpolatedString.create(source, { parameters });
    } else if (source && typeof source === 'object' && !Array.isArray(source)) {
      for (const [k, v] of Object.entries(source)) {
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          throw ctx.error(`Invalid value for \`${k}\` parameter. The values of request params cannot be an object.`, field);
        }
        const value = typeof v === 'string' ? InterpolatedString.create(v, { parameters }) : undefined;
        this.entries.push({ key: InterpolatedString.create(k, { parameters }), value, raw: v });
      }
    } else if (source !== undefined && source !== null) {
      throw ctx.error(`${field} must be a mapping or a template string`, field);
    }
    this.isEmpty = !this.whole && this.entries.length === 0;
  }

  /** Rendered fields; values are strings, lists (when allowed) or undefined (dropped later). */
  eval(ctx: InterpolationContext): Obj {
    const out: Obj = {};
    if (this.whole) {
      const v = this.whole.eval(ctx);
      if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, v);
      return out;
    }
    for (const entry of this.entries) {
      const key = entry.key.evalString(ctx);
      if (!entry.value) {
        out[key] = Array.isArray(entry.raw) && this.listsAllowed ? entry.raw : entry.raw === undefined || entry.raw === null ? undefined : pythonStr(entry.raw);
        continue;
      }
      const text = entry.value.evalString(ctx);
      const list = this.listsAllowed && text.startsWith('[') ? listFromLiteral(text) : undefined;
      out[key] = list ?? (text === 'None' ? undefined : text);
    }
    return out;
  }
}

/** request_body_json: nested and typed (numbers stay numbers), or a template rendering to JSON. */
export class JsonInputs {
  private readonly mapping: InterpolatedMapping | undefined;
  private readonly whole: InterpolatedString | undefined;

  constructor(source: unknown, ctx: BuildContext) {
    if (typeof source === 'string') this.whole = InterpolatedString.create(source, { parameters: ctx.parameters });
    else if (source !== undefined && source !== null) this.mapping = new InterpolatedMapping(source, ctx.parameters);
  }

  get isEmpty(): boolean {
    return !this.mapping && !this.whole;
  }

  eval(ctx: InterpolationContext): Obj | unknown[] | undefined {
    if (this.mapping) return this.mapping.eval(ctx);
    if (!this.whole) return undefined;
    const v = this.whole.eval(ctx);
    if (typeof v === 'string') {
      try {
        return JSON.parse(v) as Obj;
      } catch {
        return undefined;
      }
    }
    return v && typeof v === 'object' ? (v as Obj) : undefined;
  }
}
