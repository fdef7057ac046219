/**
 * DpathExtractor: records are what `field_path` points at in each decoded document. A list gives
 * one record per item, a single mapping gives one record, nothing there gives none; `*` matches
 * any key or index. An optional record_expander turns each record's nested list into records.
 */
import type { Decoder, RecordContext, RecordExtractor } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, HttpResponse, Obj } from '../types.js';
import { truthy } from '../interpolation/python-values.js';
import { jsonDecoder } from './decoders/json-decoder.js';
import { getPath, globValues, hasWildcard, resolvePath, type PathKey } from './dpath.js';

export interface RecordExpanderOptions {
  path: PathKey[];
  remainOriginalRecord: boolean;
  onNoRecords: 'skip' | 'emit_parent';
}

export class DpathExtractor implements RecordExtractor {
  private readonly wildcard: boolean;

  constructor(
    private readonly fieldPath: PathKey[],
    private readonly expander?: RecordExpanderOptions | undefined,
    private readonly decoder?: Decoder | undefined,
  ) {
    this.wildcard = hasWildcard(fieldPath);
  }

  *extract(response: HttpResponse, ctx?: RecordContext): Iterable<DataRecord> {
    const decoder = this.decoder ?? ctx?.decoder ?? jsonDecoder;
    for (const body of decoder.decode(response)) {
      const extracted = this.fieldPath.length === 0 ? body : this.wildcard ? globValues(body, this.fieldPath) : getPath(body, this.fieldPath);
      if (Array.isArray(extracted)) {
        // No generator per record unless records are expanded.
        if (!this.expander) yield* extracted as DataRecord[];
        else for (const item of extracted) yield* this.expand(item);
      } else if (truthy(extracted)) {
        yield* this.expand(extracted);
      }
    }
  }

  private *expand(record: unknown): Iterable<DataRecord> {
    const ex = this.expander;
    if (!ex || record === null || typeof record !== 'object' || Array.isArray(record)) {
      yield record as DataRecord;
      return;
    }
    let items: unknown[];
    if (hasWildcard(ex.path)) {
      items = globValues(record, ex.path).flatMap((v) => (Array.isArray(v) ? v : []));
    } else {
      const v = getPath(record, ex.path);
      items = Array.isArray(v) ? v : [];
    }
    if (items.length === 0) {
      if (ex.onNoRecords === 'emit_parent') yield record as DataRecord;
      return;
    }
    for (const item of items) {
      if (!ex.remainOriginalRecord) yield item as DataRecord;
      else if (item !== null && typeof item === 'object' && !Array.isArray(item)) yield { ...(item as Obj), original_record: record };
      else yield { value: item, original_record: record };
    }
  }
}

export function buildDpathExtractor(node: ManifestNode, ctx: BuildContext): DpathExtractor {
  let expander: RecordExpanderOptions | undefined;
  const ex = node.record_expander as Obj | undefined;
  if (ex) {
    const onNoRecords = String(ex.on_no_records ?? 'skip');
    if (onNoRecords !== 'skip' && onNoRecords !== 'emit_parent') throw ctx.error('on_no_records must be skip or emit_parent', 'record_expander');
    expander = {
      path: resolvePath(ex.expand_records_from_field, ctx, 'record_expander'),
      remainOriginalRecord: ex.remain_original_record === true,
      onNoRecords,
    };
  }
  const decoder = ctx.buildOptional<Decoder>(node.decoder, 'decoder');
  return new DpathExtractor(resolvePath(node.field_path, ctx, 'field_path'), expander, decoder);
}

registerComponent('DpathExtractor', buildDpathExtractor, 'Records found at a path (with * wildcards) of the response.');
