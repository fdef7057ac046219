/**
 * CursorPagination: the next token is read from the response (body, headers, Link header) or the
 * last record; an optional stop_condition ends pagination first.
 */
import type { PaginationStrategy } from '../contracts.js';
import { InterpolatedBoolean, InterpolatedString } from '../interpolation/index.js';
import { emptyValueHint } from '../interpolation/empty-value-hint.js';
import type { Logger } from '../services.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, HttpResponse, Obj } from '../types.js';
import { decodedBody, templateHeaders, toPageSize } from './page-size.js';

export class CursorPagination implements PaginationStrategy {
  private readonly cursorValue: InterpolatedString;
  private readonly stopCondition: InterpolatedBoolean | undefined;
  private readonly size: number | undefined;

  /** Tokens given so far: a cursor_value that is empty on the very first page is probably a wrong path. */
  private tokens = 0;
  private hinted = false;
  private readonly cursorSource: unknown;

  constructor(
    options: { cursorValue: unknown; stopCondition?: unknown; pageSize?: unknown },
    private readonly config: Obj,
    private readonly parameters: Obj,
    private readonly logger?: Logger,
    /** The component's path in the manifest, for the WARN. */
    private readonly where = 'CursorPagination',
  ) {
    this.cursorSource = options.cursorValue;
    this.cursorValue = InterpolatedString.create(options.cursorValue, { parameters });
    this.stopCondition =
      options.stopCondition === undefined || options.stopCondition === null || options.stopCondition === ''
        ? undefined
        : new InterpolatedBoolean(options.stopCondition, parameters);
    const raw = options.pageSize;
    // A templated page size can only read config here: Airbyte evaluates it once, up front.
    const evaluated = typeof raw === 'string' && raw.includes('{{') ? InterpolatedString.create(raw, { parameters }).eval({ config, parameters }) : raw;
    this.size = toPageSize(evaluated, 'CursorPagination');
  }

  initialToken(): unknown {
    return undefined;
  }

  nextPageToken(response: HttpResponse, lastPageSize: number, lastRecord: DataRecord | undefined): unknown {
    const ctx = {
      config: this.config,
      parameters: this.parameters,
      response: decodedBody(response),
      headers: templateHeaders(response),
      last_record: lastRecord,
      last_page_size: lastPageSize,
    };
    if (this.stopCondition?.eval(ctx)) return undefined;
    const token = this.cursorValue.eval(ctx);
    // Python truthiness: an empty string, 0 or empty collection means "no next page".
    if (token === undefined || token === null || token === '' || token === 0 || token === false) return this.noToken(ctx);
    if (typeof token === 'object' && (Array.isArray(token) ? token.length === 0 : Object.keys(token).length === 0)) return this.noToken(ctx);
    this.tokens++;
    return token;
  }

  /**
   * The end of pagination — or a cursor_value naming a field the response does not have, which
   * ends it just the same after one page. That case gets one WARN, when it happens on the first
   * page or the missing key has a near namesake (a key absent from the last page is how some APIs
   * say there is no more).
   */
  private noToken(ctx: Obj): undefined {
    if (this.logger && !this.hinted) {
      const hint = emptyValueHint(this.cursorSource, ctx);
      if (hint && (this.tokens === 0 || hint.includes('did you mean'))) {
        this.hinted = true;
        this.logger.warn(`${this.where}: cursor_value ${JSON.stringify(this.cursorSource)} gave no next page token, so pagination stopped: ${hint}`);
      }
    }
    return undefined;
  }

  pageSize(): number | undefined {
    return this.size;
  }
}

export function buildCursorPagination(node: ManifestNode, ctx: BuildContext): CursorPagination {
  if (node.cursor_value === undefined || node.cursor_value === null) throw ctx.error('CursorPagination needs cursor_value', 'cursor_value');
  try {
    return new CursorPagination(
      { cursorValue: node.cursor_value, stopCondition: node.stop_condition, pageSize: node.page_size },
      ctx.config,
      ctx.parameters,
      ctx.services.logger,
      ctx.path,
    );
  } catch (e) {
    throw ctx.error((e as Error).message, 'page_size');
  }
}

registerComponent('CursorPagination', buildCursorPagination, 'Next page token read from the response, headers or last record.');
