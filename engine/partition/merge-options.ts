/** Merges request-option contributions of several routers (later ones win on conflicts). */
import type { Obj, RequestOptions } from '../types.js';

export function mergeRequestOptions(parts: Array<Partial<RequestOptions>>): Partial<RequestOptions> {
  const out: Partial<RequestOptions> = {};
  for (const p of parts) {
    if (p.params) out.params = { ...out.params, ...p.params };
    if (p.headers) out.headers = { ...out.headers, ...p.headers };
    if (p.bodyJson && !Array.isArray(p.bodyJson)) out.bodyJson = { ...(out.bodyJson as Obj | undefined), ...p.bodyJson };
    else if (p.bodyJson) out.bodyJson = p.bodyJson;
    if (p.bodyData && typeof p.bodyData === 'object') out.bodyData = { ...(out.bodyData as Obj | undefined), ...p.bodyData };
    else if (p.bodyData !== undefined) out.bodyData = p.bodyData;
  }
  return out;
}
