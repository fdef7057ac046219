/**
 * Config settings with alternatives (oneOf branches told apart by a const): the chosen branch's
 * defaults are filled in, and a mistake is reported for that branch only.
 */
import { describe, expect, it } from '@jest/globals';
import { validateConfig } from '../../engine/source/config.js';
import type { Obj } from '../../engine/types.js';

const spec: Obj = {
  type: 'object',
  required: ['mode'],
  properties: {
    mode: {
      type: 'object',
      oneOf: [
        { title: 'Simple', type: 'object', required: ['kind'], properties: { kind: { const: 'simple' }, size: { type: 'integer', default: 100 } } },
        {
          title: 'Custom',
          type: 'object',
          required: ['kind', 'url'],
          properties: {
            kind: { const: 'custom' },
            method: { type: 'string', enum: ['POST', 'PUT'], default: 'POST' },
            url: { type: 'string' },
            grouping: {
              type: 'object',
              oneOf: [
                { title: 'Wrap', properties: { algo: { const: 'wrap' }, property: { type: 'string', default: 'items' } } },
                { title: 'Code', properties: { algo: { const: 'code' } } },
              ],
            },
          },
        },
      ],
    },
  },
};

const problemsOf = (config: Obj): string => {
  try {
    validateConfig(spec, config);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('config with alternatives', () => {
  it('fills the defaults of the chosen branch, nested ones included, and of no other', () => {
    const config: Obj = { mode: { kind: 'custom', url: '/x', grouping: { algo: 'wrap' } } };
    validateConfig(spec, config);
    expect(config).toEqual({ mode: { kind: 'custom', url: '/x', method: 'POST', grouping: { algo: 'wrap', property: 'items' } } });
    const simple: Obj = { mode: { kind: 'simple' } };
    validateConfig(spec, simple);
    expect(simple).toEqual({ mode: { kind: 'simple', size: 100 } });
  });

  it('reports the problems of the chosen branch only', () => {
    expect(problemsOf({ mode: { kind: 'custom', method: 'GET' } })).toBe(
      'Config does not match the connector spec:\n  - config.mode: missing required field "url"\n  - config.mode.method: must be one of ["POST","PUT"]',
    );
  });

  it('names the choices when the config picks none', () => {
    expect(problemsOf({ mode: { kind: 'other' } })).toBe(
      'Config does not match the connector spec:\n  - config.mode: must be one of "Simple" (kind: "simple"), "Custom" (kind: "custom")',
    );
  });
});
