/**
 * HttpComponentsResolver: lists components through its own retriever (every partition of its
 * partition router, every record) and fills one copy of the stream template per record, with the
 * record as `components_values` and the partition as `stream_slice`.
 */
import type { ComponentsResolver, PartitionRouter, Retriever } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { EMPTY_SLICE, sliceView, type Obj, type StreamSlice } from '../types.js';
import { buildMappings, type ComponentMapping } from './component-mapping.js';

interface RetrieverWithRouter extends Retriever {
  readonly partitionRouter?: PartitionRouter | undefined;
}

export class HttpComponentsResolver implements ComponentsResolver {
  constructor(
    private readonly retriever: RetrieverWithRouter,
    private readonly mappings: ComponentMapping[],
    private readonly config: Obj,
    private readonly parameters: Obj,
    private readonly name: string,
  ) {}

  async *resolve(template: Obj, signal?: AbortSignal): AsyncIterable<Obj> {
    const router = this.retriever.partitionRouter;
    const partitions: AsyncIterable<StreamSlice> = router ? router.partitions({ signal }) : once(EMPTY_SLICE);
    for await (const slice of partitions) {
      const records = this.retriever.readSlice({ stream: this.name, slice, extra: router ? [router] : [], signal });
      for await (const record of records) {
        const stream = structuredClone(template);
        const ctx = {
          config: this.config,
          parameters: this.parameters,
          components_values: record,
          stream_slice: sliceView(slice),
          stream_template_config: template,
        };
        for (const mapping of this.mappings) mapping.apply(stream, ctx);
        yield stream;
      }
    }
  }
}

async function* once<T>(value: T): AsyncIterable<T> {
  yield value;
}

export function buildHttpComponentsResolver(node: ManifestNode, ctx: BuildContext): HttpComponentsResolver {
  if (!node.retriever || typeof node.retriever !== 'object') throw ctx.error('HttpComponentsResolver needs a retriever', 'retriever');
  const retriever = ctx.build<RetrieverWithRouter>(node.retriever, 'retriever', 'SimpleRetriever');
  return new HttpComponentsResolver(retriever, buildMappings(node, ctx), ctx.config, ctx.parameters, `${ctx.path}.retriever`);
}

registerComponent('HttpComponentsResolver', buildHttpComponentsResolver, 'Makes one stream per item an API lists (dynamic streams).');
