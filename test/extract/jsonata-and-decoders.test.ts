/** JSONata components through the RecordSelector, and the non-JSON decoders. */
import { describe, it, expect } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import type { Decoder, RecordSelector } from '../../engine/contracts.js';
import { ConfigError, ManifoldError } from '../../engine/errors/manifold-error.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { build, fakeResponse } from './support.js';
import '../../engine/extract/record-selector.js';
import '../../engine/extract/dpath-extractor.js';
import '../../engine/extract/jsonata-extractor.js';
import '../../engine/extract/jsonata-record-filter.js';
import '../../engine/transform/jsonata-transformation.js';
import '../../engine/extract/decoders/json-decoder.js';
import '../../engine/extract/decoders/csv-decoder.js';
import '../../engine/extract/decoders/xml-decoder.js';
import '../../engine/extract/decoders/gzip-decoder.js';
import '../../engine/extract/decoders/jsonl-decoder.js';

const ctx = { slice: makeSlice({ account: 'acme' }), nextPageToken: undefined };

async function select(selectorNode: Obj, body: unknown, config: Obj = {}): Promise<unknown[]> {
  const selector = build<RecordSelector>({ type: 'RecordSelector', ...selectorNode }, config);
  return [...(await selector.selectAsync!(fakeResponse({ body }), { ...ctx }))];
}

describe('JSONata components', () => {
  const body = {
    result: {
      items: [
        { id: 1, price: 5, qty: 2 },
        { id: 2, price: 1, qty: 0 },
        { id: 3, price: 3, qty: 1 },
      ],
    },
  };

  it('extracts, filters and reshapes records, with $config and $stream_slice bindings', async () => {
    const records = await select(
      {
        extractor: { type: 'JsonataExtractor', expression: 'result.items' },
        record_filter: { type: 'JsonataRecordFilter', expression: 'qty > 0' },
        transformations: [
          { type: 'JsonataTransformation', expression: '{"id": id, "total": price * qty, "account": $stream_slice.account}' },
          { type: 'JsonataTransformation', expression: '$config.currency', target_field: 'currency' },
        ],
      },
      body,
      { currency: 'EUR' },
    );
    expect(records).toEqual([
      { id: 1, total: 10, account: 'acme', currency: 'EUR' },
      { id: 3, total: 3, account: 'acme', currency: 'EUR' },
    ]);
  });

  it('a single object result is one record; no match is no record', async () => {
    expect(await select({ extractor: { type: 'JsonataExtractor', expression: 'result.items[id=2]' } }, body)).toEqual([{ id: 2, price: 1, qty: 0 }]);
    expect(await select({ extractor: { type: 'JsonataExtractor', expression: 'result.nothing' } }, body)).toEqual([]);
  });

  it('reports a bad expression at build time, located', () => {
    expect(() => build({ type: 'JsonataExtractor', expression: 'result.[' })).toThrow(ConfigError);
  });

  it('cannot reach Node or JavaScript internals', async () => {
    const escapes = ['$eval("process")', 'constructor.constructor("return process")()', '$eval("$$.constructor")', 'require("fs")'];
    for (const expression of escapes) {
      const out = await select({ extractor: { type: 'JsonataExtractor', expression } }, { a: 1 }).catch((e: unknown) => e);
      // Either a JSONata error or nothing: never a handle on process/fs.
      if (out instanceof Error) expect(out).toBeInstanceOf(ManifoldError);
      else expect(out).toEqual([]);
    }
  });

  it('the sync selector path refuses async components with a clear error', () => {
    const selector = build<RecordSelector>({ type: 'RecordSelector', extractor: { type: 'JsonataExtractor', expression: 'a' } });
    expect(() => [...selector.select(fakeResponse({ body: { a: 1 } }), { ...ctx })]).toThrow(/selectAsync/);
  });
});

describe('decoders', () => {
  const decode = (node: Obj, text: string | Buffer) => {
    const d = build<Decoder>(node);
    const res = typeof text === 'string' ? fakeResponse({ text }) : { ...fakeResponse({ text: '' }), body: text };
    return [...d.decode(res)];
  };

  it('CsvDecoder: header row gives keys; delimiter and set_values_to_none apply', () => {
    expect(decode({ type: 'CsvDecoder', delimiter: ';', set_values_to_none: ['NA'] }, 'id;name\n1;Ann\n2;NA\n')).toEqual([
      { id: '1', name: 'Ann' },
      { id: '2', name: null },
    ]);
  });

  it('XmlDecoder: xmltodict-like shape', () => {
    expect(decode({ type: 'XmlDecoder' }, '<?xml version="1.0"?><list><item id="1">a</item><item id="2">b</item></list>')).toEqual([
      {
        list: {
          item: [
            { '@id': '1', '#text': 'a' },
            { '@id': '2', '#text': 'b' },
          ],
        },
      },
    ]);
  });

  it('GzipDecoder: gunzips then decodes with the inner decoder', () => {
    const gz = gzipSync(Buffer.from('{"a":1}\n{"a":2}\n'));
    expect(decode({ type: 'GzipDecoder', decoder: { type: 'JsonlDecoder' } }, gz)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('JsonDecoder: an empty body is one empty document', () => {
    expect(decode({ type: 'JsonDecoder' }, '')).toEqual([{}]);
  });
});
