/**
 * DestinationOperation: one kind of write (e.g. "update_listing"). Decides which records it takes,
 * and turns one record (or one batch) into the request for the shared Requester.
 */
import type { Requester, SendArgs } from '../contracts.js';
import { InterpolatedBoolean, InterpolatedMapping, InterpolatedString, type InterpolationContext } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { EMPTY_SLICE, type Obj, type RequestOptions } from '../types.js';
import { buildBatching, type Batching } from './batching.js';
import { compileRecordBody, parseFieldList, type BodySpec, type RecordBody } from './record-body.js';
import { encodeSegment, RecordUrlTemplate } from './record-url.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Methods whose repetition leaves the server as one call would (RFC 9110 §9.2.2). */
const IDEMPOTENT_BY_DEFAULT = new Set(['GET', 'PUT', 'DELETE']);

export interface PendingWrite {
  stream: string;
  record: Obj;
  body: unknown;
  /** Identifies the record in reports, dead letters and errors. */
  key: unknown;
}

export class DestinationOperation {
  constructor(
    readonly name: string,
    /** Catalog streams this operation consumes; `*` = every stream. */
    private readonly streams: Set<string>,
    readonly method: string,
    readonly idempotent: boolean,
    readonly requester: Requester,
    private readonly url: RecordUrlTemplate,
    /** Record field appended (encoded) as the last URL segment; manual mode's "id at the end". */
    private readonly idField: string | undefined,
    private readonly body: RecordBody,
    readonly contentType: 'json' | 'form',
    private readonly headers: InterpolatedMapping | Record<string, string> | undefined,
    private readonly condition: InterpolatedBoolean | undefined,
    private readonly recordKey: string[] | undefined,
    readonly batching: Batching | undefined,
    private readonly config: Obj,
    private readonly parameters: Obj,
  ) {}

  consumes(stream: string): boolean {
    return this.streams.has(stream) || this.streams.has('*');
  }

  context(stream: string, record: Obj, records?: Obj[]): InterpolationContext {
    return { config: this.config, parameters: this.parameters, record, records, stream };
  }

  appliesTo(ctx: InterpolationContext): boolean {
    return this.condition ? this.condition.eval(ctx) : true;
  }

  /** Key of a record for reports: one value, or a mapping when several fields identify it. */
  keyOf(record: Obj, fallback: string[] | undefined): unknown {
    const fields = this.recordKey ?? fallback;
    if (!fields || fields.length === 0) return undefined;
    if (fields.length === 1) return record[fields[0]!];
    return Object.fromEntries(fields.map((f) => [f, record[f]]));
  }

  async render(stream: string, record: Obj, ctx: InterpolationContext, key: unknown): Promise<PendingWrite> {
    return { stream, record, key, body: await this.body.render(record, ctx) };
  }

  /** The request for one write or one batch (the path is taken from the batch's first record). */
  async request(items: PendingWrite[]): Promise<SendArgs> {
    const first = items[0]!;
    const records = items.map((i) => i.record);
    const ctx = this.context(first.stream, first.record, records);
    let url = this.url.eval(ctx);
    if (this.idField) {
      const id = first.record[this.idField];
      if (id === undefined || id === null || id === '') throw new Error(`record has no "${this.idField}" to put at the end of the URL`);
      url = `${url.replace(/\/+$/, '')}/${encodeSegment(String(id))}`;
    }
    const body = this.batching ? await this.batching.group(items.map((i) => i.body), ctx) : first.body;
    const options: Partial<RequestOptions> = { headers: this.headerValues(ctx) };
    if (body !== undefined) {
      if (this.contentType === 'form') options.bodyData = body as Obj;
      else options.bodyJson = body as Obj;
    }
    return {
      stream: first.stream,
      slice: EMPTY_SLICE,
      nextPageToken: undefined,
      extra: [options],
      pathOverride: url,
      idempotent: this.idempotent,
      methodOverride: this.method,
    };
  }

  private headerValues(ctx: InterpolationContext): Record<string, string> {
    if (!this.headers) return {};
    if (!(this.headers instanceof InterpolatedMapping)) return this.headers;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.headers.eval(ctx))) if (v !== undefined && v !== null && v !== '') out[k] = String(v);
    return out;
  }
}

export function buildDestinationOperation(node: ManifestNode, ctx: BuildContext): DestinationOperation | undefined {
  const p = ctx.parameters;
  const buildCtx = { config: ctx.config, parameters: p };
  const atBuild = (v: unknown): string => InterpolatedString.create(v, { parameters: p }).evalString(buildCtx).trim();

  if (typeof node.name !== 'string' || !node.name) throw ctx.error('a destination operation needs a name', 'name');
  if (node.enabled !== undefined && !new InterpolatedBoolean(node.enabled, p).eval(buildCtx)) return undefined;

  // Entries may be config templates; one rendering `a,b` names several streams (manual mode).
  const streams = Array.isArray(node.streams) ? node.streams.flatMap((s) => parseFieldList(atBuild(s))) : [];
  if (streams.length === 0) throw ctx.error('streams must list the catalog streams this operation consumes', 'streams');

  const method = (atBuild(node.http_method ?? 'POST') || 'POST').toUpperCase();
  if (!METHODS.includes(method)) throw ctx.error(`http_method must be one of ${METHODS.join(', ')} (got "${method}")`, 'http_method');

  if ((node.path === undefined) === (node.url === undefined)) throw ctx.error('give exactly one of path or url', node.path === undefined ? undefined : 'url');
  let url: RecordUrlTemplate;
  try {
    url = new RecordUrlTemplate(String(node.path ?? node.url), p);
  } catch (e) {
    throw ctx.error((e as Error).message, node.path === undefined ? 'url' : 'path');
  }

  const contentType = atBuild(node.content_type ?? 'json') || 'json';
  if (contentType !== 'json' && contentType !== 'form') throw ctx.error(`content_type must be json or form (got "${contentType}")`, 'content_type');

  const excludeFields = parseFieldList(typeof node.exclude_fields === 'string' ? atBuild(node.exclude_fields) : node.exclude_fields);
  const body = compileRecordBody(bodySpec(node, method, ctx), excludeFields, p);
  const batching = buildBatching(node.batching, ctx);
  if (batching && contentType === 'form') throw ctx.error('batching needs content_type json', 'batching');

  const idField = node.id_field === undefined ? undefined : atBuild(node.id_field) || undefined;
  const recordKey = node.record_key === undefined ? undefined : parseFieldList(node.record_key);
  const idempotent = node.idempotent === undefined ? IDEMPOTENT_BY_DEFAULT.has(method) : new InterpolatedBoolean(node.idempotent, p).eval(buildCtx);

  const requesterNode = node.requester;
  if (!requesterNode || typeof requesterNode !== 'object') throw ctx.error('no requester: give one on the operation or at the destination root', 'requester');
  const requester = ctx.build<Requester>(requesterFor(requesterNode as ManifestNode, method, idempotent), 'requester', 'HttpRequester');

  return new DestinationOperation(
    node.name,
    new Set(streams),
    method,
    idempotent,
    requester,
    url,
    idField,
    body,
    contentType,
    compileHeaders(node.request_headers, ctx, atBuild),
    node.condition === undefined ? undefined : new InterpolatedBoolean(node.condition, p),
    recordKey,
    batching,
    ctx.config,
    p,
  );
}

function bodySpec(node: ManifestNode, method: string, ctx: BuildContext): BodySpec {
  const body = node.body ?? (method === 'DELETE' || method === 'GET' ? 'none' : 'record');
  if (body === 'record' || body === 'none') return body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const spec = body as Obj;
    if ('template' in spec && !('jsonata' in spec)) return { template: spec.template };
    if ('jsonata' in spec && !('template' in spec) && typeof spec.jsonata === 'string') return { jsonata: spec.jsonata };
  }
  throw ctx.error('body must be "record", "none", {template: ...} or {jsonata: "<expression>"}', 'body');
}

/** Headers as a mapping (interpolated per record) or as `h1:v1,h2:v2` text (manual mode, from config). */
function compileHeaders(value: unknown, ctx: BuildContext, atBuild: (v: unknown) => string): InterpolatedMapping | Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return new InterpolatedMapping(value, ctx.parameters);
  if (typeof value !== 'string') throw ctx.error('request_headers must be a mapping or "name:value,name:value" text', 'request_headers');
  const headers: Record<string, string> = {};
  for (const pair of atBuild(value).split(',')) {
    if (!pair.trim()) continue;
    const colon = pair.indexOf(':');
    if (colon <= 0) throw ctx.error(`request_headers entry "${pair.trim()}" is not "name:value"`, 'request_headers');
    headers[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * The operation's own copy of the shared requester node, with its method; a non-idempotent write
 * gets its error handler wrapped so nothing that may have reached the server is sent twice.
 */
function requesterFor(node: ManifestNode, method: string, idempotent: boolean): ManifestNode {
  const copy: ManifestNode = { ...node, http_method: method };
  if (!idempotent) copy.error_handler = { type: 'WriteOnceErrorHandler', http_method: method, error_handler: node.error_handler };
  return copy;
}

registerComponent('DestinationOperation', buildDestinationOperation, 'One write operation of a DeclarativeDestination: which records, which request.');
