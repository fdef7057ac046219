/**
 * Component registry: manifest `type` name → builder. Each component module registers itself
 * (`registerComponent(...)` at module top level); `engine/components.ts` imports the modules a
 * manifest names, found in the table generated from those calls, so adding a component means
 * adding one file.
 *
 * Builders receive the node as the loader left it: `$ref`s resolved, `$parameters` propagated
 * (each node carries its merged `$parameters`), missing `type`s filled with Airbyte's defaults.
 */
import { closest, distance } from 'fastest-levenshtein';
import type { ConfigError, SourceLocation } from './errors/manifold-error.js';
import type { Obj } from './types.js';
import type { EngineServices } from './services.js';
import { COMPONENT_MODULES } from './component-table.js';

export type ManifestNode = Obj & { type?: string; $parameters?: Obj };

export interface BuildContext {
  /** Validated user config. */
  readonly config: Obj;
  /** Component path of the node being built, e.g. `streams[2].retriever.paginator`. */
  readonly path: string;
  /** Services shared by every component of one Source (HTTP client, logger, budget, caches). */
  readonly services: EngineServices;
  /** `$parameters` in effect for this node (already merged from its parents). */
  readonly parameters: Obj;
  /** Build a child found at `field` of this node; `defaultType` applies when the child has no `type`. */
  build<T = unknown>(node: unknown, field: string | number, defaultType?: string): T;
  /** Like build, but returns undefined for null/undefined nodes. */
  buildOptional<T = unknown>(node: unknown, field: string | number, defaultType?: string): T | undefined;
  /** Manifest location of this node (file/line/column/path) for error messages. */
  location(field?: string | number): SourceLocation;
  /** A config_error located at this node (or one of its fields). */
  error(message: string, field?: string | number): ConfigError;
}

export type Builder<T = unknown> = (node: ManifestNode, ctx: BuildContext) => T;

export interface ComponentInfo {
  type: string;
  build: Builder;
  /** One-line description, used by docs and `manifold schema`. */
  description?: string;
}

const registry = new Map<string, ComponentInfo>();

export function registerComponent<T>(type: string, build: Builder<T>, description?: string): void {
  registry.set(type, description === undefined ? { type, build } : { type, build, description });
}

export function getComponent(type: string): ComponentInfo | undefined {
  return registry.get(type);
}

/** Every type a manifest can use: the engine's components (loaded or not) and those registered from code. */
export function registeredTypes(): string[] {
  return [...new Set([...Object.keys(COMPONENT_MODULES), ...registry.keys()])].sort();
}

/** Whether the engine has a module for `type` (which may not be loaded yet). */
export function hasComponentModule(type: string): boolean {
  return Object.hasOwn(COMPONENT_MODULES, type);
}

/** Up to three known type names closest to an unknown one (for "did you mean" messages). */
export function suggestTypes(unknown: string, known: Iterable<string> = registry.keys()): string[] {
  const names = [...known];
  if (names.length === 0) return [];
  const lower = unknown.toLowerCase();
  const scored = names.map((n) => ({ n, d: distance(lower, n.toLowerCase()) - (n.toLowerCase().includes(lower) ? 3 : 0) })).sort((a, b) => a.d - b.d);
  const best = closest(unknown, names);
  const out = [best, ...scored.filter((s) => s.d <= Math.max(3, unknown.length / 2)).map((s) => s.n)];
  return [...new Set(out)].slice(0, 3);
}
