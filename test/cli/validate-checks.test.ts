/** manifold validate: template problems are errors, unknown fields warnings (errors under --strict). */
import { describe, expect, it } from '@jest/globals';
import { runCli, tempFiles } from '../helpers/cli.js';
import { PLANTED } from '../helpers/planted-manifest.js';

describe('manifold validate', () => {
  it('reports the three planted mistakes with file:line:col and a suggestion each', async () => {
    const f = tempFiles({ 'm.yaml': PLANTED });
    const result = await runCli(['validate', '--manifest', f['m.yaml']!]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/m\.yaml:9:7 .*api_token.*expected '}}'|m\.yaml:9:7.*api_token/);
    expect(result.stderr).toMatch(/m\.yaml:18:11.*undeclared variable 'confg'; did you mean config/);
    expect(result.stderr).toMatch(/WARN .*m\.yaml:27:7.*DatetimeBasedCursor has no field "start_time_opton".*did you mean start_time_option\?/);
  });

  it('a manifest with only unknown fields is valid with warnings, and fails under --strict', async () => {
    const text = PLANTED.replace(`'api_token'] }"`, `'api_token'] }}"`).replace('confg', 'config');
    const f = tempFiles({ 'm.yaml': text });
    const lax = await runCli(['validate', '--manifest', f['m.yaml']!]);
    expect(lax.code).toBe(0);
    expect(lax.stdout).toContain('valid (1 warning(s))');
    expect(lax.stderr).toContain('start_time_opton');
    const strict = await runCli(['validate', '--strict', '--manifest', f['m.yaml']!]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('errors under --strict');
  });
});
