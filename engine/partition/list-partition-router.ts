/**
 * ListPartitionRouter: one partition per value of a fixed list (or a config template that renders
 * to a list), as `stream_slice.partition[cursor_field]`, optionally injected into the request.
 */
import type { PartitionRouter } from '../contracts.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { NextPageToken, RequestOptions, StreamSlice } from '../types.js';
import { makeSlice } from '../types.js';

interface ValueInjector {
  inject(target: Partial<RequestOptions>, value: unknown): void;
}

export class ListPartitionRouter implements PartitionRouter {
  constructor(
    readonly cursorField: string,
    readonly values: readonly unknown[],
    private readonly requestOption: ValueInjector | undefined,
  ) {}

  async *partitions(): AsyncIterable<StreamSlice> {
    for (const value of this.values) yield makeSlice({ [this.cursorField]: value });
  }

  requestOptions(slice: StreamSlice, _token: NextPageToken): Partial<RequestOptions> {
    const out: Partial<RequestOptions> = {};
    this.requestOption?.inject(out, slice.partition[this.cursorField]);
    return out;
  }
}

/** A values template may render a list, a JSON/Python list literal, or a single value. */
function asList(rendered: unknown): unknown[] {
  if (Array.isArray(rendered)) return rendered;
  if (typeof rendered === 'string') {
    const text = rendered.trim();
    if (text.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(text.replace(/'/g, '"'));
        if (Array.isArray(parsed)) return parsed;
      } catch {
        // not a literal list: a single value
      }
    }
    return text === '' ? [] : [rendered];
  }
  return rendered === undefined || rendered === null ? [] : [rendered];
}

export function buildListPartitionRouter(node: ManifestNode, ctx: BuildContext): ListPartitionRouter {
  const evalCtx = { config: ctx.config, parameters: ctx.parameters };
  const cursorField = InterpolatedString.create(node.cursor_field, { parameters: ctx.parameters }).evalString(evalCtx);
  if (!cursorField) throw ctx.error('ListPartitionRouter needs a cursor_field', 'cursor_field');
  let values: unknown[];
  if (Array.isArray(node.values)) values = node.values;
  else if (typeof node.values === 'string') values = asList(InterpolatedString.create(node.values, { parameters: ctx.parameters }).eval(evalCtx));
  else throw ctx.error('values must be a list or a template that renders to a list', 'values');
  return new ListPartitionRouter(cursorField, values, ctx.buildOptional<ValueInjector>(node.request_option, 'request_option', 'RequestOption'));
}

registerComponent('ListPartitionRouter', buildListPartitionRouter, 'One partition per value of a list.');
