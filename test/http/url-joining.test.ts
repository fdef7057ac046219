/** Airbyte's own HttpRequester URL/query/body cases (test/airbyte-cases/url-joining.json). */
import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Requester } from '../../engine/contracts.js';
import { normalizePath } from '../../engine/http/url.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { build } from './support.js';

interface Case {
  id: string;
  input: Obj & { op: string };
  expected: unknown;
}

const cases = JSON.parse(readFileSync(new URL('../airbyte-cases/url-joining.json', import.meta.url), 'utf8')) as Case[];

// Python str() of config lists/dicts comes from the interpolation layer; skip those rows until it renders them.

async function run(c: Case): Promise<unknown> {
  const i = c.input;
  const node: Obj = { type: 'HttpRequester', url_base: i.url_base, path: i.path ?? '' };
  if (i.request_parameters) node.request_parameters = i.request_parameters;
  if (i.request_body_data) {
    node.request_body_data = i.request_body_data;
    node.http_method = 'POST';
  }
  if (i.op === 'get_path') return normalizePath(String(i.path));
  const requester = build<Requester>(node, (i.config ?? {}) as Obj, undefined, (i.parameters ?? {}) as Obj);
  const request = await requester.prepare({
    stream: 's',
    slice: makeSlice({}, (i.stream_slice ?? {}) as Obj),
    nextPageToken: (i.next_page_token ?? undefined) as Obj | undefined,
    extra: [],
    pathOverride: (i.path_override ?? undefined) as string | undefined,
  });
  const url = new URL(request.url);
  switch (i.op) {
    case 'request_url':
    case 'get_url_base':
      return request.url.split('?')[0];
    case 'request_url_path':
      return url.pathname;
    case 'request_query_string':
      return request.url.split('?')[1] ?? '';
    case 'request_body_data':
      return request.body;
  }
  throw new Error(`unknown op ${i.op}`);
}

describe('Airbyte url-joining cases', () => {
  for (const c of cases) {
    it(c.id, async () => {
      const expected = c.expected as { error?: boolean; contains?: string };
      if (expected && typeof expected === 'object' && expected.error) {
        await expect(run(c)).rejects.toThrow(expected.contains ?? '');
      } else {
        expect(await run(c)).toEqual(c.expected);
      }
    });
  }
});
