/** OffsetIncrement: offset += records on the page; stops on a short or empty page. */
import type { PaginationStrategy } from '../contracts.js';
import { ManifoldError } from '../errors/manifold-error.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, HttpResponse, Obj } from '../types.js';
import { decodedBody, PageSize } from './page-size.js';

export class OffsetIncrement implements PaginationStrategy {
  private readonly size: PageSize;

  constructor(
    pageSize: unknown,
    private readonly injectOnFirstRequest: boolean,
    private readonly config: Obj,
    private readonly parameters: Obj,
  ) {
    this.size = new PageSize(pageSize, parameters, 'OffsetIncrement');
  }

  initialToken(): unknown {
    return this.injectOnFirstRequest ? 0 : undefined;
  }

  nextPageToken(response: HttpResponse, lastPageSize: number, _lastRecord: DataRecord | undefined, lastToken: unknown): unknown {
    if (lastPageSize === 0) return undefined;
    const ctx = this.size.isTemplate ? { config: this.config, parameters: this.parameters, response: decodedBody(response) } : { config: this.config };
    const size = this.size.eval(ctx);
    if (size !== undefined && lastPageSize < size) return undefined;
    // A first request sent without an offset was offset 0.
    if (lastToken === undefined || lastToken === null) return lastPageSize;
    if (typeof lastToken !== 'number') {
      throw new ManifoldError(`OffsetIncrement: the previous offset ${JSON.stringify(lastToken)} is not a number`);
    }
    return lastToken + lastPageSize;
  }

  pageSize(): number | undefined {
    return this.size.eval({ config: this.config, parameters: this.parameters });
  }
}

export function buildOffsetIncrement(node: ManifestNode, ctx: BuildContext): OffsetIncrement {
  try {
    return new OffsetIncrement(node.page_size, node.inject_on_first_request === true, ctx.config, ctx.parameters);
  } catch (e) {
    throw ctx.error((e as Error).message, 'page_size');
  }
}

registerComponent('OffsetIncrement', buildOffsetIncrement, 'Offset pagination: offset grows by the number of records read.');
