import { describe, it, expect } from '@jest/globals';
import { checkTemplates, checkUnknownKeys, loadManifestText } from '../../engine/manifest/index.js';
import { PLANTED } from '../helpers/planted-manifest.js';

describe('authoring checks (manifold validate)', () => {
  const m = loadManifestText(PLANTED, 'm.yaml');

  it('reports a template syntax error at its field, once, with every stream that uses it', () => {
    const problems = checkTemplates(m);
    const syntax = problems.find((p) => p.message.includes(`config['api_token'] }`))!;
    expect(syntax).toBeDefined();
    expect(syntax.location).toMatchObject({ file: 'm.yaml', line: 9, column: 7 });
    expect(syntax.message).toMatch(/used in 2 places: streams\[0\]\..*authenticator\.api_token, streams\[1\]\./);
    expect(problems.filter((p) => p.message.includes('api_token'))).toHaveLength(1);
  });

  it('reports an undeclared variable with a did-you-mean', () => {
    const undeclared = checkTemplates(m).find((p) => p.message.includes("'confg'"))!;
    expect(undeclared.message).toMatch(/undeclared variable 'confg'; did you mean config/);
    expect(undeclared.location).toMatchObject({ line: 18, column: 11 });
    expect(undeclared.message).toContain('used in 2 places');
  });

  it('reports an unknown filter with a did-you-mean', () => {
    const text = PLANTED.replace(`"{{ config['start'] }}"`, `"{{ config['start'] | uper }}"`);
    const problems = checkTemplates(loadManifestText(text, 'm.yaml'));
    expect(problems.find((p) => p.message.includes('uper'))?.message).toMatch(/No filter named 'uper'.*Did you mean upper/);
  });

  it('warns about a misspelled optional field, with a did-you-mean, once for both streams', () => {
    const warnings = checkUnknownKeys(m);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ severity: 'warning', location: { line: 27, column: 7 } });
    expect(warnings[0]!.message).toMatch(/DatetimeBasedCursor has no field "start_time_opton".*did you mean start_time_option\?/);
  });

  it('says nothing about a correct manifest', () => {
    const fixed = PLANTED.replace(`'api_token'] }"`, `'api_token'] }}"`).replace('confg', 'config').replace('start_time_opton', 'start_time_option');
    const ok = loadManifestText(fixed, 'm.yaml');
    expect(checkTemplates(ok)).toEqual([]);
    expect(checkUnknownKeys(ok)).toEqual([]);
  });
});
