/**
 * `$parameters` propagation and default `type`s, with the semantics of Airbyte's
 * ManifestComponentTransformer: a component's parameters are its parent's merged with its own
 * (own win, unless use_parent_parameters), copied onto the component's empty same-named fields,
 * and a child without `type` gets the default for `<ParentType>.<field>`.
 *
 * The output is a fresh tree; each node's origin keeps where its content was written and records
 * the component path where it is used, which is what error messages show.
 */
import { childPath, getOrigin, setOrigin } from './locations.js';

const PARAMETERS = '$parameters';

/** `<ParentType>.<field>` → the type a child without `type` gets. */
export const DEFAULT_MODEL_TYPES: Readonly<Record<string, string>> = {
  'CompositeErrorHandler.error_handlers': 'DefaultErrorHandler',
  'CursorPagination.decoder': 'JsonDecoder',
  'DatetimeBasedCursor.end_datetime': 'MinMaxDatetime',
  'DatetimeBasedCursor.end_time_option': 'RequestOption',
  'DatetimeBasedCursor.start_datetime': 'MinMaxDatetime',
  'DatetimeBasedCursor.start_time_option': 'RequestOption',
  'DeclarativeSource.check': 'CheckStream',
  'DeclarativeSource.spec': 'Spec',
  'DeclarativeSource.streams': 'DeclarativeStream',
  'DeclarativeStream.retriever': 'SimpleRetriever',
  'DeclarativeStream.schema_loader': 'JsonFileSchemaLoader',
  'DynamicDeclarativeStream.stream_template': 'DeclarativeStream',
  'DynamicDeclarativeStream.components_resolver': 'ConfigComponentResolver',
  'HttpComponentsResolver.retriever': 'SimpleRetriever',
  'HttpComponentsResolver.components_mapping': 'ComponentMappingDefinition',
  'ConfigComponentsResolver.stream_config': 'StreamConfig',
  'ConfigComponentsResolver.components_mapping': 'ComponentMappingDefinition',
  'DefaultErrorHandler.response_filters': 'HttpResponseFilter',
  'DefaultPaginator.decoder': 'JsonDecoder',
  'DefaultPaginator.page_size_option': 'RequestOption',
  'DpathExtractor.decoder': 'JsonDecoder',
  'DpathExtractor.record_expander': 'RecordExpander',
  'HttpRequester.error_handler': 'DefaultErrorHandler',
  'ListPartitionRouter.request_option': 'RequestOption',
  'ParentStreamConfig.request_option': 'RequestOption',
  'ParentStreamConfig.stream': 'DeclarativeStream',
  'RecordSelector.extractor': 'DpathExtractor',
  'RecordSelector.record_filter': 'RecordFilter',
  'SimpleRetriever.paginator': 'NoPagination',
  'SimpleRetriever.record_selector': 'RecordSelector',
  'SimpleRetriever.requester': 'HttpRequester',
  'SubstreamPartitionRouter.parent_stream_configs': 'ParentStreamConfig',
  'AddFields.fields': 'AddedFieldDefinition',
  'CustomPartitionRouter.parent_stream_configs': 'ParentStreamConfig',
  'DynamicSchemaLoader.retriever': 'SimpleRetriever',
  'SchemaTypeIdentifier.types_map': 'TypesMap',
  'StreamGroup.streams': 'DeclarativeStream',
  // Ours.
  'TwoStepCursorPaginator.start_request': 'HttpRequester',
  'TwoStepCursorPaginator.page_size_option': 'RequestOption',
};

/** Fields holding a name → component map rather than a single component. */
const MAP_OF_COMPONENTS: Readonly<Record<string, string>> = {
  'DeclarativeSource.stream_groups': 'StreamGroup',
};

/** Custom (Python class) components carry `class_name`; their default type depends on the field. */
const CUSTOM_COMPONENT_TYPES: Readonly<Record<string, string>> = {
  'CompositeErrorHandler.backoff_strategies': 'CustomBackoffStrategy',
  'DeclarativeStream.retriever': 'CustomRetriever',
  'DeclarativeStream.transformations': 'CustomTransformation',
  'DefaultErrorHandler.backoff_strategies': 'CustomBackoffStrategy',
  'DefaultPaginator.pagination_strategy': 'CustomPaginationStrategy',
  'HttpRequester.authenticator': 'CustomAuthenticator',
  'HttpRequester.error_handler': 'CustomErrorHandler',
  'RecordSelector.extractor': 'CustomRecordExtractor',
  'SimpleRetriever.partition_router': 'CustomPartitionRouter',
};

type Mapping = Record<string, unknown>;

export interface PropagateOptions {
  /** Parent parameters win over a component's own (Airbyte's use_parent_parameters). */
  useParentParameters?: boolean | undefined;
}

export function propagateTypesAndParameters(
  component: Mapping,
  options: PropagateOptions = {},
  parentField = '',
  parentParameters: Mapping = {},
  path = '',
): Mapping {
  return new Transformer(!!options.useParentParameters).component(component, parentField, parentParameters, path);
}

class Transformer {
  constructor(private readonly parentWins: boolean) {}

  component(source: Mapping, parentField: string, parentParameters: Mapping, path: string): Mapping {
    const node = shallowCopy(source, path);
    if (!('type' in node)) {
      const found = ('class_name' in node ? CUSTOM_COMPONENT_TYPES : DEFAULT_MODEL_TYPES)[parentField];
      if (found) node.type = found;
    }

    const own = isMapping(node[PARAMETERS]) ? node[PARAMETERS] : {};
    delete node[PARAMETERS];
    const parameters: Mapping = this.parentWins ? { ...own, ...parentParameters } : { ...parentParameters, ...own };

    // JSON schemas (inline stream schemas, connection_specification) are data, not components.
    if (isJsonSchemaObject(node)) return deepCopy(node, path) as Mapping;

    if (!('type' in node)) {
      for (const [field, value] of Object.entries(node)) {
        node[field] =
          isMapping(value) && value.type ? this.component(value, parentField, parameters, childPath(path, field)) : deepCopy(value, childPath(path, field));
      }
      return node;
    }

    for (const [key, value] of Object.entries(parameters)) {
      if (!pythonTruthy(node[key])) node[key] = value;
    }

    const type = String(node.type);
    for (const [field, value] of Object.entries(node)) {
      const fieldPath = childPath(path, field);
      const identifier = `${type}.${field}`;
      if (!isMapping(value) && !Array.isArray(value)) continue;
      // A parameter named like the field it would flow into would nest itself forever.
      const childParameters = Object.hasOwn(parameters, field) ? withoutKey(parameters, field) : parameters;
      if (Array.isArray(value)) {
        const list = value.map((element, i) =>
          isMapping(element) ? this.component(element, identifier, childParameters, childPath(fieldPath, i)) : deepCopy(element, childPath(fieldPath, i)),
        );
        copyOrigin(value, list, fieldPath);
        node[field] = list;
        continue;
      }
      const mapType = MAP_OF_COMPONENTS[identifier];
      if (mapType) {
        const map = shallowCopy(value, fieldPath);
        for (const [name, entry] of Object.entries(map)) {
          if (!isMapping(entry)) continue;
          map[name] = this.component('type' in entry ? entry : { ...entry, type: mapType }, identifier, childParameters, childPath(fieldPath, name));
        }
        node[field] = map;
      } else {
        node[field] = this.component(value, identifier, childParameters, fieldPath);
      }
    }

    if (Object.keys(parameters).length > 0) node[PARAMETERS] = parameters;
    return node;
  }
}

function isMapping(v: unknown): v is Mapping {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isJsonSchemaObject(node: Mapping): boolean {
  const t = node.type;
  return t === 'object' || (Array.isArray(t) && t.length === 2 && t[0] === 'null' && t[1] === 'object');
}

/** Python's truthiness, which decides whether a parameter fills a field. */
function pythonTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function withoutKey(m: Mapping, key: string): Mapping {
  const out = { ...m };
  delete out[key];
  return out;
}

function copyOrigin(from: object, to: object, path: string): void {
  setOrigin(to, { ...getOrigin(from), path });
}

function shallowCopy(source: Mapping, path: string): Mapping {
  const out = { ...source };
  copyOrigin(source, out, path);
  return out;
}

function deepCopy(value: unknown, path: string): unknown {
  if (Array.isArray(value)) {
    const out = value.map((v, i) => deepCopy(v, childPath(path, i)));
    copyOrigin(value, out, path);
    return out;
  }
  if (isMapping(value)) {
    const out: Mapping = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepCopy(v, childPath(path, k));
    copyOrigin(value, out, path);
    return out;
  }
  return value;
}
