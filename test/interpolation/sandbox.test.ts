import { describe, it, expect } from '@jest/globals';
import { InterpolatedString, type InterpolationContext } from '../../engine/interpolation/index.js';
import { ManifoldError } from '../../engine/errors/manifold-error.js';

const leaked: string[] = [];
const ctx: InterpolationContext = {
  config: { api_key: 'k' },
  record: { id: 1, fn: () => leaked.push('called'), nested: { toString: () => 'x' } },
  response: JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>,
};

const evalT = (t: string): unknown => InterpolatedString.create(t).eval(ctx);

describe('sandbox', () => {
  it.each([
    '{{ config.constructor }}',
    '{{ config.__proto__ }}',
    "{{ config['__proto__'] }}",
    "{{ config['constructor'] }}",
    '{{ config.prototype }}',
    "{{ ''.constructor }}",
    "{{ ''.constructor.constructor('return process')() }}",
    '{{ [].constructor }}',
    '{{ config.get.constructor }}',
    '{{ now_utc.constructor }}',
    '{{ now_utc().constructor }}',
    '{{ now_utc().toDate() }}',
    '{{ now_utc().epochMicros }}',
    '{{ record.hasOwnProperty }}',
    '{{ record.valueOf() }}',
    '{{ config.api_key.__class__ }}',
    '{{ 1 .constructor }}',
  ])('%s reaches nothing', (template) => {
    expect(evalT(template)).toBeUndefined();
  });

  it.each(['{{ process }}', '{{ globalThis }}', "{{ require('fs') }}", '{{ eval("1") }}', '{{ Function }}', '{{ range(10) }}', '{{ getattr(config, "a") }}'])(
    '%s is an undeclared variable',
    (template) => {
      expect(() => evalT(template)).toThrow(ManifoldError);
    },
  );

  it('never calls functions found in data', () => {
    expect(() => evalT('{{ record.fn() }}')).toThrow(/not callable/);
    expect(() => evalT('{{ record.nested.toString() }}')).toThrow(/not callable/);
    expect(leaked).toEqual([]);
  });

  it('treats a JSON "__proto__" key as plain data and does not pollute prototypes', () => {
    expect(evalT('{{ response.a }}')).toBe(1);
    expect(evalT("{{ response['__proto__'] }}")).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not let set/for assign onto context objects', () => {
    expect(evalT('{% set config = 1 %}{{ config }}')).toBe(1);
    expect(ctx.config).toEqual({ api_key: 'k' });
    expect(evalT('{% set constructor = 2 %}{{ constructor }}')).toBe(2);
  });

  it('rejects Python escape hatches at parse time', () => {
    expect(() => InterpolatedString.create('{{ import os) }}')).toThrow(ManifoldError);
    expect(() => InterpolatedString.create('{{ [a for a in range(1000000000)] }}')).toThrow(ManifoldError);
    expect(() => InterpolatedString.create('{% macro x() %}{% endmacro %}')).toThrow(ManifoldError);
  });
});

describe('rendered dicts with a __proto__ key', () => {
  it('type into a plain dict whose __proto__ is an own key, not a prototype', () => {
    const v = InterpolatedString.create("{{ config['raw'] }}").eval({ config: { raw: "{'__proto__': {'polluted': 1}, 'a': 2}" } }) as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(v.polluted).toBeUndefined();
    expect(JSON.stringify(v)).toBe('{"__proto__":{"polluted":1},"a":2}');
  });
});
