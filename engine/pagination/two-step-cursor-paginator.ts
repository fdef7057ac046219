/**
 * TwoStepCursorPaginator (Manifold's own; Airbyte has none): step 1 sends `start_request` (e.g. a
 * POST that opens an export) and reads a cursor from its response; the stream's own requester then
 * pages with that cursor (`cursor_option`), each response giving the next cursor until none is left.
 * See docs/components-two-step-cursor.md.
 */
import { NO_PAGES, type Paginator, type Requester } from '../contracts.js';
import { InterpolatedBoolean, InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, HttpResponse, NextPageToken, Obj, RequestOptions, StreamSlice } from '../types.js';
import { sliceView } from '../types.js';
import { decodedBody, templateHeaders } from './page-size.js';
import type { TokenOption } from './token-option.js';

export class TwoStepCursorPaginator implements Paginator {
  constructor(
    private readonly startRequest: Requester,
    private readonly cursorValue: InterpolatedString,
    private readonly nextCursorValue: InterpolatedString,
    private readonly cursorOption: TokenOption,
    private readonly stopCondition: InterpolatedBoolean | undefined,
    private readonly config: Obj,
    private readonly parameters: Obj,
  ) {}

  async initialToken(args: { stream: string; slice: StreamSlice; signal?: AbortSignal | undefined }): Promise<NextPageToken> {
    const response = await this.startRequest.send({
      stream: args.stream,
      slice: args.slice,
      nextPageToken: undefined,
      extra: [],
      signal: args.signal,
    });
    if (!response) return NO_PAGES;
    const cursor = this.read(this.cursorValue, response, undefined, 0, args.slice);
    return cursor === undefined ? NO_PAGES : { next_page_token: cursor };
  }

  nextToken(response: HttpResponse, lastPageSize: number, lastRecord: DataRecord | undefined): NextPageToken {
    const cursor = this.read(this.nextCursorValue, response, lastRecord, lastPageSize, undefined);
    return cursor === undefined ? undefined : { next_page_token: cursor };
  }

  pathOverride(token: NextPageToken): string | undefined {
    const value = token?.next_page_token;
    return this.cursorOption.isPath && value !== undefined && value !== null ? String(value) : undefined;
  }

  requestOptions(_slice: StreamSlice, token: NextPageToken): Partial<RequestOptions> {
    const out: Partial<RequestOptions> = {};
    const value = token?.next_page_token;
    if (value !== undefined && value !== null && !this.cursorOption.isPath) this.cursorOption.inject(out, value);
    return out;
  }

  private read(
    template: InterpolatedString,
    response: HttpResponse,
    lastRecord: DataRecord | undefined,
    lastPageSize: number,
    slice: StreamSlice | undefined,
  ): unknown {
    const ctx = {
      config: this.config,
      parameters: this.parameters,
      stream_slice: sliceView(slice),
      response: decodedBody(response),
      headers: templateHeaders(response),
      last_record: lastRecord,
      last_page_size: lastPageSize,
    };
    if (this.stopCondition?.eval(ctx)) return undefined;
    const cursor = template.eval(ctx);
    return cursor === undefined || cursor === null || cursor === '' ? undefined : cursor;
  }
}

export function buildTwoStepCursorPaginator(node: ManifestNode, ctx: BuildContext): TwoStepCursorPaginator {
  if (!node.start_request) throw ctx.error('TwoStepCursorPaginator needs start_request (the step-1 requester)', 'start_request');
  if (node.cursor_value === undefined) throw ctx.error('TwoStepCursorPaginator needs cursor_value', 'cursor_value');
  if (!node.cursor_option) throw ctx.error('TwoStepCursorPaginator needs cursor_option (where step-2 requests carry the cursor)', 'cursor_option');
  const parameters = ctx.parameters;
  const cursorValue = InterpolatedString.create(node.cursor_value, { parameters });
  const nextCursorValue =
    node.next_cursor_value === undefined || node.next_cursor_value === null ? cursorValue : InterpolatedString.create(node.next_cursor_value, { parameters });
  const stop =
    node.stop_condition === undefined || node.stop_condition === null || node.stop_condition === ''
      ? undefined
      : new InterpolatedBoolean(node.stop_condition, parameters);
  return new TwoStepCursorPaginator(
    ctx.build<Requester>(node.start_request, 'start_request', 'HttpRequester'),
    cursorValue,
    nextCursorValue,
    ctx.build<TokenOption>(node.cursor_option, 'cursor_option', 'RequestOption'),
    stop,
    ctx.config,
    parameters,
  );
}

registerComponent('TwoStepCursorPaginator', buildTwoStepCursorPaginator, 'Step 1 request returns a cursor; the stream pages with it until no cursor is left.');
