/**
 * DefaultPaginator: a pagination strategy plus where its token (page_token_option) and the page
 * size (page_size_option) go in the request. Tokens travel as Airbyte's `{next_page_token: value}`.
 */
import type { PaginationStrategy, Paginator } from '../contracts.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, HttpResponse, NextPageToken, RequestOptions, StreamSlice } from '../types.js';
import type { TokenOption } from './token-option.js';

export class DefaultPaginator implements Paginator {
  constructor(
    private readonly strategy: PaginationStrategy,
    private readonly pageTokenOption: TokenOption | undefined,
    private readonly pageSizeOption: TokenOption | undefined,
  ) {}

  async initialToken(): Promise<NextPageToken> {
    const value = this.strategy.initialToken();
    return value === undefined || value === null ? undefined : { next_page_token: value };
  }

  nextToken(response: HttpResponse, lastPageSize: number, lastRecord: DataRecord | undefined, lastToken: NextPageToken): NextPageToken {
    const value = this.strategy.nextPageToken(response, lastPageSize, lastRecord, lastToken?.next_page_token);
    return value === undefined || value === null ? undefined : { next_page_token: value };
  }

  pathOverride(token: NextPageToken): string | undefined {
    const value = token?.next_page_token;
    if (!this.pageTokenOption?.isPath || value === undefined || value === null || value === '') return undefined;
    return String(value);
  }

  requestOptions(_slice: StreamSlice, token: NextPageToken): Partial<RequestOptions> {
    const out: Partial<RequestOptions> = {};
    const value = token?.next_page_token;
    if (value !== undefined && value !== null && this.pageTokenOption && !this.pageTokenOption.isPath) {
      this.pageTokenOption.inject(out, value);
    }
    const size = this.strategy.pageSize();
    if (size && this.pageSizeOption) this.pageSizeOption.inject(out, size);
    return out;
  }
}

export function buildDefaultPaginator(node: ManifestNode, ctx: BuildContext): DefaultPaginator {
  if (!node.pagination_strategy) throw ctx.error('DefaultPaginator needs a pagination_strategy', 'pagination_strategy');
  const strategy = ctx.build<PaginationStrategy>(node.pagination_strategy, 'pagination_strategy');
  const tokenOption = ctx.buildOptional<TokenOption>(node.page_token_option, 'page_token_option', 'RequestOption');
  const sizeOption = ctx.buildOptional<TokenOption>(node.page_size_option, 'page_size_option', 'RequestOption');
  return new DefaultPaginator(strategy, tokenOption, sizeOption);
}

registerComponent('DefaultPaginator', buildDefaultPaginator, 'Pagination strategy plus where the token and page size go.');
