/**
 * ParentStreamConfig: which parent stream to read, which field of its records identifies a child
 * partition (`parent_key`, a path) and under which name the child sees it (`partition_field`).
 */
import type { Stream } from '../contracts.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj, RequestOptions } from '../types.js';
import type { Logger } from '../services.js';
import { missingKeyHint } from '../interpolation/empty-value-hint.js';

export interface ValueInjector {
  inject(target: Partial<RequestOptions>, value: unknown): void;
}

export interface ParentStreamConfig {
  stream: Stream;
  /** Path into the parent record: `id` or `a/b` (dpath; `a.b` is one key). */
  parentKey: string;
  partitionField: string;
  requestOption: ValueInjector | undefined;
  incrementalDependency: boolean;
  /** Parent record paths copied to the child slice's extra_fields (key: the path joined with '.'). */
  extraFields: string[][];
  /** Told of a parent record without `parentKey` (it gives no partition): one WARN with the keys it has. */
  reportMissingKey?: ((record: unknown) => void) | undefined;
}

/** A WARN, once, for parent records that lack the parent_key: usually a misspelled key, and every partition is lost. */
function missingKeyReporter(parentKey: string, where: string, logger: Logger): (record: unknown) => void {
  let reported = false;
  return (record) => {
    if (reported) return;
    const keys = parentKey.replace(/^\/+/, '').split('/');
    let node: unknown = record;
    let at = 'the parent record';
    for (const key of keys) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
      if (!Object.hasOwn(node, key)) {
        reported = true;
        logger.warn(
          `${where}: parent_key ${JSON.stringify(parentKey)} is not in the parent's records, which then give no partition: ${missingKeyHint(at, node as Obj, key)}`,
        );
        return;
      }
      node = (node as Obj)[key];
      at = `${at}.${key}`;
    }
  };
}

/**
 * The value at `parent_key`, read as the CDK reads it (`dpath.get`): `/` separates nested keys
 * (leading slashes ignored), and a `.` is part of a key, never a separator, so `a.b` is the
 * top-level key "a.b". A record without the path gives no partition.
 */
export function valueAtPath(record: unknown, path: string): unknown {
  return valueAtKeys(record, path.replace(/^\/+/, '').split('/'));
}

export function valueAtKeys(record: unknown, keys: readonly string[]): unknown {
  let node: unknown = record;
  for (const key of keys) {
    // Own keys only (`constructor` must not read the prototype); lists by index only, not `length`.
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    if (Array.isArray(node) && !/^\d+$/.test(key)) return undefined;
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
  const extraFields = Array.isArray(node.extra_fields) ? node.extra_fields.map((p) => (Array.isArray(p) ? p.map(String) : String(p).split('.'))) : [];
  if (node.lazy_read_pointer) ctx.services.logger.debug(`${ctx.path}: lazy_read_pointer is ignored; the child stream requests every parent's records`);
  return {
    stream: ctx.build<Stream>(node.stream, 'stream', 'DeclarativeStream'),
    parentKey,
    partitionField,
    reportMissingKey: missingKeyReporter(parentKey, ctx.path, ctx.services.logger),
    requestOption: ctx.buildOptional<ValueInjector>(node.request_option, 'request_option', 'RequestOption'),
    incrementalDependency: node.incremental_dependency === true,
    extraFields,
  };
}

registerComponent('ParentStreamConfig', buildParentStreamConfig, 'A parent stream whose records define the partitions of a child stream.');
