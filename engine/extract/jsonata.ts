/**
 * JSONata support shared by the JSONata extractor, filter and transformation. Expressions are
 * compiled once at build time; evaluation is asynchronous in jsonata 2.x, so these components
 * implement the `*Async` members of the contracts. JSONata has no access to Node APIs by design.
 */
import { createRequire } from 'node:module';
import type jsonataModule from 'jsonata';
import { ManifoldError } from '../errors/manifold-error.js';
import type { BuildContext } from '../registry.js';
import { sliceView, type Obj } from '../types.js';
import type { RecordContext } from '../contracts.js';

export type CompiledJsonata = jsonataModule.Expression;

const requireDependency = createRequire(import.meta.url);
let jsonataModuleLoaded: typeof jsonataModule | undefined;

/**
 * jsonata, required on first use: few manifests use JSONata, and loading it at start-up was ~20 ms
 * of every read's time to first record. Throws jsonata's own error for an invalid expression.
 */
export function jsonata(expression: string): CompiledJsonata {
  jsonataModuleLoaded ??= requireDependency('jsonata') as typeof jsonataModule;
  return jsonataModuleLoaded(expression);
}

export function compileJsonata(expression: unknown, ctx: BuildContext, field = 'expression'): CompiledJsonata {
  if (typeof expression !== 'string' || expression.trim() === '') throw ctx.error(`${field} must be a JSONata expression`, field);
  try {
    return jsonata(expression);
  } catch (e) {
    const err = e as { message?: string; position?: number };
    throw ctx.error(`Invalid JSONata expression${err.position !== undefined ? ` at character ${err.position}` : ''}: ${err.message ?? String(e)}`, field);
  }
}

/** Variables an expression can read: $config, $parameters, $stream_slice, $next_page_token. */
export function bindingsFor(config: Obj, parameters: Obj, ctx: RecordContext): Obj {
  return { config, parameters, stream_slice: sliceView(ctx.slice), next_page_token: ctx.nextPageToken };
}

export async function evaluateJsonata(expr: CompiledJsonata, input: unknown, bindings: Obj, what: string): Promise<unknown> {
  try {
    return await expr.evaluate(input, bindings);
  } catch (e) {
    const err = e as { message?: string; code?: string };
    throw new ManifoldError(`${what}: JSONata evaluation failed${err.code ? ` (${err.code})` : ''}: ${err.message ?? String(e)}`, { cause: e });
  }
}

export function asyncOnly(type: string): never {
  throw new ManifoldError(`${type} evaluates asynchronously and can only run inside a RecordSelector (selectAsync)`);
}
