/**
 * What an operation sends for one record: the record itself, the record minus some fields, an
 * interpolated template, a JSONata expression, or nothing (DELETE). Compiled once per operation.
 */
import { jsonata } from '../extract/jsonata.js';
import { InterpolatedMapping, InterpolatedString, type InterpolationContext } from '../interpolation/index.js';
import type { Obj } from '../types.js';
import { assignOwn } from '../extract/dpath.js';

export interface RecordBody {
  /** Body for one record; undefined means "send no body". */
  render(record: Obj, ctx: InterpolationContext): Promise<unknown>;
}

export type BodySpec = 'record' | 'none' | { template: unknown } | { jsonata: string };

export function compileRecordBody(spec: BodySpec, excludeFields: string[], parameters: Obj): RecordBody {
  if (spec === 'none') return { render: async () => undefined };
  if (spec === 'record') return recordBody(excludeFields);
  if ('template' in spec) {
    const mapping =
      typeof spec.template === 'string' ? InterpolatedString.create(spec.template, { parameters }) : new InterpolatedMapping(spec.template, parameters);
    return { render: async (_record, ctx) => mapping.eval(ctx) };
  }
  const expression = jsonata(spec.jsonata);
  return {
    render: async (record, ctx) => expression.evaluate(record, { config: ctx.config, stream: ctx.stream }),
  };
}

function recordBody(excludeFields: string[]): RecordBody {
  if (excludeFields.length === 0) return { render: async (record) => record };
  const excluded = new Set(excludeFields);
  return {
    // A filtered shallow copy: the record itself stays intact for keys, dead letters and reports.
    render: async (record) => {
      const out: Obj = {};
      for (const key in record) if (!excluded.has(key)) assignOwn(out, key, record[key]);
      return out;
    },
  };
}

/** `exclude_fields` given as a list, or as one comma-separated string (manual mode from config). */
export function parseFieldList(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  const items = Array.isArray(value) ? value : String(value).split(',');
  return items.map((f) => String(f).trim()).filter(Boolean);
}
