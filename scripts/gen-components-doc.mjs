// Generates docs/components.md from the shipped manifest JSON Schema
// (engine/manifest/schema/manifest.schema.json) and the hand-written examples in
// scripts/component-examples.yaml. Run `npm run docs` after the schema or the examples change;
// test/docs/components-doc.test.ts fails when the committed file is out of date.
//
//   node scripts/gen-components-doc.mjs            writes docs/components.md
//   node scripts/gen-components-doc.mjs --stdout   prints it instead (what the test compares)
//   node scripts/gen-components-doc.mjs --examples-json   prints every shown example as JSON
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_PATH = join(REPO, 'engine/manifest/schema/manifest.schema.json');
export const EXAMPLES_PATH = join(REPO, 'scripts/component-examples.yaml');
export const DOC_PATH = join(REPO, 'docs/components.md');

/** Sections of the reference, in reading order; definitions not listed here land in "Other". */
const GROUPS = [
  [
    'Manifest roots and streams',
    [
      'DeclarativeSource',
      'DeclarativeStream',
      'StateDelegatingStream',
      'ConditionalStreams',
      'DynamicDeclarativeStream',
      'StreamGroup',
      'BlockSimultaneousSyncsAction',
      'Spec',
      'ConcurrencyLevel',
    ],
  ],
  ['Connection checks', ['CheckStream', 'CheckDynamicStream', 'DynamicStreamCheckConfig']],
  ['Retrievers', ['SimpleRetriever', 'AsyncRetriever', 'AsyncJobStatusMap', 'CustomRetriever']],
  [
    'Requesters and request options',
    [
      'HttpRequester',
      'RequestOption',
      'RequestPath',
      'RequestBodyPlainText',
      'RequestBodyUrlEncodedForm',
      'RequestBodyJsonObject',
      'RequestBodyGraphQL',
      'RequestBodyGraphQlQuery',
      'QueryProperties',
      'PropertiesFromEndpoint',
      'PropertyChunking',
      'GroupByKeyMergeStrategy',
      'JsonSchemaPropertySelector',
      'CustomRequester',
    ],
  ],
  [
    'Authentication',
    [
      'NoAuth',
      'ApiKeyAuthenticator',
      'BearerAuthenticator',
      'BasicHttpAuthenticator',
      'OAuthAuthenticator',
      'JwtAuthenticator',
      'SessionTokenAuthenticator',
      'SessionTokenRequestApiKeyAuthenticator',
      'SessionTokenRequestBearerAuthenticator',
      'LegacySessionTokenAuthenticator',
      'SelectiveAuthenticator',
      'RateLimitedMultipleTokenAuthenticator',
      'QuotaStatusSource',
      'TokenQuota',
      'CustomAuthenticator',
    ],
  ],
  [
    'Pagination',
    [
      'DefaultPaginator',
      'NoPagination',
      'CursorPagination',
      'OffsetIncrement',
      'PageIncrement',
      'TwoStepCursorPaginator',
      'PaginationReset',
      'PaginationResetLimits',
      'CustomPaginationStrategy',
    ],
  ],
  [
    'Decoders',
    ['JsonDecoder', 'JsonItemsDecoder', 'JsonlDecoder', 'IterableDecoder', 'XmlDecoder', 'CsvDecoder', 'GzipDecoder', 'ZipfileDecoder', 'CustomDecoder'],
  ],
  [
    'Record selection and filtering',
    [
      'RecordSelector',
      'DpathExtractor',
      'JsonataExtractor',
      'RecordExpander',
      'ResponseToFileExtractor',
      'RecordFilter',
      'JsonataRecordFilter',
      'CustomRecordExtractor',
      'CustomRecordFilter',
      'CustomSchemaNormalization',
    ],
  ],
  [
    'Transformations',
    [
      'AddFields',
      'AddedFieldDefinition',
      'ValueType',
      'RemoveFields',
      'KeysToLower',
      'KeysToSnakeCase',
      'KeysReplace',
      'FlattenFields',
      'DpathFlattenFields',
      'KeyTransformation',
      'JsonataTransformation',
      'CustomTransformation',
    ],
  ],
  [
    'Incremental sync',
    ['DatetimeBasedCursor', 'MinMaxDatetime', 'IncrementingCountCursor', 'LegacyToPerPartitionStateMigration', 'CustomStateMigration', 'CustomIncrementalSync'],
  ],
  [
    'Partitioning',
    ['ListPartitionRouter', 'SubstreamPartitionRouter', 'ParentStreamConfig', 'GroupingPartitionRouter', 'UnionPartitionRouter', 'CustomPartitionRouter'],
  ],
  [
    'Error handling and backoff',
    [
      'DefaultErrorHandler',
      'CompositeErrorHandler',
      'HttpResponseFilter',
      'ConstantBackoffStrategy',
      'ExponentialBackoffStrategy',
      'WaitTimeFromHeader',
      'WaitUntilTimeFromHeader',
      'CustomErrorHandler',
      'CustomBackoffStrategy',
    ],
  ],
  ['Schemas', ['InlineSchemaLoader', 'JsonFileSchemaLoader', 'DynamicSchemaLoader', 'SchemaTypeIdentifier', 'TypesMap', 'CustomSchemaLoader']],
  ['Rate limits', ['HTTPAPIBudget', 'FixedWindowCallRatePolicy', 'MovingWindowCallRatePolicy', 'UnlimitedCallRatePolicy', 'Rate', 'HttpRequestRegexMatcher']],
  [
    'Dynamic streams',
    [
      'HttpComponentsResolver',
      'ConfigComponentsResolver',
      'ParametrizedComponentsResolver',
      'StreamConfig',
      'StreamParametersDefinition',
      'ComponentMappingDefinition',
    ],
  ],
  [
    'Config migrations and validation',
    [
      'ConfigMigration',
      'ConfigRemapField',
      'ConfigAddFields',
      'ConfigRemoveFields',
      'DpathValidator',
      'PredicateValidator',
      'ValidateAdheresToSchema',
      'CustomConfigTransformation',
      'CustomValidationStrategy',
    ],
  ],
  ['Declarative destinations (Manifold)', ['DeclarativeDestination', 'DestinationOperation', 'HttpRequestCheck']],
];

export function loadSchema() {
  return JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));
}

/** Hand-written examples, keyed by definition name. */
export function loadExamples() {
  return parse(readFileSync(EXAMPLES_PATH, 'utf8')) ?? {};
}

const refName = (s) => (typeof s?.$ref === 'string' ? s.$ref.replace('#/definitions/', '') : undefined);
const code = (s) => '`' + s + '`';

/** A short, human type for a field's schema (enums list their values): `string`, `integer \| string`, `list of AddFields`… */
export function typeLabel(s, definitions) {
  if (!s || typeof s !== 'object' || Object.keys(s).filter((k) => k !== 'description').length === 0) return 'any';
  const ref = refName(s);
  if (ref) return `[${ref}](#${anchor(ref)})`;
  if (s.const !== undefined) return code(JSON.stringify(s.const));
  if (Array.isArray(s.enum)) return s.enum.map((v) => code(JSON.stringify(v))).join(' | ');
  if (Array.isArray(s.anyOf)) return [...new Set(s.anyOf.map((x) => typeLabel(x, definitions)))].join(' | ');
  if (s.type === 'array') return s.items ? `list of ${wrap(typeLabel(s.items, definitions))}` : 'list';
  if (s.type === 'object') {
    if (s.properties) return `mapping {${Object.keys(s.properties).join(', ')}}`;
    if (s.additionalProperties && typeof s.additionalProperties === 'object') return `mapping of ${wrap(typeLabel(s.additionalProperties, definitions))}`;
    return 'mapping';
  }
  if (Array.isArray(s.type)) return s.type.join(' | ');
  return s.type ?? 'any';
}

const wrap = (label) => (label.includes(' | ') ? `(${label})` : label);
const anchor = (name) => name.toLowerCase();
const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A minimal value for a schema, used for the generated "required fields only" shapes. */
function placeholder(s, definitions, name, depth = 0) {
  const ref = refName(s);
  if (ref) return depth > 3 ? {} : minimalShape(ref, definitions, depth + 1);
  if (!s || typeof s !== 'object') return `<${name}>`;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (Array.isArray(s.anyOf)) {
    const plain = s.anyOf.find((x) => x.type === 'string') ?? s.anyOf[0];
    return placeholder(plain, definitions, name, depth);
  }
  switch (s.type) {
    case 'string':
      return `<${name}>`;
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [placeholder(s.items, definitions, name, depth)];
    case 'object':
      return {};
    default:
      return `<${name}>`;
  }
}

export function minimalShape(name, definitions, depth = 0) {
  const def = definitions[name];
  if (!def?.properties) return placeholder(def, definitions, name, depth);
  const out = {};
  const typeConst = def.properties.type?.const;
  if (typeConst) out.type = typeConst;
  for (const field of def.required ?? []) {
    if (field === 'type') continue;
    out[field] = placeholder(def.properties[field], definitions, field, depth);
  }
  return out;
}

function fieldRows(def, definitions) {
  const required = new Set(def.required ?? []);
  const rows = [];
  for (const [field, s] of Object.entries(def.properties ?? {})) {
    if (field === 'type' || field === '$parameters') continue;
    const notes = [];
    if (s.description) notes.push(s.description);
    if (s.default !== undefined) notes.push(`Default: ${code(JSON.stringify(s.default))}.`);
    rows.push(`| ${code(field)} | ${cell(typeLabel(s, definitions))} | ${required.has(field) ? 'yes' : ''} | ${cell(notes.join(' '))} |`);
  }
  return rows;
}

function section(name, def, definitions, examples) {
  const out = [];
  out.push(`### ${name}`, '');
  const typeConst = def.properties?.type?.const;
  if (typeConst && typeConst !== name) out.push(`Written as ${code(`type: ${typeConst}`)}.`, '');
  if (def.description) out.push(def.description, '');
  if (Array.isArray(def.enum)) out.push(`A value, one of: ${def.enum.map((v) => code(JSON.stringify(v))).join(', ')}.`, '');
  const rows = fieldRows(def, definitions);
  if (rows.length) out.push('| Field | Type | Required | Description |', '|---|---|---|---|', ...rows, '');
  else if (def.properties) out.push('No fields besides `type`.', '');
  if (Array.isArray(def.anyOf) && def.anyOf.every((b) => Array.isArray(b.required))) {
    out.push(`Needs at least one of: ${def.anyOf.map((b) => b.required.map(code).join(' + ')).join(', ')}.`, '');
  }
  const example = exampleFor(name, def, definitions, examples);
  if (example) {
    out.push(example.generated ? 'Shape (required fields only, generated from the schema):' : 'Example:', '');
    out.push('```yaml', stringify(example.value, { lineWidth: 0 }).trimEnd(), '```', '');
  }
  return out;
}

/** The example shown for a definition: the schema's own, else ours, else a generated shape. */
export function exampleFor(name, def, definitions, examples) {
  if (Array.isArray(def.examples) && def.examples.length) return { value: def.examples[0], generated: false };
  if (examples[name] !== undefined) return { value: examples[name], generated: false };
  if (!def.properties) return undefined;
  return { value: minimalShape(name, definitions), generated: true };
}

export function renderComponentsDoc(schema = loadSchema(), examples = loadExamples()) {
  const definitions = schema.definitions;
  const groups = GROUPS.map(([title, names]) => [title, names.filter((n) => definitions[n])]);
  const listed = new Set(groups.flatMap(([, names]) => names));
  const others = Object.keys(definitions).filter((n) => !listed.has(n));
  if (others.length) groups.push(['Other', others]);

  const out = [
    '# Manifest component reference',
    '',
    '<!-- Generated by scripts/gen-components-doc.mjs from engine/manifest/schema/manifest.schema.json',
    '     and scripts/component-examples.yaml. Do not edit by hand: run `npm run docs`. -->',
    '',
    `Every component \`type\` a Manifold manifest may use (${Object.keys(definitions).length} definitions), with its fields and an`,
    "example. Names and fields follow Airbyte's declarative component schema; components marked",
    '"Manifold:" are Manifold extensions. String fields are usually `{{ }}` templates evaluated at run',
    'time (see the Airbyte interpolation rules). Every component also accepts `$parameters`, a mapping',
    'whose values are visible as `{{ parameters.x }}` in it and in its children; it is left out of the',
    'tables below.',
    '',
    'Editors can check manifests against the same schema: see docs/authoring.md ("Editor support").',
    '',
    '## Contents',
    '',
  ];
  for (const [title, names] of groups) {
    out.push(`- **${title}**: ${names.map((n) => `[${n}](#${anchor(n)})`).join(', ')}`);
  }
  out.push('');
  for (const [title, names] of groups) {
    out.push(`## ${title}`, '');
    for (const name of names) out.push(...section(name, definitions[name], definitions, examples));
  }
  return out.join('\n').trimEnd() + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const doc = renderComponentsDoc();
  if (process.argv.includes('--stdout')) process.stdout.write(doc);
  else if (process.argv.includes('--examples-json')) {
    // Every example the doc shows, for the test that validates them against the schema.
    const schema = loadSchema();
    const examples = loadExamples();
    const all = {};
    for (const [name, def] of Object.entries(schema.definitions)) {
      const example = exampleFor(name, def, schema.definitions, examples);
      if (example) all[name] = example;
    }
    process.stdout.write(JSON.stringify({ examples: all, handWritten: Object.keys(examples) }));
  } else {
    writeFileSync(DOC_PATH, doc);
    process.stderr.write(`wrote ${DOC_PATH}\n`);
  }
}
