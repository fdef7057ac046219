/**
 * DynamicSchemaLoader: the stream's JSON schema built from an endpoint that describes its fields,
 * as Airbyte's CDK builds it. The first record its retriever reads holds the field list (at
 * schema_pointer); each field gives a name (key_pointer) and a type (type_pointer, default
 * "string"), which types_mapping may replace (first matching entry whose condition holds, with the
 * field as `raw_schema`) by an Airbyte type, a pair of them (oneOf) or an array of typed items.
 * schema_filter then keeps some `{name: type}` entries and schema_transformations reshape the
 * properties. Only discover (and whoever asks for the schema) sends the request.
 */
import type { RecordFilter, RecordTransformation, Retriever } from '../contracts.js';
import { ConfigError } from '../errors/manifold-error.js';
import { getPath } from '../extract/dpath.js';
import { InterpolatedBoolean, InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { EMPTY_SLICE, type Obj } from '../types.js';
import type { SchemaLoader } from './schema-loader.js';

const AIRBYTE_TYPES: Readonly<Record<string, Obj>> = {
  string: { type: ['null', 'string'] },
  boolean: { type: ['null', 'boolean'] },
  date: { type: ['null', 'string'], format: 'date' },
  timestamp_without_timezone: { type: ['null', 'string'], format: 'date-time', airbyte_type: 'timestamp_without_timezone' },
  timestamp_with_timezone: { type: ['null', 'string'], format: 'date-time' },
  time_without_timezone: { type: ['null', 'string'], format: 'time', airbyte_type: 'time_without_timezone' },
  time_with_timezone: { type: ['null', 'string'], format: 'time', airbyte_type: 'time_with_timezone' },
  integer: { type: ['null', 'integer'] },
  number: { type: ['null', 'number'] },
  array: { type: ['null', 'array'] },
  object: { type: ['null', 'object'] },
};

/** TypesMap.target_type: a type name, two of them, or `{field_type: array, items}` (ComplexFieldType). */
type TargetType = string | string[] | { field_type: string; items?: TargetType };

interface TypesMap {
  target: TargetType;
  current: unknown;
  condition: InterpolatedBoolean;
}

export class DynamicSchemaLoader implements SchemaLoader {
  constructor(
    private readonly retriever: Retriever,
    private readonly streamName: string,
    private readonly pointers: { schema: InterpolatedString[]; key: InterpolatedString[]; type: InterpolatedString[] | undefined },
    private readonly typesMapping: TypesMap[],
    private readonly filter: RecordFilter | undefined,
    private readonly transformations: RecordTransformation[],
    private readonly config: Obj,
    private readonly where: string,
  ) {}

  async getJsonSchema(): Promise<Obj> {
    const first = await this.firstRecord();
    const fields = first === undefined ? [] : this.extract(first, this.pointers.schema);
    let properties: Obj = {};
    for (const field of Array.isArray(fields) ? fields : []) {
      const key = this.extract(field, this.pointers.key);
      if (typeof key !== 'string') throw new ConfigError(`${this.where}: a field's key_pointer must lead to a string, got ${JSON.stringify(key)}`);
      properties[key] = this.typeOf(field as Obj);
    }
    if (this.filter) {
      const kept: Obj = {};
      for (const [key, value] of Object.entries(properties)) {
        const entry = { [key]: value };
        if (this.filter.matchesAsync ? await this.filter.matchesAsync(entry, recordContext) : this.filter.matches(entry, recordContext))
          Object.assign(kept, entry);
      }
      properties = kept;
    }
    for (const t of this.transformations) {
      if (t.transformAsync) await t.transformAsync(properties, recordContext);
      else t.transform(properties, recordContext);
    }
    return { $schema: 'https://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: true, properties };
  }

  private async firstRecord(): Promise<unknown> {
    const records = this.retriever.readSlice({ stream: this.streamName, slice: EMPTY_SLICE, extra: [], readAhead: false, maxPages: 1 });
    for await (const record of records) return record;
    return undefined;
  }

  private extract(body: unknown, pointer: InterpolatedString[] | undefined): unknown {
    if (!pointer || pointer.length === 0) return body;
    return getPath(
      body,
      pointer.map((p) => p.evalString({ config: this.config })),
    );
  }

  private typeOf(field: Obj): Obj {
    const raw = this.pointers.type ? (this.extract(field, this.pointers.type) ?? 'string') : 'string';
    const mapped = this.typesMapping.find((m) => sameType(raw, m.current) && m.condition.eval({ config: this.config, raw_schema: field }))?.target ?? raw;
    if (Array.isArray(mapped) && mapped.length === 2 && mapped.every((t) => typeof t === 'string')) {
      return { oneOf: [this.airbyteType(mapped[0]!), this.airbyteType(mapped[1]!)] };
    }
    if (typeof mapped === 'string') return this.airbyteType(mapped);
    if (mapped && typeof mapped === 'object' && !Array.isArray(mapped) && typeof (mapped as Obj).field_type === 'string') {
      return this.complexType(mapped as { field_type: string; items?: TargetType });
    }
    throw new ConfigError(`${this.where}: a field type must be a type name or a pair of them, got ${JSON.stringify(mapped)}`);
  }

  private complexType(t: { field_type: string; items?: TargetType }): Obj {
    const out = this.airbyteType(t.field_type);
    if (t.items === undefined || t.items === null) return out;
    out.items = typeof t.items === 'string' ? this.airbyteType(t.items) : this.complexType(t.items as { field_type: string; items?: TargetType });
    return out;
  }

  private airbyteType(name: string): Obj {
    const known = AIRBYTE_TYPES[name];
    if (!known) throw new ConfigError(`${this.where}: "${name}" is not an Airbyte data type (one of ${Object.keys(AIRBYTE_TYPES).join(', ')})`);
    return structuredClone(known);
  }
}

const recordContext = { slice: EMPTY_SLICE, nextPageToken: undefined };

function sameType(a: unknown, b: unknown): boolean {
  return a === b || (Array.isArray(a) && Array.isArray(b) && JSON.stringify(a) === JSON.stringify(b));
}

export function buildDynamicSchemaLoader(node: ManifestNode, ctx: BuildContext): DynamicSchemaLoader {
  if (!node.retriever || typeof node.retriever !== 'object') throw ctx.error('DynamicSchemaLoader needs a retriever', 'retriever');
  const identifier = node.schema_type_identifier as ManifestNode | undefined;
  if (!identifier || typeof identifier !== 'object') throw ctx.error('DynamicSchemaLoader needs a schema_type_identifier', 'schema_type_identifier');
  const pointer = (value: unknown, field: string): InterpolatedString[] | undefined => {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw ctx.error(`${field} must be a list of keys`, 'schema_type_identifier');
    return value.map((p) => InterpolatedString.create(String(p), { parameters: ctx.parameters }));
  };
  const key = pointer(identifier.key_pointer, 'key_pointer');
  if (!key) throw ctx.error('SchemaTypeIdentifier needs a key_pointer', 'schema_type_identifier');
  const typesMapping = (Array.isArray(identifier.types_mapping) ? (identifier.types_mapping as ManifestNode[]) : []).map(
    (m): TypesMap => ({
      target: m.target_type as TargetType,
      current: m.current_type,
      condition: new InterpolatedBoolean(m.condition ?? 'True', ctx.parameters),
    }),
  );
  const transformations = Array.isArray(node.schema_transformations)
    ? node.schema_transformations.map((t, i) => ctx.build<RecordTransformation>(t, `schema_transformations[${i}]`))
    : [];
  return new DynamicSchemaLoader(
    ctx.build<Retriever>(node.retriever, 'retriever', 'SimpleRetriever'),
    `${ctx.path}.retriever`,
    { schema: pointer(identifier.schema_pointer, 'schema_pointer') ?? [], key, type: pointer(identifier.type_pointer, 'type_pointer') },
    typesMapping,
    ctx.buildOptional<RecordFilter>(node.schema_filter, 'schema_filter', 'RecordFilter'),
    transformations,
    ctx.config,
    ctx.path,
  );
}

registerComponent('DynamicSchemaLoader', buildDynamicSchemaLoader, 'Schema built at discover time from an endpoint describing the fields.');
