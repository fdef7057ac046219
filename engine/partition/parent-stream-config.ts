/**
 * ParentStreamConfig: which parent stream to read, which field of its records identifies a child
 * partition (`parent_key`, a path) and under which name the child sees it (`partition_field`).
 */
import type { Stream } from '../contracts.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { RequestOptions } from '../types.js';

export interface ValueInjector {
  inject(target: Partial<RequestOptions>, value: unknown): void;
}

export interface ParentStreamConfig {
  stream: Stream;
  /** Path into the parent record: `id`, `a/b` (dpath) or `a.b`. */
  parentKey: string;
  partitionField: string;
  requestOption: ValueInjector | undefined;
  incrementalDependency: boolean;
  /** Parent record paths copied to the child slice's extra_fields (key: the path joined with '.'). */
  extraFields: string[][];
}

/** A value at a path of a record; a key containing the separator wins over nesting. */
export function valueAtPath(record: unknown, path: string): unknown {
  if (record === null || typeof record !== 'object') return undefined;
  const direct = (record as Record<string, unknown>)[path];
  if (direct !== undefined) return direct;
  const separator = path.includes('/') ? '/' : path.includes('.') ? '.' : undefined;
  return separator ? valueAtKeys(record, path.split(separator)) : undefined;
}

export function valueAtKeys(record: unknown, keys: readonly string[]): unknown {
  let node: unknown = record;
  for (const key of keys) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function buildParentStreamConfig(node: ManifestNode, ctx: BuildContext): ParentStreamConfig {
  const render = (field: string): string =>
    InterpolatedString.create(node[field], { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters });
  if (!node.stream) throw ctx.error('ParentStreamConfig needs a stream', 'stream');
  const parentKey = render('parent_key');
  if (!parentKey) throw ctx.error('ParentStreamConfig needs a parent_key', 'parent_key');
  const partitionField = render('partition_field');
  if (!partitionField) throw ctx.error('ParentStreamConfig needs a partition_field', 'partition_field');
  const extraFields = Array.isArray(node.extra_fields)
    ? node.extra_fields.map((p) => (Array.isArray(p) ? p.map(String) : String(p).split('.')))
    : [];
  if (node.lazy_read_pointer) ctx.services.logger.debug(`${ctx.path}: lazy_read_pointer is ignored; the child stream requests every parent's records`);
  return {
    stream: ctx.build<Stream>(node.stream, 'stream', 'DeclarativeStream'),
    parentKey,
    partitionField,
    requestOption: ctx.buildOptional<ValueInjector>(node.request_option, 'request_option', 'RequestOption'),
    incrementalDependency: node.incremental_dependency === true,
    extraFields,
  };
}

registerComponent('ParentStreamConfig', buildParentStreamConfig, 'A parent stream whose records define the partitions of a child stream.');
