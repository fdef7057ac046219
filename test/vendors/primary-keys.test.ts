/**
 * Every shipped manifest's declared primary keys hold for the records its vendor returns (the
 * mocks answer as the vendors document their responses): each record has a value for the key, and
 * no two records of a stream share one, so a deduplicating sync keeps them all.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { setupServer } from 'msw/node';
import { createChartmogulApi } from './chartmogul.mock.js';
import { createClazarApi } from './clazar.mock.js';
import { createClevertapApi } from './clevertap.mock.js';
import { createCloseApi } from './close-com.mock.js';
import { loadFixture } from './mock-kit.js';
import { loadVendor, readStreams } from './run.js';
import { missingPrimaryKeyFields } from '../../engine/schema/primary-key.js';
import type { Obj } from '../../engine/types.js';

const server = setupServer(...createChartmogulApi().handlers, ...createClazarApi().handlers, ...createClevertapApi().handlers, ...createCloseApi().handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const keyOf = (record: Obj, pk: string[][]): string => JSON.stringify(pk.map((path) => path.reduce<unknown>((v, k) => (v as Obj)?.[k], record)));

describe.each(['chartmogul', 'clazar', 'clevertap', 'close-com'])('%s primary keys', (vendor) => {
  it('every record has a value for its stream primary key, unique within the stream', async () => {
    const source = await loadVendor(`${vendor}.yaml`);
    const config = loadFixture<Obj>(vendor, 'config.json');
    const catalog = await source.discover(config);
    const keyed = catalog.streams.filter((s) => s.source_defined_primary_key?.length);
    expect(keyed.length).toBeGreaterThan(0);
    const { records, errors, warnings } = await readStreams(
      source,
      config,
      keyed.map((s) => s.name),
    );
    expect(errors).toEqual([]);
    expect(warnings.filter((w) => /primary key/.test(w))).toEqual([]);
    for (const stream of keyed) {
      const pk = stream.source_defined_primary_key!;
      const rows = records.get(stream.name) ?? [];
      const lacking = rows.filter((r) => missingPrimaryKeyFields(r, pk).length > 0);
      expect({ stream: stream.name, lacking: lacking.length }).toEqual({ stream: stream.name, lacking: 0 });
      expect({ stream: stream.name, distinct: new Set(rows.map((r) => keyOf(r, pk))).size }).toEqual({ stream: stream.name, distinct: rows.length });
    }
  });
});
