/** PageIncrement: page number += 1 per page; stops on a short or empty page. */
import type { PaginationStrategy } from '../contracts.js';
import { ManifoldError } from '../errors/manifold-error.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, HttpResponse, Obj } from '../types.js';
import { toPageSize } from './page-size.js';

export class PageIncrement implements PaginationStrategy {
  private readonly size: number | undefined;

  constructor(options: { pageSize?: unknown; startFromPage?: number; injectOnFirstRequest?: boolean }, config: Obj, parameters: Obj) {
    const raw = options.pageSize;
    const evaluated = typeof raw === 'string' && raw.includes('{{') ? InterpolatedString.create(raw, { parameters }).eval({ config, parameters }) : raw;
    this.size = toPageSize(evaluated, 'PageIncrement');
    this.startFromPage = options.startFromPage ?? 0;
    this.injectOnFirstRequest = options.injectOnFirstRequest ?? false;
  }

  private readonly startFromPage: number;
  private readonly injectOnFirstRequest: boolean;

  initialToken(): unknown {
    return this.injectOnFirstRequest ? this.startFromPage : undefined;
  }

  nextPageToken(_response: HttpResponse, lastPageSize: number, _lastRecord: DataRecord | undefined, lastToken: unknown): unknown {
    if (lastPageSize === 0 || (this.size !== undefined && lastPageSize < this.size)) return undefined;
    // Not injected on the first request: that request was start_from_page.
    if (lastToken === undefined || lastToken === null) return this.startFromPage + 1;
    if (typeof lastToken !== 'number') {
      throw new ManifoldError(`PageIncrement: the previous page ${JSON.stringify(lastToken)} is not a number`);
    }
    return lastToken + 1;
  }

  pageSize(): number | undefined {
    return this.size;
  }
}

export function buildPageIncrement(node: ManifestNode, ctx: BuildContext): PageIncrement {
  const start = node.start_from_page === undefined || node.start_from_page === null ? 0 : Number(node.start_from_page);
  if (!Number.isInteger(start)) throw ctx.error('start_from_page must be an integer', 'start_from_page');
  try {
    return new PageIncrement(
      { pageSize: node.page_size, startFromPage: start, injectOnFirstRequest: node.inject_on_first_request === true },
      ctx.config,
      ctx.parameters,
    );
  } catch (e) {
    throw ctx.error((e as Error).message, 'page_size');
  }
}

registerComponent('PageIncrement', buildPageIncrement, 'Page-number pagination.');
