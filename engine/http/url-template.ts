/**
 * An interpolated url_base / url / path whose config values cannot change the URL's shape.
 *
 * Values from `config` and from slices (partition ids come from API responses) that land in the
 * host must be a host name. After the host, a config value written as a plain reference
 * (`{{ config['user_id'] }}`) stays one path segment (escaped), so whoever fills in the config
 * cannot point the connector's credentials at another endpoint; a slice value, or an expression
 * composing text around config values, is inserted as Airbyte's CDK inserts it (an `owner/repo`
 * partition adds a path segment, as GitHub-style APIs expect), with only what a URL cannot hold
 * percent-encoded; credentials still go only to the url_base's origin (http-requester.ts). The manifest's own text, `parameters` and `next_page_token` are trusted as
 * written, and a config value that *starts* a url/url_base is the base URL the user chose, so it
 * is kept as is.
 */
import { InterpolatedString, type InterpolationContext } from '../interpolation/index.js';
import { checkHostPart, encodePathSegment, requoteUri } from './url.js';

/** `untrusted`: the expression reads config (`config`) or only slice values (`slice`), else it is manifest text. */
type Part = { literal: string } | { expr: InterpolatedString; untrusted: 'config' | 'slice' | false; source: string };

const EXPRESSION = /\{\{[\s\S]*?\}\}/g;
const CONFIG_ROOT = /\bconfig\b/;
/**
 * An expression that is a config value as it is (`config['x']`, `config.x.y`, `config.get('x')`),
 * which is what the user's input can change. An expression that builds text around config
 * values (`'calendars/' ~ (config['id'] | urlencode)`, a conditional) is the manifest author's
 * composition: its output is inserted as the CDK inserts it.
 */
const CONFIG_VALUE = /^\{\{-?\s*config(?:\s*\[\s*(?:'[^']*'|"[^"]*"|\d+)\s*\]|\.[A-Za-z_]\w*|\.get\(\s*(?:'[^']*'|"[^"]*")\s*\))+\s*-?\}\}$/;
const SLICE_ROOT = /\b(stream_slice|stream_partition|stream_interval)\b/;

export class UrlTemplate {
  private readonly parts: Part[];
  readonly isStatic: boolean;

  /** `kind` says where the rendered text goes: a whole URL (url, url_base) or a path. */
  constructor(
    template: unknown,
    private readonly kind: 'url' | 'path',
    parameters: unknown,
    private readonly field: string,
  ) {
    const text = template === undefined || template === null ? '' : String(template);
    const params = { parameters: parameters as Record<string, unknown> };
    this.isStatic = !text.includes('{{') && !text.includes('{%');
    if (this.isStatic) {
      this.parts = [{ literal: text }];
    } else if (text.includes('{%')) {
      // Statements can move text around; the whole render is treated as trusted manifest text.
      this.parts = [{ expr: InterpolatedString.create(text, params), untrusted: false, source: text }];
    } else {
      this.parts = [];
      let last = 0;
      for (const m of text.matchAll(EXPRESSION)) {
        if (m.index > last) this.parts.push({ literal: text.slice(last, m.index) });
        this.parts.push({
          expr: InterpolatedString.create(m[0], params),
          untrusted: CONFIG_VALUE.test(m[0]) ? 'config' : CONFIG_ROOT.test(m[0]) || SLICE_ROOT.test(m[0]) ? 'slice' : false,
          source: m[0],
        });
        last = m.index + m[0].length;
      }
      if (last < text.length) this.parts.push({ literal: text.slice(last) });
    }
  }

  /** `onEmpty` hears of each expression that rendered as nothing (its source text), for a hint. */
  render(ctx: InterpolationContext, onEmpty?: (source: string) => void): string {
    let out = '';
    for (const part of this.parts) {
      if ('literal' in part) {
        out += part.literal;
        continue;
      }
      const value = part.expr.evalString(ctx);
      if (value === '' && onEmpty) onEmpty(part.source);
      out += part.untrusted ? this.escape(value, out, part.source, part.untrusted) : value;
    }
    return out;
  }

  private escape(value: string, before: string, source: string, from: 'config' | 'slice'): string {
    const what = `${this.field} ${source}`;
    const afterHost = (inQuery: boolean): string =>
      from === 'slice' ? requoteUri(value) : inQuery ? encodeURIComponent(value) : encodePathSegment(value, what);
    if (this.kind === 'path') return afterHost(before.includes('?'));
    const scheme = before.indexOf('://');
    if (scheme < 0) return value;
    const pathStart = before.indexOf('/', scheme + 3);
    if (pathStart < 0) return checkHostPart(value, what);
    return afterHost(before.includes('?', pathStart));
  }
}
