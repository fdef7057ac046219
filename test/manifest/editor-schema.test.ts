/**
 * The editor form of the shipped JSON Schema (root + `$defs`), which yaml-language-server checks raw
 * YAML against: it must accept what Airbyte accepts before loading ($ref, default `type`s,
 * $parameters, free-form definitions) and still reject real mistakes. The strict `definitions`
 * the engine validates loaded manifests with must stay as strict as before.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { DEFAULT_MODEL_TYPES } from '../../engine/manifest/component-transformer.js';
import { loadManifestObject, manifestSchema, validateManifest } from '../../engine/manifest/index.js';
import { REPO } from '../helpers/cli.js';

type Mapping = Record<string, any>;
type Def = { description?: string; properties?: Record<string, Mapping>; required?: string[] };

const schema = manifestSchema as { definitions: Record<string, Def>; $defs: Record<string, Def> };
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(manifestSchema as object, 'manifest');
const validateRaw = ajv.getSchema('manifest')!;

const bookshop = parse(readFileSync(join(REPO, 'fixtures/tutorial/bookshop.yaml'), 'utf8')) as Mapping;

/** The tutorial manifest as written, with one change applied. */
function rawWith(change: (m: Mapping) => void): Mapping {
  const m = structuredClone(bookshop);
  change(m);
  return m;
}

function editorErrors(raw: unknown): ErrorObject[] {
  return validateRaw(raw) ? [] : [...(validateRaw.errors ?? [])];
}

const books = (m: Mapping): Mapping => m.streams[1];

describe('editor schema: real mistakes in raw YAML are rejected', () => {
  const mistakes: Array<[string, (m: Mapping) => void, (e: ErrorObject) => boolean]> = [
    [
      'an unknown component type',
      (m) => (books(m).retriever.type = 'SimpleRetreiver'),
      (e) => e.instancePath === '/streams/1/retriever/type' && e.keyword === 'enum',
    ],
    [
      'a type not allowed in that field',
      (m) => (books(m).retriever.paginator.pagination_strategy.type = 'DefaultPaginator'),
      (e) => e.instancePath === '/streams/1/retriever/paginator/pagination_strategy/type',
    ],
    [
      'a wrong field type in an inline component',
      (m) => (books(m).retriever.record_selector = { type: 'RecordSelector', extractor: { type: 'DpathExtractor', field_path: 42 } }),
      (e) => e.instancePath === '/streams/1/retriever/record_selector/extractor/field_path' && e.keyword === 'type',
    ],
    [
      'a wrong field type beside a $ref',
      (m) => (books(m).retriever.requester.http_method = 5),
      (e) => e.instancePath === '/streams/1/retriever/requester/http_method',
    ],
    [
      'a wrong field type in an untyped default component',
      (m) => (books(m).retriever.record_selector = { extractor: { field_path: 'data' } }),
      (e) => e.instancePath === '/streams/1/retriever/record_selector/extractor/field_path',
    ],
    ['a list field given a single value', (m) => (m.check.stream_names = 'books'), (e) => e.instancePath === '/check/stream_names'],
    [
      'a missing type where the field has no default',
      (m) => (books(m).retriever.paginator = { type: 'DefaultPaginator', pagination_strategy: { page_size: 5 } }),
      (e) =>
        e.instancePath === '/streams/1/retriever/paginator/pagination_strategy' && e.keyword === 'required' && (e.params as Mapping).missingProperty === 'type',
    ],
    [
      'a missing required field',
      (m) => (books(m).retriever.paginator.pagination_strategy = { type: 'CursorPagination' }),
      (e) => (e.params as Mapping).missingProperty === 'cursor_value',
    ],
    [
      'a plain string where a component belongs',
      (m) => (books(m).retriever.requester = 'definitions/requester'),
      (e) => e.instancePath === '/streams/1/retriever/requester',
    ],
    ['an unknown top-level key', (m) => (m.strems = []), (e) => e.keyword === 'additionalProperties' && (e.params as Mapping).additionalProperty === 'strems'],
  ];

  it.each(mistakes)('%s', (_name, change, expected) => {
    const errors = editorErrors(rawWith(change));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some(expected)).toBe(true);
  });
});

describe('editor schema: components under definitions: are checked where they are defined', () => {
  // The tutorial keeps its requester and selector under `definitions:`, which streams pull in with $ref.
  const mistakes: Array<[string, (m: Mapping) => void, (e: ErrorObject) => boolean]> = [
    [
      'a misspelled component type',
      (m) => (m.definitions.requester.type = 'HttpRequestr'),
      (e) => e.instancePath === '/definitions/requester/type' && e.keyword === 'enum',
    ],
    [
      'a missing required field in a nested component',
      (m) => (m.definitions.paginator = { type: 'DefaultPaginator', pagination_strategy: { type: 'CursorPagination' } }),
      (e) => e.instancePath === '/definitions/paginator/pagination_strategy' && (e.params as Mapping).missingProperty === 'cursor_value',
    ],
    [
      'a missing required field on the definition itself',
      (m) => (m.definitions.next_page = { type: 'CursorPagination', page_size: 10 }),
      (e) => e.instancePath === '/definitions/next_page' && (e.params as Mapping).missingProperty === 'cursor_value',
    ],
    [
      'a misspelled type inside a definition',
      (m) => (m.definitions.data_selector.extractor.type = 'DpathExtracter'),
      (e) => e.instancePath === '/definitions/data_selector/extractor/type',
    ],
    [
      'a wrong field type in a definition',
      (m) => (m.definitions.requester.authenticator.inject_into.inject_into = 7),
      (e) => e.instancePath === '/definitions/requester/authenticator/inject_into/inject_into',
    ],
    [
      'a component in a nested group of definitions',
      (m) => (m.definitions.shared = { streams: { base: { type: 'DeclarativeStream' } } }),
      (e) => e.instancePath === '/definitions/shared/streams/base' && (e.params as Mapping).missingProperty === 'retriever',
    ],
    [
      'a component in a list under definitions',
      (m) => (m.definitions.transformations = [{ type: 'AddFields' }]),
      (e) => e.instancePath === '/definitions/transformations/0' && (e.params as Mapping).missingProperty === 'fields',
    ],
  ];

  it.each(mistakes)('%s', (_name, change, expected) => {
    const errors = editorErrors(rawWith(change));
    expect(errors.some(expected)).toBe(true);
  });

  it('accepts what definitions legitimately hold: JSON schemas, partial pieces extended with $ref, plain values', () => {
    const errors = editorErrors(
      rawWith((m) => {
        m.definitions.schema = { type: 'object', properties: { id: { type: ['null', 'integer'] } } };
        m.definitions.base_requester = { $ref: '#/definitions/requester', http_method: 'POST' };
        m.definitions.child = { type: 'HttpRequester', $ref: '#/definitions/requester', path: '/x' };
        m.definitions.names = ['a', 'b'];
        m.definitions.page_size = 50;
      }),
    );
    expect(errors).toEqual([]);
  });
});

describe('editor schema: what Airbyte accepts before loading is accepted', () => {
  const allowances: Array<[string, (m: Mapping) => void]> = [
    ['the tutorial as written ($ref with sibling overrides)', () => {}],
    [
      'streams given as reference strings',
      (m) => {
        m.definitions.streams = { authors: m.streams[0], books: m.streams[1] };
        m.streams = ['#/definitions/streams/authors', '#/definitions/streams/books'];
      },
    ],
    ['a whole component given as a reference string', (m) => (books(m).retriever.paginator = '#/definitions/paginator')],
    ['a non-component field given as a reference', (m) => (books(m).primary_key = { $ref: '#/definitions/pk' })],
    [
      '$parameters on any component, filling fields it omits',
      (m) => {
        books(m).$parameters = { path: '/books' };
        books(m).retriever.$parameters = { name: 'books' };
        books(m).retriever.paginator.pagination_strategy.$parameters = { x: 1 };
        delete books(m).retriever.requester.path;
      },
    ],
    [
      'a custom component without type, by class_name',
      (m) => (books(m).retriever.record_selector = { extractor: { class_name: 'source_x.components.Extractor' } }),
    ],
    [
      'free-form definitions, schemas and metadata',
      (m) => {
        m.definitions.anything = { not: ['a', { component: true }] };
        m.schemas = { books: { type: 'object' } };
        m.metadata = { autoImportSchema: { books: true } };
      },
    ],
    ['a root without type (read as a source)', (m) => delete m.type],
  ];

  it.each(allowances)('%s', (_name, change) => {
    expect(editorErrors(rawWith(change))).toEqual([]);
  });

  it('the destination root', () => {
    const raw = parse(readFileSync(join(REPO, 'manifests/clazar-destination.yaml'), 'utf8'));
    expect(editorErrors(raw)).toEqual([]);
    delete (raw as Mapping).type;
    expect(editorErrors(raw)).not.toEqual([]);
  });

  // Every default the loader fills in (component-transformer.ts) may be left out in the editor.
  const examples = (
    JSON.parse(execFileSync(process.execPath, [join(REPO, 'scripts/gen-components-doc.mjs'), '--examples-json'], { encoding: 'utf8' })) as {
      examples: Record<string, { value: Mapping }>;
    }
  ).examples;
  const defaults = Object.entries(DEFAULT_MODEL_TYPES).filter(([site, type]) => {
    const [parent, field] = site.split('.') as [string, string];
    return schema.$defs[parent]?.properties?.[field] && examples[type];
  });

  it('covers most of the loader defaults', () => {
    expect(defaults.length).toBeGreaterThan(30);
  });

  it.each(defaults)('%s may omit type (%s)', (site, type) => {
    const [parent, field] = site.split('.') as [string, string];
    const check = ajv.compile({ $ref: `manifest#/$defs/${parent}/properties/${field}` });
    const { type: _omitted, ...untyped } = examples[type]!.value;
    expect(check(untyped) || check([untyped])).toBe(true);
  });
});

describe('strict definitions (what the engine validates after loading)', () => {
  it('still require `type` on typed components and know nothing of $ref', () => {
    for (const name of ['DeclarativeStream', 'SimpleRetriever', 'HttpRequester', 'RecordSelector', 'DpathExtractor', 'DefaultPaginator']) {
      expect(schema.definitions[name]!.required).toContain('type');
      expect(schema.definitions[name]!.properties!.$ref).toBeUndefined();
    }
    expect(JSON.stringify(schema.definitions)).not.toContain('#/$defs/');
  });

  it('the engine still reports a component without type that the loader cannot fill', () => {
    const m = rawWith((raw) => (books(raw).retriever.paginator.pagination_strategy = { page_size: 5 }));
    const problems = validateManifest(loadManifestObject(m));
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('component has no `type`')]);
  });
});

describe('editor schema: completion and docs', () => {
  it('has a description on every definition, strict and editor', () => {
    for (const defs of [schema.definitions, schema.$defs]) {
      const missing = Object.entries(defs)
        .filter(([, d]) => !d.description)
        .map(([n]) => n);
      expect(missing).toEqual([]);
    }
  });

  it('offers every allowed `type` of a component field', () => {
    const retriever = schema.$defs.DeclarativeStream!.properties!.retriever!;
    expect(retriever.properties.type.enum).toEqual(['SimpleRetriever', 'AsyncRetriever', 'CustomRetriever']);
    expect(schema.$defs.SimpleRetriever!.properties!.type).toEqual(schema.definitions.SimpleRetriever!.properties!.type);
  });

  it("carries Airbyte's documented defaults in both forms", () => {
    for (const defs of [schema.definitions, schema.$defs]) {
      expect(defs.DefaultErrorHandler!.properties!.max_retries!.default).toBe(5);
      expect(defs.HttpRequester!.properties!.http_method!.default).toBe('GET');
      expect(defs.OAuthAuthenticator!.properties!.grant_type!.default).toBe('refresh_token');
    }
  });

  it('is what the generator writes (run `node scripts/gen-manifest-schema.mjs` if this fails)', () => {
    const fresh = execFileSync(process.execPath, [join(REPO, 'scripts/gen-manifest-schema.mjs'), '--stdout'], { encoding: 'utf8' });
    expect(readFileSync(join(REPO, 'engine/manifest/schema/manifest.schema.json'), 'utf8')).toBe(fresh);
  });
});
