/** Airbyte's AddFields / RemoveFields / KeysToSnakeCase cases (test/airbyte-cases/transformations.json). */
import { describe, expect } from '@jest/globals';
import type { RecordTransformation } from '../../engine/contracts.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { build } from '../extract/support.js';
import { eachCase, loadCases } from '../extract/cases.js';
import '../../engine/transform/add-fields.js';
import '../../engine/transform/remove-fields.js';
import '../../engine/transform/keys-to-snake-case.js';

describe('transformations (Airbyte cases)', () => {
  eachCase(loadCases('transformations.json', 'add_fields', 'remove_fields', 'keys_to_snake_case'))('%s', (_id, c) => {
    const i = c.input as Obj;
    const context = (i.context ?? {}) as Obj;
    let node: Obj;
    if (i.op === 'add_fields') {
      const fields = (i.fields as Obj[]).map((f) => ({ type: 'AddedFieldDefinition', ...f, value_type: i.value_type ?? undefined }));
      node = { type: 'AddFields', fields, condition: i.condition, $parameters: i.parameters };
    } else if (i.op === 'remove_fields') {
      node = { type: 'RemoveFields', field_pointers: i.field_pointers, condition: i.condition };
    } else {
      node = { type: 'KeysToSnakeCase' };
    }
    const t = build<RecordTransformation>(node, (context.config ?? {}) as Obj);
    const record = structuredClone(i.record) as Obj;
    t.transform(record, { slice: makeSlice((context.stream_slice ?? {}) as Obj), nextPageToken: undefined });
    expect(record).toEqual(c.expected);
  });
});
