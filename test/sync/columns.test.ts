/** Column typing, value fitting and name normalisation (engine/sync/columns.ts, naming.ts). */
import { describe, expect, it } from '@jest/globals';
import { columnTypeOf, fitValue, inferColumnType, widenedType } from '../../engine/sync/columns.js';
import { NameAllocator, normaliseName, quoteIdent } from '../../engine/sync/naming.js';
import { syncCatalog } from '../../engine/sync/modes.js';

describe('column types from JSON Schema', () => {
  it.each([
    [{ type: 'integer' }, 'bigint'],
    [{ type: ['null', 'integer'] }, 'bigint'],
    [{ type: 'number' }, 'double'],
    [{ type: 'number', airbyte_type: 'integer' }, 'bigint'],
    [{ type: ['integer', 'number', 'null'] }, 'double'],
    [{ type: 'boolean' }, 'boolean'],
    [{ type: 'string' }, 'varchar'],
    [{ type: 'string', format: 'date-time' }, 'timestamptz'],
    [{ type: ['null', 'string'], format: 'date' }, 'date'],
    [{ type: 'object' }, 'json'],
    [{ type: 'array' }, 'json'],
    [{ type: ['string', 'integer'] }, 'json'],
    [{ anyOf: [{ type: 'null' }, { type: 'integer' }] }, 'bigint'],
    [{}, 'json'],
    [undefined, 'json'],
  ])('%j → %s', (schema, type) => {
    expect(columnTypeOf(schema)).toBe(type);
  });

  it('infers a type for undeclared fields from their value, and widens integers to double only', () => {
    expect([true, 3, 3.5, 'x', { a: 1 }, [1], null].map(inferColumnType)).toEqual(['boolean', 'bigint', 'double', 'varchar', 'json', 'json', undefined]);
    expect(widenedType('bigint', 2.5)).toBe('double');
    expect(widenedType('bigint', 2)).toBeUndefined();
    expect(widenedType('bigint', 'x')).toBeUndefined();
    expect(widenedType('varchar', 2.5)).toBeUndefined();
  });
});

describe('fitting values to columns', () => {
  it('keeps values that fit, nulls and records those that do not, never throws', () => {
    expect(fitValue('n', 'bigint', 7, true)).toEqual({ value: 7 });
    expect(fitValue('n', 'bigint', 2 ** 60, true).change).toMatchObject({ field: 'n', change: 'NULLED' });
    expect(fitValue('n', 'double', Infinity, true).change).toMatchObject({ change: 'NULLED' });
    expect(fitValue('b', 'boolean', 'true', true)).toEqual({
      value: null,
      change: { field: 'b', change: 'NULLED', reason: 'DESTINATION_TYPECAST_ERROR', value: 'true' },
    });
    expect(fitValue('s', 'varchar', 12, true)).toEqual({ value: '12' });
    expect(fitValue('s', 'varchar', { a: 1 }, true)).toEqual({ value: '{"a":1}' });
    expect(fitValue('j', 'json', 'text', true)).toEqual({ value: '"text"' });
    expect(fitValue('x', 'bigint', undefined, true)).toEqual({ value: null });
  });

  it('accepts real timestamps and dates only', () => {
    for (const ok of ['2024-02-29T23:59:59Z', '2024-01-01 10:00:00.123456+02:00', '2024-01-01T10:00', '2024-01-01']) {
      expect(fitValue('t', 'timestamptz', ok, true)).toEqual({ value: ok });
    }
    for (const bad of ['2023-02-29T00:00:00Z', '2024-13-01', '2024-01-01T25:00:00Z', 'yesterday', 1704067200]) {
      expect(fitValue('t', 'timestamptz', bad, true).value).toBeNull();
    }
    expect(fitValue('d', 'date', '2024-04-31', true).value).toBeNull();
    expect(fitValue('d', 'date', '2024-04-30', true)).toEqual({ value: '2024-04-30' });
  });

  it('removes U+0000 where the database cannot store it, and says so', () => {
    expect(fitValue('s', 'varchar', 'a\u0000b', true)).toEqual({ value: 'a\u0000b' });
    expect(fitValue('s', 'varchar', 'a\u0000b', false)).toEqual({
      value: 'ab',
      change: { field: 's', change: 'TRUNCATED', reason: 'DESTINATION_SERIALIZATION_ERROR' },
    });
    expect(fitValue('j', 'json', { k: ['x\u0000'] }, false)).toMatchObject({ value: '{"k":["x"]}', change: { change: 'TRUNCATED' } });
    // A literal backslash-u sequence in the text is not a NUL.
    expect(fitValue('j', 'json', { k: '\\u0000' }, false)).toEqual({ value: '{"k":"\\\\u0000"}' });
  });
});

describe('names', () => {
  it('normalises to lower-case identifiers within the length limit', () => {
    expect(normaliseName('Customer Accounts', 63)).toBe('customer_accounts');
    expect(normaliseName('custom.cf_ABC', 63)).toBe('custom_cf_abc');
    expect(normaliseName('Café-Ölçer', 63)).toBe('cafe_olcer');
    expect(normaliseName('2024 sales', 63)).toBe('_2024_sales');
    expect(normaliseName('"quoted"', 63)).toBe('quoted');
    expect(normaliseName('!!!', 63)).toBe('_');
    expect(normaliseName('x'.repeat(100), 63)).toHaveLength(63);
  });

  it('gives colliding names a suffix and reports each collision', () => {
    const names = new NameAllocator(10, ['_reserved']);
    expect(['Users', 'users', 'USERS', '_reserved', 'abcdefghijklmno', 'abcdefghijXYZ'].map((n) => names.allocate(n))).toEqual([
      'users',
      'users_2',
      'users_3',
      '_reserve_2',
      'abcdefghij',
      'abcdefgh_2',
    ]);
    expect(names.collisions.map((c) => c.name)).toEqual(['users', 'USERS', '_reserved', 'abcdefghijXYZ']);
  });

  it('quotes identifiers, doubling quotes', () => {
    expect(quoteIdent('order')).toBe('"order"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
  });
});

describe('the catalog sync derives from discover', () => {
  const discovered = {
    streams: [
      {
        name: 'a',
        json_schema: {},
        supported_sync_modes: ['full_refresh', 'incremental'] as Array<'full_refresh' | 'incremental'>,
        default_cursor_field: ['u'],
        source_defined_primary_key: [['id']],
      },
      {
        name: 'b',
        json_schema: {},
        supported_sync_modes: ['full_refresh', 'incremental'] as Array<'full_refresh' | 'incremental'>,
        default_cursor_field: ['u'],
      },
      { name: 'c', json_schema: {}, supported_sync_modes: ['full_refresh'] as Array<'full_refresh' | 'incremental'>, source_defined_primary_key: [['id']] },
    ],
  };
  it('incremental + dedup with a key, append without, overwrite for full refresh; --full-refresh overwrites all', () => {
    expect(syncCatalog(discovered).streams.map((s) => [s.stream.name, s.sync_mode, s.destination_sync_mode])).toEqual([
      ['a', 'incremental', 'append_dedup'],
      ['b', 'incremental', 'append'],
      ['c', 'full_refresh', 'overwrite'],
    ]);
    expect(syncCatalog(discovered, { fullRefresh: true, streams: ['b'] }).streams.map((s) => [s.stream.name, s.sync_mode, s.destination_sync_mode])).toEqual([
      ['b', 'full_refresh', 'overwrite'],
    ]);
    expect(() => syncCatalog(discovered, { streams: ['zz'] })).toThrow('Unknown stream(s) "zz" (streams: a, b, c)');
  });
});
