/** Airbyte's pagination strategy cases (test/airbyte-cases/pagination.json), data-driven. */
import { describe, expect } from '@jest/globals';
import { CursorPagination } from '../../engine/pagination/cursor-pagination.js';
import { OffsetIncrement } from '../../engine/pagination/offset-increment.js';
import { PageIncrement } from '../../engine/pagination/page-increment.js';
import { DpathExtractor } from '../../engine/extract/dpath-extractor.js';
import { ManifoldError } from '../../engine/errors/manifold-error.js';
import type { Obj } from '../../engine/types.js';
import { fakeResponse } from '../extract/support.js';
import { eachCase as each, isErrorCase, loadCases } from '../extract/cases.js';

type In = Obj & { op: string };
const nullish = (v: unknown) => (v === null ? undefined : v);

function response(input: In) {
  return fakeResponse({ body: input.response_body, headers: (input.response_headers ?? {}) as Obj });
}

/** Our retriever judges page fullness on extracted records, which is what these cases give the extractor for. */
function pageSize(input: In): number {
  if (!Array.isArray(input.extractor_field_path)) return input.last_page_size as number;
  return [...new DpathExtractor(input.extractor_field_path as string[]).extract(response(input))].length;
}

function expectError(fn: () => unknown, expected: { contains?: string }) {
  expect(fn).toThrow(ManifoldError);
  if (expected.contains?.includes('invalid value')) expect(fn).toThrow(/invalid value/);
}

describe('CursorPagination (Airbyte cases)', () => {
  each(loadCases('pagination.json', 'cursor_pagination_next_page_token'))('%s', (_id, c) => {
    const i = c.input as In;
    const strategy = new CursorPagination(
      { cursorValue: i.cursor_value, stopCondition: nullish(i.stop_condition), pageSize: nullish(i.page_size) },
      (i.config ?? {}) as Obj,
      (i.parameters ?? {}) as Obj,
    );
    const token = strategy.nextPageToken(response(i), i.last_page_size as number, (nullish(i.last_record) as Obj) ?? undefined);
    const expected = c.expected as Obj;
    expect(token ?? null).toEqual(expected.next_page_token);
    if ('page_size' in expected) expect(strategy.pageSize() ?? null).toEqual(expected.page_size);
  });

  each(loadCases('pagination.json', 'cursor_pagination_page_size'))('%s', (_id, c) => {
    const i = c.input as In;
    const make = () => new CursorPagination({ cursorValue: 'x', pageSize: nullish(i.page_size) }, (i.config ?? {}) as Obj, (i.parameters ?? {}) as Obj);
    if (isErrorCase(c.expected)) return expectError(make, c.expected);
    expect(make().pageSize() ?? null).toEqual(c.expected);
  });
});

describe('OffsetIncrement (Airbyte cases)', () => {
  each(loadCases('pagination.json', 'offset_increment_next_page_token'))('%s', (_id, c) => {
    const i = c.input as In;
    const strategy = new OffsetIncrement(nullish(i.page_size), false, (i.config ?? {}) as Obj, (i.parameters ?? {}) as Obj);
    const args = [response(i), pageSize(i), nullish(i.last_record) as Obj, nullish(i.last_page_token_value)] as const;
    expect(strategy.nextPageToken(...args) ?? null).toEqual(c.expected);
    expect(strategy.nextPageToken(...args) ?? null).toEqual(c.expected);
  });

  each(loadCases('pagination.json', 'offset_increment_page_size', 'offset_increment_initial_token'))('%s', (_id, c) => {
    const i = c.input as In;
    const make = () => new OffsetIncrement(nullish(i.page_size), i.inject_on_first_request === true, (i.config ?? {}) as Obj, (i.parameters ?? {}) as Obj);
    if (isErrorCase(c.expected)) return expectError(() => make().pageSize(), c.expected);
    const s = make();
    expect((i.op === 'offset_increment_page_size' ? s.pageSize() : s.initialToken()) ?? null).toEqual(c.expected);
  });
});

describe('PageIncrement (Airbyte cases)', () => {
  each(loadCases('pagination.json', 'page_increment_next_page_token'))('%s', (_id, c) => {
    const i = c.input as In;
    const strategy = new PageIncrement(
      { pageSize: nullish(i.page_size), startFromPage: i.start_from_page as number },
      (i.config ?? {}) as Obj,
      (i.parameters ?? {}) as Obj,
    );
    const args = [response(i), pageSize(i), nullish(i.last_record) as Obj, nullish(i.last_page_token_value)] as const;
    expect(strategy.nextPageToken(...args) ?? null).toEqual(c.expected);
    expect(strategy.nextPageToken(...args) ?? null).toEqual(c.expected);
  });

  each(loadCases('pagination.json', 'page_increment_page_size', 'page_increment_initial_token'))('%s', (_id, c) => {
    const i = c.input as In;
    const make = () =>
      new PageIncrement(
        { pageSize: nullish(i.page_size), startFromPage: i.start_from_page as number, injectOnFirstRequest: i.inject_on_first_request === true },
        (i.config ?? {}) as Obj,
        (i.parameters ?? {}) as Obj,
      );
    if (isErrorCase(c.expected)) return expectError(make, c.expected);
    expect(make().initialToken() ?? null).toEqual(c.expected);
  });
});
