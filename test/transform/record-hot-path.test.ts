/** The allocation-saving paths of RemoveFields, AddFields and RecordFilter give the same records as the plain ones. */
import { describe, it, expect } from '@jest/globals';
import type { RecordFilter, RecordTransformation } from '../../engine/contracts.js';
import { deleteGlob, removeKey } from '../../engine/extract/dpath.js';
import { InterpolatedString } from '../../engine/interpolation/index.js';
import { setNowForTesting } from '../../engine/interpolation/datetime.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { build } from '../extract/support.js';
import '../../engine/transform/add-fields.js';
import '../../engine/transform/remove-fields.js';
import '../../engine/extract/record-filter.js';

describe('removeKey', () => {
  it('removes a middle key and keeps the order of the others', () => {
    const record: Obj = JSON.parse('{"id":1,"meta":{"a":1},"name":"n","email":"e"}');
    record.added = true;
    removeKey(record, 'meta');
    expect(Object.keys(record)).toEqual(['id', 'name', 'email', 'added']);
    expect(record).toStrictEqual({ id: 1, name: 'n', email: 'e', added: true });
    expect(JSON.stringify(record)).toBe('{"id":1,"name":"n","email":"e","added":true}');
  });

  it('removes the first and the last key, index-like keys, and ignores absent or inherited keys', () => {
    const a: Obj = { x: 1, y: 2, z: 3 };
    removeKey(a, 'x');
    removeKey(a, 'z');
    expect(Object.keys(a)).toEqual(['y']);
    const b: Obj = { '2': 'two', '10': 'ten', k: 'v' };
    removeKey(b, '2');
    expect(Object.keys(b)).toEqual(['10', 'k']);
    const c: Obj = { p: 1, q: 2 };
    removeKey(c, 'nope');
    removeKey(c, 'toString');
    expect(Object.keys(c)).toEqual(['p', 'q']);
    expect(typeof c.toString).toBe('function');
  });

  it('falls back to delete for objects with many later keys', () => {
    const wide: Obj = { first: 0 };
    for (let i = 0; i < 40; i++) wide[`k${i}`] = i;
    removeKey(wide, 'first');
    expect(Object.keys(wide)).toEqual(Array.from({ length: 40 }, (_, i) => `k${i}`));
  });

  it('deleteGlob on an exact nested path deletes one value, keeps order, honours the veto', () => {
    const r: Obj = { a: { b: 1, c: 2, d: 3 }, e: 4 };
    expect(deleteGlob(r, ['a', 'c'])).toBe(1);
    expect(Object.keys(r.a as Obj)).toEqual(['b', 'd']);
    expect(deleteGlob(r, ['a', 'missing'])).toBe(0);
    expect(deleteGlob(r, ['e', 'x'])).toBe(0);
    expect(deleteGlob(r, ['a', 'b'], (v) => v !== 1)).toBe(0);
    expect(r).toStrictEqual({ a: { b: 1, d: 3 }, e: 4 });
    const list: Obj = { l: [1, 2, 3] };
    deleteGlob(list, ['l', 0]);
    deleteGlob(list, ['l', '2']);
    expect(list).toStrictEqual({ l: [null, 2] });
  });
});

describe('record templates with a reused context', () => {
  it('RemoveFields after AddFields gives the record of a plain delete, key order included', () => {
    const add = build<RecordTransformation>({ type: 'AddFields', fields: [{ path: ['label'], value: "{{ record['name'] }} ({{ stream_slice['p'] }})" }] });
    const remove = build<RecordTransformation>({ type: 'RemoveFields', field_pointers: [['meta'], ['deep', 'x']] });
    const ctx = { slice: makeSlice({ p: 'P' }), nextPageToken: undefined };
    const lines = [1, 2].map((id) => {
      const record: Obj = JSON.parse(`{"id":${id},"meta":{"v":1},"name":"n${id}","deep":{"x":1,"y":2}}`);
      add.transform(record, ctx);
      remove.transform(record, ctx);
      return JSON.stringify(record);
    });
    expect(lines).toEqual(['{"id":1,"name":"n1","deep":{"y":2},"label":"n1 (P)"}', '{"id":2,"name":"n2","deep":{"y":2},"label":"n2 (P)"}']);
  });

  it('AddFields and RecordFilter see each record and the current slice and page token', () => {
    const add = build<RecordTransformation>({
      type: 'AddFields',
      fields: [{ path: ['tag'], value: '{{ record.id }}-{{ stream_slice.p }}-{{ next_page_token }}' }],
    });
    const filter = build<RecordFilter>({ type: 'RecordFilter', condition: '{{ record.id > stream_slice.min }}' });
    const s1 = { slice: makeSlice({ p: 'a', min: 1 }), nextPageToken: undefined };
    const s2 = { slice: makeSlice({ p: 'b', min: 5 }), nextPageToken: { next_page_token: 't' } };
    const out: unknown[] = [];
    for (const [ctx, id] of [
      [s1, 1],
      [s1, 2],
      [s2, 3],
      [s2, 6],
      [s1, 7],
    ] as const) {
      const record: Obj = { id };
      if (!filter.matches(record, ctx)) continue;
      add.transform(record, ctx);
      out.push(record);
    }
    expect(out).toEqual([
      { id: 2, tag: '2-a-' },
      { id: 6, tag: "6-b-{'next_page_token': 't'}" },
      { id: 7, tag: '7-a-' },
    ]);
  });
});

const NO_SLICE = { slice: makeSlice(), nextPageToken: undefined };

describe('AddFields values that read only config and parameters', () => {
  it('knows which templates read nothing but config and parameters', () => {
    const only = (t: string) => InterpolatedString.create(t).readsOnlyConfigAndParameters;
    expect(only("{{ parameters['name'] }}")).toBe(true);
    expect(only('{{ config.region | upper }}-{{ parameters.name }}')).toBe(true);
    expect(only('{% set x = config.a %}{{ x }}')).toBe(true);
    expect(only('plain text')).toBe(true);
    expect(only("{{ record['id'] }}")).toBe(false);
    expect(only('{{ config.a }}{{ stream_slice.p }}')).toBe(false);
    expect(only("{{ now_utc().strftime('%Y') }}")).toBe(false);
    expect(only('{{ config.a or today_utc() }}')).toBe(false);
  });

  it('gives every record the same value as a per-record evaluation would, typed by value_type', () => {
    const add = build<RecordTransformation>(
      {
        type: 'AddFields',
        $parameters: { name: 'items' },
        fields: [
          { path: ['source'], value: "{{ parameters['name'] }}/{{ config['region'] }}" },
          { path: ['limit'], value: "{{ config['limit'] }}", value_type: 'integer' },
          { path: ['limit_text'], value: "{{ config['limit'] }}", value_type: 'string' },
          { path: ['missing'], value: "{{ config['nope'] }}" },
        ],
      },
      { region: 'eu', limit: 50 },
    );
    const records = [{ id: 1 }, { id: 2 }] as Obj[];
    for (const r of records) add.transform(r, NO_SLICE);
    expect(records).toStrictEqual([1, 2].map((id) => ({ id, source: 'items/eu', limit: 50, limit_text: '50', missing: undefined })));
  });

  it('keeps evaluating per record what may change: now_utc(), lists and objects (never one shared instance)', () => {
    const add = build<RecordTransformation>(
      {
        type: 'AddFields',
        fields: [
          { path: ['at'], value: "{{ now_utc().strftime('%H:%M') }}" },
          { path: ['tags'], value: "{{ config['tags'] }}" },
        ],
      },
      { tags: ['a', 'b'] },
    );
    try {
      setNowForTesting(new Date('2024-01-01T10:00:00Z'));
      const first: Obj = {};
      add.transform(first, NO_SLICE);
      setNowForTesting(new Date('2024-01-01T11:30:00Z'));
      const second: Obj = {};
      add.transform(second, NO_SLICE);
      expect([first.at, second.at]).toEqual(['10:00', '11:30']);
      expect(first.tags).toEqual(['a', 'b']);
    } finally {
      setNowForTesting(undefined);
    }
  });

  it('a value that fails still fails on the record, with the template named', () => {
    const add = build<RecordTransformation>({ type: 'AddFields', fields: [{ path: ['x'], value: "{{ 10 / config['zero'] }}" }] }, { zero: 0 });
    expect(() => add.transform({ id: 1 }, NO_SLICE)).toThrow(/10 \/ config/);
  });
});

describe('a record key named __proto__ is an ordinary key', () => {
  it('survives RemoveFields of an earlier key and can be set by AddFields, without touching the prototype', () => {
    const record: Obj = JSON.parse('{"id":1,"meta":{},"__proto__":{"polluted":true},"name":"n"}');
    removeKey(record, 'meta');
    expect(Object.keys(record)).toEqual(['id', '__proto__', 'name']);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect((record as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(record)).toBe('{"id":1,"__proto__":{"polluted":true},"name":"n"}');

    const add = build<RecordTransformation>({
      type: 'AddFields',
      fields: [
        { path: ['__proto__', 'x'], value: '{{ record.id }}' },
        { path: ['other'], value: 'v' },
      ],
    });
    const fresh: Obj = { id: 2 };
    add.transform(fresh, NO_SLICE);
    expect(Object.getPrototypeOf(fresh)).toBe(Object.prototype);
    expect(JSON.stringify(fresh)).toBe('{"id":2,"__proto__":{"x":2},"other":"v"}');
    expect(({} as { x?: unknown }).x).toBeUndefined();
  });
});
