/**
 * RecordSelector: extract → filter → transform → normalize, per response. The stream's
 * `transformations` run here (as in Airbyte): the stream hands them over in the selector node's
 * `transformations` field or through addTransformations().
 */
import type { RecordExtractor, RecordFilter, RecordSelector, RecordTransformation, SelectContext } from '../contracts.js';
import { ManifoldError } from '../errors/manifold-error.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { normalizerFor } from '../transform/schema-normalization.js';
import type { DataRecord, HttpResponse } from '../types.js';

export class DefaultRecordSelector implements RecordSelector {
  private readonly transformations: RecordTransformation[] = [];
  private isAsync: boolean;

  constructor(
    private readonly extractor: RecordExtractor,
    private readonly filter: RecordFilter | undefined,
    transformations: RecordTransformation[],
    private readonly normalize: boolean,
    private readonly transformBeforeFiltering = false,
  ) {
    this.isAsync = false;
    this.addTransformations(transformations);
  }

  addTransformations(list: RecordTransformation[]): void {
    this.transformations.push(...list);
    this.isAsync =
      this.extractor.extractAsync !== undefined || this.filter?.matchesAsync !== undefined || this.transformations.some((t) => t.transformAsync !== undefined);
  }

  *select(response: HttpResponse, ctx: SelectContext): Iterable<DataRecord> {
    if (this.isAsync) throw new ManifoldError('This record selector holds JSONata components: call selectAsync()');
    const stats = ctx.stats;
    const normalize = this.normalize && ctx.schema ? normalizerFor(ctx.schema) : undefined;
    const { filter, transformations, transformBeforeFiltering } = this;
    for (const record of this.extractor.extract(response, ctx)) {
      if (stats) stats.extracted++;
      if (transformBeforeFiltering) {
        for (const t of transformations) t.transform(record, ctx);
        if (filter && !filter.matches(record, ctx)) continue;
      } else {
        if (filter && !filter.matches(record, ctx)) continue;
        for (const t of transformations) t.transform(record, ctx);
      }
      yield normalize ? (normalize(record) as DataRecord) : record;
    }
  }

  async selectAsync(response: HttpResponse, ctx: SelectContext): Promise<Iterable<DataRecord>> {
    if (!this.isAsync) return this.select(response, ctx);
    const stats = ctx.stats;
    const normalize = this.normalize && ctx.schema ? normalizerFor(ctx.schema) : undefined;
    const extracted = this.extractor.extractAsync ? await this.extractor.extractAsync(response, ctx) : this.extractor.extract(response, ctx);
    const out: DataRecord[] = [];
    for (const record of extracted) {
      if (stats) stats.extracted++;
      if (this.transformBeforeFiltering) {
        await this.transform(record, ctx);
        if (!(await this.matches(record, ctx))) continue;
      } else {
        if (!(await this.matches(record, ctx))) continue;
        await this.transform(record, ctx);
      }
      out.push(normalize ? (normalize(record) as DataRecord) : record);
    }
    return out;
  }

  private async matches(record: DataRecord, ctx: SelectContext): Promise<boolean> {
    const f = this.filter;
    if (!f) return true;
    return f.matchesAsync ? f.matchesAsync(record, ctx) : f.matches(record, ctx);
  }

  private async transform(record: DataRecord, ctx: SelectContext): Promise<void> {
    for (const t of this.transformations) {
      if (t.transformAsync) await t.transformAsync(record, ctx);
      else t.transform(record, ctx);
    }
  }
}

export function buildRecordSelector(node: ManifestNode, ctx: BuildContext): DefaultRecordSelector {
  if (!node.extractor) throw ctx.error('RecordSelector needs an extractor', 'extractor');
  const extractor = ctx.build<RecordExtractor>(node.extractor, 'extractor', 'DpathExtractor');
  const filter = ctx.buildOptional<RecordFilter>(node.record_filter, 'record_filter', 'RecordFilter');
  const list = Array.isArray(node.transformations) ? node.transformations : [];
  const transformations = list.map((t, i) => ctx.build<RecordTransformation>(t, `transformations[${i}]` as string));
  const mode = node.schema_normalization ?? 'None';
  if (mode !== 'None' && mode !== 'Default') {
    throw ctx.error('schema_normalization must be None or Default (custom normalizations are not supported)', 'schema_normalization');
  }
  return new DefaultRecordSelector(extractor, filter, transformations, mode === 'Default', node.transform_before_filtering === true);
}

registerComponent('RecordSelector', buildRecordSelector, 'Extracts, filters, transforms and normalizes the records of a response.');
