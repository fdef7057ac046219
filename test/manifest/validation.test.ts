import { describe, it, expect } from '@jest/globals';
import { ManifestError, type ManifestProblem } from '../../engine/errors/manifold-error.js';
import { loadManifestText, validateManifest, manifestWarnings, componentTypeNames, manifestSchema } from '../../engine/manifest/index.js';

const STREAM = `
    type: DeclarativeStream
    name: users
    primary_key: id
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /users
      record_selector:
        type: RecordSelector
        extractor:
          type: DpathExtractor
          field_path: [data]
    schema_loader:
      type: InlineSchemaLoader
      schema: { type: object }
`;

function manifest(streamYaml = STREAM, extra = ''): string {
  return `version: 6.0.0
type: DeclarativeSource
check:
  type: CheckStream
  stream_names: [users]
streams:
  - ${streamYaml.trim().replace(/\n {4}/g, '\n    ')}
spec:
  type: Spec
  connection_specification: { type: object, properties: {} }
${extra}`;
}

function problemsOf(text: string): ManifestProblem[] {
  try {
    return validateManifest(loadManifestText(text, 'm.yaml'));
  } catch (e) {
    if (e instanceof ManifestError) return e.problems;
    throw e;
  }
}

function only(text: string): ManifestProblem {
  const problems = problemsOf(text);
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

describe('validateManifest', () => {
  it('accepts a valid manifest', () => {
    expect(problemsOf(manifest())).toEqual([]);
  });

  it('ships a schema with a description and a type const for each component', () => {
    const defs = (manifestSchema as { definitions: Record<string, { description?: string }> }).definitions;
    for (const [name, def] of Object.entries(defs)) expect([name, typeof def.description]).toEqual([name, 'string']);
    expect(componentTypeNames()).toEqual(
      expect.arrayContaining([
        'TwoStepCursorPaginator',
        'JsonataExtractor',
        'JsonataRecordFilter',
        'JsonataTransformation',
        'DeclarativeDestination',
        'CursorPagination',
      ]),
    );
  });

  it('1. YAML syntax error → file:line:col', () => {
    const p = only('version: 1\ncheck:\n  type: CheckStream\n  stream_names: [a\n');
    expect(p.message).toMatch(/YAML syntax error/);
    expect(p.location).toMatchObject({ file: 'm.yaml', line: expect.any(Number), column: expect.any(Number) });
  });

  it('2. duplicate YAML key: the last value wins (as PyYAML, which the CDK loads with), with a located warning', () => {
    const text = manifest(STREAM.replace('path: /users', 'path: /users\n        path: /people'));
    expect(problemsOf(text)).toEqual([]);
    const loaded = loadManifestText(text, 'm.yaml');
    const requester = (loaded.root.streams as Array<Record<string, any>>)[0]!.retriever.requester as Record<string, unknown>;
    expect(requester.path).toBe('/people');
    expect(manifestWarnings(loaded)).toEqual([
      { message: 'duplicate key "path" (also at line 15, column 9); the last value is used', location: { file: 'm.yaml', line: 16, column: 9 } },
    ]);
  });

  it('2b. a repeated key inside a mapping reached through several aliases is reported once', () => {
    const text = manifest(STREAM, 'x: &a { k: 1, k: 2 }\ny: [*a, *a]\n');
    const loaded = loadManifestText(text, 'm.yaml');
    expect(manifestWarnings(loaded).map((w) => w.message)).toEqual(['duplicate key "k" (also at line 27, column 9); the last value is used']);
  });

  it('3. dangling $ref names the ref and where it is used', () => {
    const p = only(manifest(STREAM.replace('type: HttpRequester', '$ref: "#/definitions/base_requester"')));
    expect(p.message).toContain('#/definitions/base_requester');
    expect(p.location).toMatchObject({ file: 'm.yaml', line: 13, path: 'streams[0].retriever.requester' });
  });

  it('4. dangling string reference', () => {
    const p = only(manifest(STREAM.replace('path: /users', 'path: "#/definitions/paths/users"')));
    expect(p.message).toMatch(/undefined reference #\/definitions\/paths\/users: nothing at "definitions"/);
    expect(p.location.line).toBe(15);
  });

  it('5. circular $ref', () => {
    // Otherwise-valid manifest, so the circular reference is the only problem left to report.
    const p = only(manifest(STREAM, `definitions:\n  a:\n    $ref: "#/definitions/b"\n  b:\n    $ref: "#/definitions/a"\n`));
    expect(p.message).toMatch(/circular reference/);
    expect(p.location.line).toBeGreaterThan(0);
  });

  it('6. unknown component type with suggestions', () => {
    const p = only(manifest(STREAM.replace('type: DpathExtractor', 'type: DpathExtracter')));
    expect(p.message).toMatch(/unknown component type DpathExtracter; did you mean DpathExtractor/);
    // At the type's value (line 19, `          type: DpathExtracter`), not the `extractor:` key above it.
    expect(p.location).toMatchObject({ file: 'm.yaml', line: 19, column: 17, path: 'streams[0].retriever.record_selector.extractor.type' });
  });

  it('6b. an unknown type in a list of components, or inside a $ref definition, is located at that type', () => {
    const listed = manifest(STREAM.replace('    schema_loader:', '    transformations:\n      - type: AddFieldz\n        fields: []\n    schema_loader:'));
    const p = only(listed);
    expect(p.message).toMatch(/unknown component type AddFieldz; did you mean AddFields/);
    expect(p.location).toMatchObject({ line: listed.split('\n').indexOf('      - type: AddFieldz') + 1, column: 15 });
    const viaRef = manifest(
      STREAM.replace(
        /record_selector:\n\s+type: RecordSelector\n\s+extractor:\n\s+type: DpathExtractor\n\s+field_path: \[data\]\n/,
        'record_selector:\n        $ref: "#/definitions/selector"\n',
      ),
      'definitions:\n  selector:\n    type: RecordSelector\n    extractor:\n      type: DpathExtracter\n      field_path: [data]\n',
    );
    const q = only(viaRef);
    expect(q.location).toMatchObject({ line: viaRef.split('\n').indexOf('      type: DpathExtracter') + 1, column: 13 });
  });

  it('7. component type not allowed in that field', () => {
    const p = only(manifest(STREAM.replace('type: DpathExtractor', 'type: PageIncrement')));
    expect(p.message).toMatch(/PageIncrement is not allowed here; expected one of DpathExtractor/);
    expect(p.location).toMatchObject({ line: 19, column: 17 });
  });

  it('8. missing required field', () => {
    const p = only(manifest(STREAM.replace('          field_path: [data]\n', '')));
    expect(p.message).toBe('DpathExtractor is missing required field "field_path"');
    expect(p.location).toMatchObject({ line: 19, path: 'streams[0].retriever.record_selector.extractor' });
  });

  it('9. wrong scalar type', () => {
    const extra = `      paginator:\n        type: DefaultPaginator\n        pagination_strategy:\n          type: PageIncrement\n          start_from_page: "one"\n`;
    const p = only(manifest(STREAM.replace('    schema_loader:', `${extra}    schema_loader:`)));
    expect(p.message).toMatch(/start_from_page: expected integer, got string "one"/);
    expect(p.location.path).toBe('streams[0].retriever.paginator.pagination_strategy.start_from_page');
  });

  it('10. bad enum value', () => {
    const extra = `      paginator:\n        type: DefaultPaginator\n        page_token_option:\n          type: RequestOption\n          inject_into: query\n          field_name: page\n        pagination_strategy:\n          type: PageIncrement\n`;
    const p = only(manifest(STREAM.replace('    schema_loader:', `${extra}    schema_loader:`)));
    expect(p.message).toMatch(/inject_into: must be one of "request_parameter", "header", "body_data", "body_json"; got "query"/);
  });

  it('11. missing check and version at the root', () => {
    const problems = problemsOf('type: DeclarativeSource\nstreams: []\n');
    expect(problems.map((p) => p.message).sort()).toEqual([
      'DeclarativeSource is missing required field "check"',
      'DeclarativeSource is missing required field "version"',
    ]);
  });

  it('12. neither streams nor dynamic_streams', () => {
    const p = only('version: 1.0.0\ncheck: { stream_names: [] }\n');
    expect(p.message).toMatch(/missing required field "streams" or "dynamic_streams"/);
  });

  it('13. misspelled root field gets a suggestion', () => {
    const p = only(manifest() + 'stream:\n  - x\n');
    expect(p.message).toBe('unknown field "stream"; did you mean streams?');
  });

  it('14. a component where a list was expected', () => {
    const p = only(manifest(STREAM.replace('field_path: [data]', 'field_path: data')));
    expect(p.message).toMatch(/field_path: expected array, got string "data"/);
  });

  it('15. a scalar where a component was expected', () => {
    const p = only(manifest(STREAM.replace(/requester:\n(\s+type: HttpRequester\n\s+url_base.*\n\s+path.*\n)/, 'requester: https://x\n')));
    expect(p.message).toMatch(/requester: expected one of HttpRequester, CustomRequester component, got string/);
  });

  it('16. check naming a stream that does not exist is a warning, not a problem (the CDK reads such a manifest)', () => {
    const text = manifest().replace('stream_names: [users]', 'stream_names: [user]');
    expect(problemsOf(text)).toEqual([]);
    const [w, ...rest] = manifestWarnings(loadManifestText(text, 'm.yaml'));
    expect(rest).toEqual([]);
    expect(w!.message).toBe('check.stream_names refers to unknown stream "user"; did you mean users? (check will fail)');
    expect(w!.location).toMatchObject({ file: 'm.yaml', line: 5, path: 'check.stream_names[0]' });
  });

  it('17. collects every problem at once, each located', () => {
    const broken = manifest(STREAM.replace('type: DpathExtractor', 'type: Dpath').replace('url_base: https://api.example.com', 'url_base: 5'));
    const problems = problemsOf(broken);
    expect(problems.length).toBeGreaterThanOrEqual(2);
    for (const p of problems) expect(p.location).toMatchObject({ file: 'm.yaml', line: expect.any(Number), path: expect.any(String) });
  });

  it('18. root type that is neither source nor destination', () => {
    expect(only('type: DeclarativeSorce\nversion: 1\n').message).toMatch(/did you mean DeclarativeSource/);
  });

  it('validates components reached through $ref at the place they are used', () => {
    const text = manifest(
      STREAM.replace(/requester:\n\s+type: HttpRequester\n/, 'requester:\n        $ref: "#/definitions/req"\n'),
      'definitions:\n  req:\n    type: HttpRequester\n    http_method: 7\n',
    );
    const p = only(text);
    expect(p.message).toMatch(/http_method: expected/);
    // The content is written in definitions (line of http_method there), used at streams[0].
    expect(p.location).toMatchObject({ line: text.split('\n').indexOf('    http_method: 7') + 1, path: 'streams[0].retriever.requester.http_method' });
  });

  it('accepts a permissive destination root', () => {
    expect(problemsOf('type: DeclarativeDestination\noperations: []\n')).toEqual([]);
  });
});
