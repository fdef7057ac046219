/** AddFields details where Airbyte's behaviour is easy to miss. */
import { describe, it, expect } from '@jest/globals';
import type { RecordTransformation } from '../../engine/contracts.js';
import { makeSlice, type Obj } from '../../engine/types.js';
import { build } from '../extract/support.js';
import '../../engine/transform/add-fields.js';

describe('AddFields', () => {
  it('a value that is only a {% %} statement is a template (Airbyte interpolates every string value)', () => {
    const t = build<RecordTransformation>(
      {
        type: 'AddFields',
        fields: [{ path: ['tier'], value: '{% if record.amount > 100 %}big{% else %}small{% endif %}' }],
      },
      {},
    );
    const big: Obj = { amount: 500 };
    const small: Obj = { amount: 5 };
    t.transform(big, { slice: makeSlice() } as never);
    t.transform(small, { slice: makeSlice() } as never);
    expect(big.tier).toBe('big');
    expect(small.tier).toBe('small');
  });
});
