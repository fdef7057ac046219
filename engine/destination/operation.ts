/**
 * DestinationOperation: one kind of write (e.g. "update_listing"). Decides which records it takes,
 * and turns one record (or one batch) into the request for the shared Requester.
 */
import type { Requester, SendArgs } from '../contracts.js';
import { InterpolatedBoolean, InterpolatedMapping, InterpolatedString, type InterpolationContext } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { ConfigError } from '../errors/manifold-error.js';
import { EMPTY_SLICE, type Obj, type RequestOptions } from '../types.js';
import { buildBatching, type Batching } from './batching.js';
import { parseHeaderText } from './header-text.js';
import { compileRecordBody, parseFieldList, type BodySpec, type RecordBody } from './record-body.js';
import { encodeSegment, RecordUrlTemplate } from './record-url.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Methods whose repetition leaves the server as one call would (RFC 9110 §9.2.2). */
const IDEMPOTENT_BY_DEFAULT = new Set(['GET', 'PUT', 'DELETE']);

/**
 * Where the object an operation acts on is named: one ID from config for every record, or a
 * record field for bulk updates. The path either places it with `{{ object_id }}` or gets it
 * appended as its last segment.
 */
export interface ObjectId {
  readonly fromConfig: string | undefined;
  readonly recordField: string | undefined;
}

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
    private readonly objectId: ObjectId,
    private readonly body: RecordBody,
    readonly contentType: 'json' | 'form',
    private readonly headers: InterpolatedMapping | Record<string, string> | undefined,
    private readonly condition: InterpolatedBoolean | undefined,
    private readonly recordKey: string[] | undefined,
    readonly batching: Batching | undefined,
    private readonly config: Obj,
    private readonly parameters: Obj,
    /** Publish/delete-like writes: a one-off test send of them needs explicit confirmation. */
    readonly destructive: boolean,
    /** Absolute URLs must stay under it: the requester's credentials go wherever the URL points. */
    private readonly urlBase: string | undefined,
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
    const id = this.objectIdOf(first.record);
    if (id !== undefined) ctx.object_id = id;
    let url = this.url.eval(ctx);
    if (id !== undefined && !this.url.usesObjectId) url = `${url.replace(/\/+$/, '')}/${encodeSegment(id)}`;
    this.checkUnderBase(url);
    const body = this.batching
      ? await this.batching.group(
          items.map((i) => i.body),
          ctx,
        )
      : first.body;
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

  private objectIdOf(record: Obj): string | undefined {
    if (this.objectId.fromConfig !== undefined) return this.objectId.fromConfig;
    const field = this.objectId.recordField;
    if (field === undefined) return undefined;
    const id = record[field];
    if (id === undefined || id === null || id === '' || typeof id === 'object')
      throw new Error(`record has no "${field}" value to use as the object ID in the URL`);
    return String(id);
  }

  /** Absolute URLs (from config or records) may not leave the requester's url_base. */
  checkUnderBase(url: string): void {
    if (!this.urlBase || !/^[a-z][a-z0-9+.-]*:/i.test(url)) return;
    const base = this.urlBase.replace(/\/+$/, '');
    if (url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`)) return;
    throw new ConfigError(
      `Operation ${this.name}: the URL ${JSON.stringify(url)} is not under ${JSON.stringify(base)}; requests (and their credentials) only go to the API's own address`,
    );
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

  // Lower-cased so a config enum can read as the user sees it ("JSON").
  const contentType = (atBuild(node.content_type ?? 'json') || 'json').toLowerCase();
  if (contentType !== 'json' && contentType !== 'form') throw ctx.error(`content_type must be json or form (got "${contentType}")`, 'content_type');

  const excludeFields = parseFieldList(typeof node.exclude_fields === 'string' ? atBuild(node.exclude_fields) : node.exclude_fields);
  const body = compileRecordBody(bodySpec(node, method, ctx), excludeFields, p);
  const batching = buildBatching(node.batching, ctx);
  if (batching && contentType === 'form') throw ctx.error('batching needs content_type json', 'batching');

  const objectId = buildObjectId(node, ctx, atBuild, url);
  // A string may be a config template (the key field the user named); rendering empty = catalog primary key.
  const keyFields = parseFieldList(typeof node.record_key === 'string' ? atBuild(node.record_key) : node.record_key);
  const recordKey = keyFields.length ? keyFields : undefined;
  const idempotent = node.idempotent === undefined ? IDEMPOTENT_BY_DEFAULT.has(method) : new InterpolatedBoolean(node.idempotent, p).eval(buildCtx);

  const requesterNode = node.requester;
  if (!requesterNode || typeof requesterNode !== 'object') throw ctx.error('no requester: give one on the operation or at the destination root', 'requester');
  const requester = ctx.build<Requester>(requesterFor(requesterNode as ManifestNode, method, idempotent), 'requester', 'HttpRequester');
  const urlBaseNode = (requesterNode as ManifestNode).url_base;
  const urlBase = typeof urlBaseNode === 'string' ? atBuild(urlBaseNode) || undefined : undefined;
  const destructive = node.destructive === undefined ? method === 'DELETE' : new InterpolatedBoolean(node.destructive, p).eval(buildCtx);

  const operation = new DestinationOperation(
    node.name,
    new Set(streams),
    method,
    idempotent,
    requester,
    url,
    objectId,
    body,
    contentType,
    compileHeaders(node.request_headers, ctx, atBuild),
    node.condition === undefined ? undefined : new InterpolatedBoolean(node.condition, p),
    recordKey,
    batching,
    ctx.config,
    p,
    destructive,
    urlBase,
  );
  if (!url.usesRecord && !url.usesObjectId) {
    // A URL that only reads config is checked now, not once per record.
    try {
      operation.checkUnderBase(url.eval({ config: ctx.config, parameters: p }));
    } catch (e) {
      throw ctx.error((e as Error).message, node.path === undefined ? 'url' : 'path');
    }
  }
  return operation;
}

/**
 * `object_id: {value, record_field}` (both config templates, read once) or the shorthand
 * `id_field`. A path that places `{{ object_id }}` cannot do without one; giving both is a
 * config mistake (which one should win?), so it is refused.
 */
function buildObjectId(node: ManifestNode, ctx: BuildContext, atBuild: (v: unknown) => string, url: RecordUrlTemplate): ObjectId {
  const spec = node.object_id;
  if (spec !== undefined && (spec === null || typeof spec !== 'object' || Array.isArray(spec)))
    throw ctx.error('object_id must be a mapping with value and/or record_field', 'object_id');
  if (spec !== undefined && node.id_field !== undefined) throw ctx.error('give object_id or id_field, not both', 'id_field');
  const o = (spec ?? {}) as Obj;
  const fromConfig = o.value === undefined ? undefined : atBuild(o.value) || undefined;
  const recordField = (o.record_field ?? node.id_field) === undefined ? undefined : atBuild(o.record_field ?? node.id_field) || undefined;
  const sources = `object_id.value ${JSON.stringify(o.value ?? null)} / object_id.record_field ${JSON.stringify(o.record_field ?? node.id_field ?? null)}`;
  if (fromConfig !== undefined && recordField !== undefined) {
    throw ctx.error(`operation ${String(node.name)}: the object ID is given twice — in the config and as a record field (${sources}); keep one`, 'object_id');
  }
  if (url.usesObjectId && fromConfig === undefined && recordField === undefined) {
    throw ctx.error(
      `operation ${String(node.name)} needs the object's ID: set it in the config or name the record field holding it (${sources} rendered empty)`,
      'object_id',
    );
  }
  return { fromConfig, recordField };
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
  try {
    return parseHeaderText(atBuild(value));
  } catch (e) {
    throw ctx.error(`request_headers: ${(e as Error).message}`, 'request_headers');
  }
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
