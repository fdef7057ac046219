/** Airbyte's DpathExtractor and RecordFilter cases (test/airbyte-cases/extractors.json). */
import { describe, expect } from '@jest/globals';
import type { DpathExtractor } from '../../engine/extract/dpath-extractor.js';
import { InterpolatedRecordFilter } from '../../engine/extract/record-filter.js';
import { JsonDecoder } from '../../engine/extract/decoders/json-decoder.js';
import { JsonlDecoder } from '../../engine/extract/decoders/jsonl-decoder.js';
import { IterableDecoder } from '../../engine/extract/decoders/iterable-decoder.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { build, fakeResponse } from './support.js';
import { eachCase, loadCases } from './cases.js';
import '../../engine/extract/dpath-extractor.js';

const decoders = { json: new JsonDecoder(), jsonl: new JsonlDecoder(), iterable: new IterableDecoder() };

describe('DpathExtractor (Airbyte cases)', () => {
  eachCase(loadCases('extractors.json', 'dpath_extract'))('%s', (_id, c) => {
    const i = c.input as Obj;
    const ex = i.record_expander as Obj | undefined;
    const node: Obj = { type: 'DpathExtractor', field_path: i.field_path, $parameters: i.parameters };
    if (ex) node.record_expander = { type: 'RecordExpander', ...ex };
    const extractor = build<DpathExtractor>(node, i.config as Obj);
    const response = fakeResponse({ text: i.response_body_text as string });
    const records = [...extractor.extract(response, { slice: makeSlice(), nextPageToken: undefined, decoder: decoders[i.decoder as 'json'] })];
    expect(records).toEqual(c.expected);
  });
});

describe('RecordFilter (Airbyte cases)', () => {
  eachCase(loadCases('extractors.json', 'record_filter'))('%s', (_id, c) => {
    const i = c.input as Obj;
    const s = i.stream_slice as Obj;
    const slice = makeSlice(s.partition as Obj, s.cursor_slice as Obj, s.extra_fields as Obj);
    const filter = new InterpolatedRecordFilter(i.condition, i.config as Obj, i.parameters as Obj);
    const kept = (i.records as Obj[]).filter((r) => filter.matches(r, { slice, nextPageToken: i.next_page_token as Obj }));
    expect(kept).toEqual(c.expected);
  });
});
