/**
 * RequestOption / RequestPath: where a value (page token, page size, cursor bound, partition id)
 * goes in a request. Paginators, cursors and routers build one and call `inject()`.
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { InterpolatedString } from '../interpolation/index.js';
import type { Obj, RequestOptions } from '../types.js';

export type InjectInto = 'request_parameter' | 'header' | 'body_data' | 'body_json' | 'path';

export class RequestOption {
  constructor(
    readonly injectInto: InjectInto,
    /** Field name, or the nested path for body_json (`field_path`). */
    readonly fieldPath: string[],
  ) {}

  get isPath(): boolean {
    return this.injectInto === 'path';
  }

  /** Writes `value` into `target` (creating the params/headers/body maps it needs). */
  inject(target: Partial<RequestOptions>, value: unknown): void {
    if (value === undefined || value === null || this.isPath) return;
    const [first, ...rest] = this.fieldPath;
    if (first === undefined) return;
    switch (this.injectInto) {
      case 'request_parameter':
        (target.params ??= {})[first] = value;
        return;
      case 'header':
        (target.headers ??= {})[first] = String(value);
        return;
      case 'body_data': {
        const body = (typeof target.bodyData === 'object' && target.bodyData) || {};
        body[first] = value;
        target.bodyData = body;
        return;
      }
      case 'body_json': {
        let node = (target.bodyJson && !Array.isArray(target.bodyJson) ? target.bodyJson : {}) as Obj;
        target.bodyJson = node;
        for (const key of rest.length ? [first, ...rest.slice(0, -1)] : []) {
          const next = node[key];
          node = (next && typeof next === 'object' ? next : (node[key] = {})) as Obj;
        }
        node[rest.length ? rest[rest.length - 1]! : first] = value;
        return;
      }
    }
  }
}

export function buildRequestOption(node: ManifestNode, ctx: BuildContext): RequestOption {
  const injectInto = String(node.inject_into ?? 'request_parameter') as InjectInto;
  if (!['request_parameter', 'header', 'body_data', 'body_json'].includes(injectInto)) {
    throw ctx.error(`inject_into must be one of request_parameter, header, body_data, body_json (got "${injectInto}")`, 'inject_into');
  }
  const render = (v: unknown): string =>
    InterpolatedString.create(v, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters });
  let path: string[];
  if (Array.isArray(node.field_path) && node.field_path.length > 0) path = node.field_path.map(render);
  else if (node.field_name !== undefined) path = [render(node.field_name)];
  else throw ctx.error('RequestOption needs field_name (or field_path for body_json)');
  return new RequestOption(injectInto, path);
}

registerComponent('RequestOption', buildRequestOption, 'Injects a value into a query parameter, header or body field.');
registerComponent('RequestPath', () => new RequestOption('path', []), 'Uses the value (a full next-page URL or path) as the request path.');
