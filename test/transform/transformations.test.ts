/** KeysToLower, KeysReplace, FlattenFields, DpathFlattenFields and Default schema normalization. */
import { describe, it, expect } from '@jest/globals';
import type { RecordSelector, RecordTransformation } from '../../engine/contracts.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { build, fakeResponse } from '../extract/support.js';
import '../../engine/transform/keys-to-lower.js';
import '../../engine/transform/keys-replace.js';
import '../../engine/transform/flatten-fields.js';
import '../../engine/transform/dpath-flatten-fields.js';
import '../../engine/extract/record-selector.js';
import '../../engine/extract/dpath-extractor.js';

const ctx = { slice: makeSlice(), nextPageToken: undefined };
const apply = (node: Obj, record: Obj): Obj => {
  build<RecordTransformation>(node).transform(record, ctx);
  return record;
};

describe('transformations', () => {
  it('KeysToLower lower-cases top-level keys', () => {
    expect(apply({ type: 'KeysToLower' }, { ID: 1, Name: { Inner: 2 } })).toEqual({ id: 1, name: { Inner: 2 } });
  });

  it('KeysReplace replaces in nested keys', () => {
    expect(apply({ type: 'KeysReplace', old: ' ', new: '_' }, { 'first name': 'a', 'x y': { 'a b': 1 } })).toEqual({ first_name: 'a', x_y: { a_b: 1 } });
  });

  it('FlattenFields flattens objects and lists, prefixing on clashes and list items', () => {
    expect(apply({ type: 'FlattenFields' }, { id: 1, meta: { a: 1, id: 2 } })).toEqual({ id: 1, a: 1, 'meta.id': 2 });
    expect(apply({ type: 'FlattenFields' }, { id: 1, tags: ['x', 'y'] })).toEqual({ id: 1, 'tags.0': 'x', 'tags.1': 'y' });
    expect(apply({ type: 'FlattenFields', flatten_lists: false }, { id: 1, tags: ['x'] })).toEqual({ id: 1, tags: ['x'] });
  });

  it('DpathFlattenFields lifts an object, with prefix and delete_origin_value; skips on clashes', () => {
    expect(
      apply(
        { type: 'DpathFlattenFields', field_path: ['props'], delete_origin_value: true, key_transformation: { type: 'KeyTransformation', prefix: 'p_' } },
        { id: 1, props: { a: 1 } },
      ),
    ).toEqual({ id: 1, p_a: 1 });
    expect(apply({ type: 'DpathFlattenFields', field_path: ['props'] }, { id: 1, props: { id: 2 } })).toEqual({ id: 1, props: { id: 2 } });
    expect(apply({ type: 'DpathFlattenFields', field_path: ['props'], replace_record: true }, { id: 1, props: { x: 2 } })).toEqual({ x: 2 });
  });

  it('schema_normalization Default casts mismatched values to the declared types', () => {
    const selector = build<RecordSelector>({
      type: 'RecordSelector',
      extractor: { type: 'DpathExtractor', field_path: [] },
      schema_normalization: 'Default',
    });
    const schema = {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        price: { type: ['null', 'number'] },
        code: { type: 'string' },
        ok: { type: 'boolean' },
        nested: { type: 'object', properties: { n: { type: 'integer' } } },
        untouched: { type: 'integer' },
      },
    };
    const body = [{ id: '12', price: '1.5', code: 7, ok: 'true', nested: { n: '3' }, untouched: 'abc', extra: '1' }];
    expect([...selector.select(fakeResponse({ body }), { ...ctx, schema })]).toEqual([
      { id: 12, price: 1.5, code: '7', ok: true, nested: { n: 3 }, untouched: 'abc', extra: '1' },
    ]);
  });
});
