/** Helpers shared by the backoff strategies (header lookup, interpolated numbers). */
import { InterpolatedString } from '../interpolation/index.js';
import type { BuildContext } from '../registry.js';
import type { HttpResponse } from '../types.js';

/** Header value by case-insensitive name (first value when repeated). */
export function headerValue(response: HttpResponse | undefined, name: string): string | undefined {
  if (!response) return undefined;
  const lower = name.toLowerCase();
  let value = response.headers[lower];
  if (value === undefined) {
    for (const [k, v] of Object.entries(response.headers)) if (k.toLowerCase() === lower) value = v;
  }
  return Array.isArray(value) ? value[0] : value;
}

/** Airbyte's get_numeric_value_from_header: optional regex (whole match), then float. */
export function numericHeader(response: HttpResponse | undefined, name: string, regex: RegExp | undefined): number | undefined {
  let value = headerValue(response, name);
  if (value === undefined) return undefined;
  if (regex) {
    const m = regex.exec(value);
    if (!m) return undefined;
    value = m[0];
  }
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? n : undefined;
}

/** A numeric manifest field that may be a template over config/parameters. */
export function numberField(ctx: BuildContext, value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text =
    typeof value === 'number'
      ? String(value)
      : InterpolatedString.create(value, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters });
  const n = Number.parseFloat(text);
  if (!Number.isFinite(n)) throw ctx.error(`${field} must be a number (got "${text}")`, field);
  return n;
}

export function stringField(ctx: BuildContext, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return InterpolatedString.create(value, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters });
}

export function jitter(rangeSeconds: number | undefined): number {
  return rangeSeconds ? Math.random() * rangeSeconds : 0;
}
