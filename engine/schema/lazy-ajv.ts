/**
 * ajv, loaded on first use rather than imported: loading it is ~10% of a cold start, and commands
 * that compile no schema at run time (`spec`, `validate` with the build's precompiled manifest
 * validators) then never pay for it. ajv is CommonJS, so a synchronous require works.
 */
import { createRequire } from 'node:module';

type AjvModule = typeof import('ajv');

let ajvModule: AjvModule | undefined;

export function loadAjv(): AjvModule {
  return (ajvModule ??= createRequire(import.meta.url)('ajv') as AjvModule);
}
