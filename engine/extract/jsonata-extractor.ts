/** JsonataExtractor (Manifold's own): records are the result of `expression` over the decoded response. */
import type { Decoder, RecordContext, RecordExtractor } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, HttpResponse, Obj } from '../types.js';
import { jsonDecoder } from './decoders/json-decoder.js';
import { asyncOnly, bindingsFor, compileJsonata, evaluateJsonata, type CompiledJsonata } from './jsonata.js';

export class JsonataExtractor implements RecordExtractor {
  constructor(
    private readonly expr: CompiledJsonata,
    private readonly config: Obj,
    private readonly parameters: Obj,
  ) {}

  extract(): Iterable<DataRecord> {
    return asyncOnly('JsonataExtractor');
  }

  async extractAsync(response: HttpResponse, ctx: RecordContext): Promise<Iterable<DataRecord>> {
    const decoder: Decoder = ctx.decoder ?? jsonDecoder;
    const bindings = bindingsFor(this.config, this.parameters, ctx);
    const out: DataRecord[] = [];
    // The JSON decoder splits a root array into documents; JSONata should see the body as sent.
    const documents = decoder === jsonDecoder && response.body.length > 0 ? [response.json()] : decoder.decode(response);
    for (const doc of documents) {
      const result = await evaluateJsonata(this.expr, doc, bindings, 'JsonataExtractor');
      if (result === undefined || result === null) continue;
      if (Array.isArray(result)) {
        for (const r of result) if (r !== undefined && r !== null) out.push(r as DataRecord);
      } else {
        out.push(result as DataRecord);
      }
    }
    return out;
  }
}

export function buildJsonataExtractor(node: ManifestNode, ctx: BuildContext): JsonataExtractor {
  return new JsonataExtractor(compileJsonata(node.expression, ctx), ctx.config, ctx.parameters);
}

registerComponent('JsonataExtractor', buildJsonataExtractor, 'Records computed by a JSONata expression over the response.');
