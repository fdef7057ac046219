/**
 * schema_normalization: Default casts values whose type disagrees with the stream's JSON schema, as
 * Airbyte's TypeTransformer does (only on mismatch; values it cannot cast are left alone). The
 * schema is compiled once into a small tree of casts, so a record costs one walk over the declared
 * properties that exist in it.
 */
import type { Obj } from '../types.js';

type Cast = (value: unknown) => unknown;

const compiled = new WeakMap<Obj, Cast>();

export function normalizerFor(schema: Obj): Cast {
  let cast = compiled.get(schema);
  if (!cast) {
    cast = compile(schema) ?? ((v) => v);
    compiled.set(schema, cast);
  }
  return cast;
}

function compile(schema: unknown): Cast | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const s = schema as Obj;
  const types = (Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type]).map(String);
  const nonNull = types.filter((t) => t !== 'null');
  const target = nonNull.length === 1 ? nonNull[0] : undefined;
  const allowsNull = types.includes('null');

  if (target === 'object' || (!target && s.properties)) {
    const props = Object.entries((s.properties ?? {}) as Obj)
      .map(([k, sub]) => [k, compile(sub)] as const)
      .filter((e): e is readonly [string, Cast] => e[1] !== undefined);
    if (props.length === 0) return undefined;
    return (value) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      const obj = value as Obj;
      for (const [k, c] of props) {
        if (k in obj) obj[k] = c(obj[k]);
      }
      return obj;
    };
  }
  if (target === 'array') {
    const item = compile(s.items);
    const itemType = s.items && typeof s.items === 'object' ? (s.items as Obj).type : undefined;
    return (value) => {
      if (Array.isArray(value)) {
        if (item) for (let i = 0; i < value.length; i++) value[i] = item(value[i]);
        return value;
      }
      // A scalar where a list of scalars is declared becomes a one-item list.
      if (itemType !== undefined && value !== null && typeof value !== 'object') return [value];
      return value;
    };
  }
  if (!target) return undefined;
  const scalar = scalarCast(target);
  if (!scalar) return undefined;
  return (value) => (value === null && allowsNull ? null : value === undefined ? value : scalar(value));
}

function scalarCast(target: string): Cast | undefined {
  switch (target) {
    case 'string':
      return (v) => (typeof v === 'string' ? v : pythonStr(v));
    case 'number':
      return (v) => {
        if (typeof v === 'number') return v;
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
        return v;
      };
    case 'integer':
      return (v) => {
        if (typeof v === 'number') return Number.isInteger(v) ? v : Math.trunc(v);
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number(v);
        return v;
      };
    case 'boolean':
      return (v) => {
        if (typeof v === 'boolean') return v;
        if (typeof v === 'string') return v.toLowerCase() === 'true';
        if (typeof v === 'number') return v !== 0;
        return v;
      };
    default:
      return undefined;
  }
}

/** Python's str() of a JSON value, which is what Airbyte emits for a non-string in a string field. */
function pythonStr(v: unknown): unknown {
  if (v === null) return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
