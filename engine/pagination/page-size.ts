/**
 * page_size handling shared by the pagination strategies. Airbyte accepts an int, a numeric string
 * or a template; anything that does not end up an integer is a manifest mistake worth failing on.
 */
import { ConfigError } from '../errors/manifold-error.js';
import { InterpolatedString, type InterpolationContext } from '../interpolation/index.js';
import type { Obj } from '../types.js';

export function toPageSize(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n)) {
    throw new ConfigError(`${where}: page_size ${JSON.stringify(value)} is of type ${typeof value}, expected an integer`);
  }
  return n;
}

/** A page_size compiled once; templates may read config, parameters and (OffsetIncrement) the response. */
export class PageSize {
  private readonly template: InterpolatedString | undefined;
  private readonly fixed: number | undefined;

  constructor(
    value: unknown,
    parameters: Obj,
    private readonly where: string,
  ) {
    if (typeof value === 'string' && value.includes('{{')) {
      this.template = InterpolatedString.create(value, { parameters });
    } else {
      this.fixed = toPageSize(value, where);
    }
  }

  get isTemplate(): boolean {
    return this.template !== undefined;
  }

  eval(ctx: InterpolationContext): number | undefined {
    return this.template ? toPageSize(this.template.eval(ctx), this.where) : this.fixed;
  }
}

/** The body templates see as `response`: parsed JSON, or undefined when the body is not JSON. */
export function decodedBody(response: { body: Buffer; json(): unknown }): unknown {
  if (response.body.length === 0) return undefined;
  try {
    return response.json();
  } catch {
    return undefined;
  }
}

/** Response headers as templates see them: case-insensitive, with `link` = the parsed Link header. */
export function templateHeaders(response: { headers: Record<string, string | string[] | undefined>; links(): Record<string, Record<string, string>> }): Obj {
  const headers: Obj = {};
  for (const [k, v] of Object.entries(response.headers)) headers[k.toLowerCase()] = v;
  headers.link = response.links();
  return new Proxy(headers, {
    get: (t, k) => (typeof k === 'string' ? (t[k] ?? t[k.toLowerCase()]) : undefined),
    has: (t, k) => typeof k === 'string' && (k in t || k.toLowerCase() in t),
  });
}
