/**
 * Record batching of an operation: up to `batch_size` rendered bodies are sent in one request,
 * either as a plain JSON array, wrapped as `{<property>: [...], ...extra}`, or reshaped by a
 * JSONata expression over the array.
 */
import { jsonata } from '../extract/jsonata.js';
import { InterpolatedBoolean, InterpolatedMapping, InterpolatedString, type InterpolationContext } from '../interpolation/index.js';
import type { BuildContext, ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';

export interface Batching {
  readonly batchSize: number;
  group(bodies: unknown[], ctx: InterpolationContext): Promise<unknown>;
}

export const DEFAULT_BATCH_SIZE = 100;

/** Settings that decide on/off and size are read from config once, when the operation is built. */
export function buildBatching(node: unknown, ctx: BuildContext): Batching | undefined {
  if (node === undefined || node === null || node === false) return undefined;
  if (typeof node !== 'object' || Array.isArray(node)) throw ctx.error('batching must be a mapping', 'batching');
  const spec = node as ManifestNode;
  const buildCtx = { config: ctx.config, parameters: ctx.parameters };
  if (spec.enabled !== undefined && !new InterpolatedBoolean(spec.enabled, ctx.parameters).eval(buildCtx)) return undefined;

  const rawSize =
    spec.batch_size === undefined ? DEFAULT_BATCH_SIZE : InterpolatedString.create(spec.batch_size, { parameters: ctx.parameters }).eval(buildCtx);
  const batchSize = rawSize === undefined ? DEFAULT_BATCH_SIZE : Number(rawSize);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw ctx.error(`batching.batch_size must be a positive integer (got ${JSON.stringify(rawSize)})`, 'batching');

  const jsonataSource = spec.jsonata === undefined ? undefined : InterpolatedString.create(spec.jsonata, { parameters: ctx.parameters }).evalString(buildCtx);
  // A non-empty jsonata wins over wrap, so one manifest can offer both and let config choose.
  if (jsonataSource) {
    let expression: ReturnType<typeof jsonata>;
    try {
      expression = jsonata(jsonataSource);
    } catch (e) {
      throw ctx.error(`batching.jsonata does not compile: ${(e as Error).message}`, 'batching');
    }
    return { batchSize, group: async (bodies, ictx) => expression.evaluate(bodies, { config: ictx.config }) };
  }
  if (spec.wrap !== undefined) {
    const wrap = spec.wrap as Obj;
    const property = InterpolatedString.create(wrap.property ?? 'items', { parameters: ctx.parameters }).evalString(buildCtx) || 'items';
    const extra = wrap.extra === undefined ? undefined : compileExtra(wrap.extra, ctx);
    return {
      batchSize,
      group: async (bodies, ictx) => ({ ...(extra ? extra.eval(ictx) : {}), [property]: bodies }),
    };
  }
  return { batchSize, group: async (bodies) => bodies };
}

/** `extra` is a mapping, or (manual mode) a config template rendering a JSON object. */
function compileExtra(extra: unknown, ctx: BuildContext): { eval(ictx: InterpolationContext): Obj } | undefined {
  if (typeof extra !== 'string') return new InterpolatedMapping(extra, ctx.parameters);
  const text = InterpolatedString.create(extra, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters }).trim();
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw ctx.error('batching.wrap.extra must render a JSON object', 'batching');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw ctx.error('batching.wrap.extra must render a JSON object', 'batching');
  return { eval: () => parsed as Obj };
}
