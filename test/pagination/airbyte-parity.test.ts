/** CursorPagination details where Airbyte's behaviour is easy to miss. */
import { describe, it, expect } from '@jest/globals';
import { CursorPagination } from '../../engine/pagination/cursor-pagination.js';
import { fakeResponse } from '../extract/support.js';

describe('CursorPagination', () => {
  it('an empty list or mapping as cursor_value means no next page (Airbyte: `token if token else None`)', () => {
    const strategy = new CursorPagination({ cursorValue: '{{ response.next }}' }, {}, {});
    expect(strategy.nextPageToken(fakeResponse({ body: { next: [] } }), 10, undefined)).toBeUndefined();
    expect(strategy.nextPageToken(fakeResponse({ body: { next: {} } }), 10, undefined)).toBeUndefined();
    expect(strategy.nextPageToken(fakeResponse({ body: { next: ['a'] } }), 10, undefined)).toEqual(['a']);
  });
});
