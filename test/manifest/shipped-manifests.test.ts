/**
 * Every manifest we ship validates: through the engine (refs resolved, located errors) and, as an
 * editor sees it, the raw YAML against the shipped JSON Schema (what yaml-language-server does).
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { loadComponents } from '../../engine/components.js';
import { loadManifestFile, manifestSchema, validateManifest } from '../../engine/manifest/index.js';
import { REPO } from '../helpers/cli.js';

const shipped = [
  ...readdirSync(join(REPO, 'manifests'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(REPO, 'manifests', f)),
  join(REPO, 'fixtures/tutorial/bookshop.yaml'),
];

describe('shipped manifests', () => {
  it('include the four sources, the destination and the tutorial', () => {
    expect(shipped.map((f) => f.split('/').pop()).sort()).toEqual([
      'bookshop.yaml',
      'chartmogul.yaml',
      'clazar-destination.yaml',
      'clazar.yaml',
      'clevertap.yaml',
      'close-com.yaml',
    ]);
  });

  it.each(shipped)('%s validates with no problem', async (file) => {
    await loadComponents();
    expect(validateManifest(await loadManifestFile(file))).toEqual([]);
  });

  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(manifestSchema as object);
  it.each(shipped)('%s validates against the editor schema as written', (file) => {
    const raw = parse(readFileSync(file, 'utf8'));
    const ok = validate(raw);
    expect(ok ? [] : validate.errors?.slice(0, 5)).toEqual([]);
  });
});
