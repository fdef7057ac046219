/**
 * The template budget: a string or list a template builds (`'x' * n`, `[1] * n`, `ljust(n)`, a
 * loop's output …) may not exceed maxTemplateSize characters or items. Checked before the value is
 * allocated where its size is known in advance, so `{{ ([1] * 5e7) | length }}` fails at once
 * instead of allocating gigabytes.
 */
import { templateSizeLimit } from '../limits/limits.js';
import { TemplateRuntimeError } from './python-values.js';

export class TemplateSizeError extends TemplateRuntimeError {
  constructor(
    readonly size: number,
    what: string,
  ) {
    super(`${what} would have ${formatSize(size)} ${what.startsWith('a list') ? 'items' : 'characters'}, more than the template budget allows`);
    this.name = 'TemplateSizeError';
  }
}

function formatSize(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n)) : 'unboundedly many';
}

/** Throws when a value of `size` characters/items would exceed the budget. */
export function ensureTemplateSize(size: number, what: string): void {
  if (!(size <= templateSizeLimit())) throw new TemplateSizeError(size, what);
}
