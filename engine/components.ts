/**
 * Loads component modules so each registers its `type` with the registry. Which module registers
 * which type comes from the generated table (engine/component-table.ts, written at build time from
 * the `registerComponent('Type', …)` calls), so a new component is still one new file, and a run
 * loads only the modules its manifest uses (JSONata, XML and CSV support stay unloaded unless named).
 */
import { COMPONENT_MODULES, TYPES_NAMED_IN_CODE } from './component-table.js';

const loading = new Map<string, Promise<unknown>>();

/**
 * Imports the modules registering `types` (all components when none are given); types without a
 * module (registered from code, or unknown) are skipped. Resolves once they are registered.
 */
export async function loadComponents(types?: Iterable<string>): Promise<void> {
  const wanted = types === undefined ? Object.keys(COMPONENT_MODULES) : [...new Set([...types, ...TYPES_NAMED_IN_CODE])];
  const imports = wanted.filter((type) => Object.hasOwn(COMPONENT_MODULES, type));
  // The compiled engine imports concurrently; from the TypeScript sources (jest) one at a time, as
  // jest's ESM loader fails ("not in cache") when modules sharing dependencies link concurrently.
  if (import.meta.url.endsWith('.js')) await Promise.all(imports.map(load));
  else for (const type of imports) await load(type);
}

function load(type: string): Promise<unknown> {
  let pending = loading.get(type);
  if (!pending) {
    pending = COMPONENT_MODULES[type]!();
    loading.set(type, pending);
  }
  return pending;
}

/** The components a manifest names: every string `type` in the tree, plus the default child types. */
export function loadComponentsFor(root: unknown): Promise<void> {
  const types = new Set<string>();
  const seen = new Set<object>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const type = (node as { type?: unknown }).type;
    if (typeof type === 'string') types.add(type);
    for (const value of Object.values(node)) visit(value);
  };
  visit(root);
  return loadComponents(types);
}
