/**
 * The generated component table (engine/component-table.ts): every registerComponent() call under
 * engine/ has its row, each row's module registers that type, and a manifest loads only the
 * component modules it names (plus the default child types engine code names).
 */
import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getComponent, registeredTypes } from '../../engine/registry.js';
import { loadComponents, loadComponentsFor } from '../../engine/components.js';
import { COMPONENT_MODULES, TYPES_NAMED_IN_CODE } from '../../engine/component-table.js';
import { REPO } from '../helpers/cli.js';
// @ts-expect-error a plain .mjs build script without declarations
import { componentTable, render } from '../../scripts/gen-component-table.mjs';

describe('the generated component table', () => {
  it('is what the generator writes from the sources today', () => {
    expect(readFileSync(join(REPO, 'engine/component-table.ts'), 'utf8')).toBe(render(componentTable()));
  });

  it('maps the default child types builders name in code', () => {
    expect(TYPES_NAMED_IN_CODE).toEqual(expect.arrayContaining(['DefaultPaginator', 'DpathExtractor', 'RecordSelector', 'HttpRequester']));
    expect(TYPES_NAMED_IN_CODE).not.toContain('XmlDecoder');
    expect(TYPES_NAMED_IN_CODE).not.toContain('JsonataRecordFilter');
  });

  it('loads only what a manifest names, and lists every type as known before it loads', async () => {
    expect(registeredTypes()).toEqual(expect.arrayContaining(['XmlDecoder', 'CsvDecoder', 'JsonataRecordFilter', 'DeclarativeStream']));
    await loadComponentsFor({
      type: 'DeclarativeSource',
      streams: [{ type: 'DeclarativeStream', retriever: { type: 'SimpleRetriever', decoder: { type: 'CsvDecoder' } } }],
    });
    expect(getComponent('CsvDecoder')).toBeDefined();
    expect(getComponent('SimpleRetriever')).toBeDefined();
    expect(getComponent('DefaultPaginator')).toBeDefined();
    expect(getComponent('XmlDecoder')).toBeUndefined();
    expect(getComponent('JsonataRecordFilter')).toBeUndefined();
  });

  it("imports, for each row, a module that registers the row's type", async () => {
    await loadComponents();
    const types = Object.keys(COMPONENT_MODULES);
    expect(types.length).toBeGreaterThan(80);
    expect(types.filter((type) => getComponent(type)?.type !== type)).toEqual([]);
  });
});
