/**
 * The one place Ajv instances are made. ajv is loaded on first use rather than imported: loading it is ~10% of a cold start, and commands
 * that compile no schema at run time (`spec`, `validate` with the build's precompiled manifest
 * validators) then never pay for it. ajv is CommonJS, so a synchronous require works.
 */
import { createRequire } from 'node:module';

type AjvModule = typeof import('ajv');

let ajvModule: AjvModule | undefined;

export function loadAjv(): AjvModule {
  return (ajvModule ??= createRequire(import.meta.url)('ajv') as AjvModule);
}

/**
 * An Ajv for the schemas connectors and manifests carry: lenient about unknown keywords and
 * formats (Airbyte's specs use both freely), every error reported so a user fixes all at once.
 */
export function createAjv(options: import('ajv').Options = {}): import('ajv').Ajv {
  const { Ajv } = loadAjv();
  return new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false, ...options });
}
