/**
 * URL/path templates of destination operations. Values that come from a record (and the object ID,
 * which may come from one) are URL-encoded as one path segment, so a record value like `../admin` or `a/b?x=1` can never change which endpoint
 * is called; values from config (base URL, fixed paths) are used as written.
 */
import { InterpolatedString, type InterpolationContext } from '../interpolation/index.js';
import type { Obj } from '../types.js';

interface Part {
  literal?: string;
  expression?: InterpolatedString;
  fromRecord?: boolean;
}

const EXPRESSION = /\{\{([\s\S]*?)\}\}/g;
/** Expressions whose value is encoded as one segment: record values and the operation's object ID. */
const MENTIONS_RECORD = /\b(record|records|object_id)\b/;
const MENTIONS_OBJECT_ID = /\bobject_id\b/;

export class RecordUrlTemplate {
  private readonly parts: Part[];
  readonly usesRecord: boolean;
  /** The template places the operation's object ID itself (`{{ object_id }}`). */
  readonly usesObjectId: boolean;

  /** Throws a plain Error for `{% %}` blocks: each `{{ }}` must be encodable on its own. */
  constructor(template: string, parameters: Obj) {
    if (template.includes('{%')) throw new Error('path/url templates support {{ }} expressions only, not {% %} blocks');
    this.parts = [];
    let last = 0;
    for (const m of template.matchAll(EXPRESSION)) {
      if (m.index > last) this.parts.push({ literal: template.slice(last, m.index) });
      this.parts.push({
        expression: InterpolatedString.create(m[0], { parameters }),
        fromRecord: MENTIONS_RECORD.test(m[1] ?? ''),
      });
      last = m.index + m[0].length;
    }
    if (last < template.length) this.parts.push({ literal: template.slice(last) });
    this.usesRecord = [...template.matchAll(EXPRESSION)].some((m) => /\b(record|records)\b/.test(m[1] ?? ''));
    this.usesObjectId = [...template.matchAll(EXPRESSION)].some((m) => MENTIONS_OBJECT_ID.test(m[1] ?? ''));
  }

  eval(ctx: InterpolationContext): string {
    let out = '';
    for (const part of this.parts) {
      if (part.literal !== undefined) out += part.literal;
      else if (part.fromRecord) out += encodeSegment(part.expression!.evalString(ctx));
      else out += part.expression!.evalString(ctx);
    }
    return out;
  }
}

/** encodeURIComponent leaves `.` alone, but a segment of only dots still walks up the path. */
export function encodeSegment(value: string): string {
  const encoded = encodeURIComponent(value);
  return /^\.+$/.test(encoded) ? encoded.replace(/\./g, '%2E') : encoded;
}
