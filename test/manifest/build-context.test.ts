import { describe, it, expect } from '@jest/globals';
import { ConfigError } from '../../engine/errors/manifold-error.js';
import { buildComponent, loadManifestText, locationOf } from '../../engine/manifest/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../../engine/registry.js';
import { SecretRegistry, type EngineServices } from '../../engine/services.js';

const services: EngineServices = {
  logger: { log() {}, error() {}, warn() {}, info() {}, debug() {} },
  cache: new Map(),
  secrets: new SecretRegistry(),
  emit() {},
  onHttp: [],
  backoffScale: 0,
};

interface FakeRetriever {
  kind: 'retriever';
  path: string;
  parameters: unknown;
  paginator: FakePaginator | undefined;
}
interface FakePaginator {
  kind: 'paginator';
  path: string;
  pageSize: unknown;
}

registerComponent(
  'TestRetriever',
  (node: ManifestNode, ctx: BuildContext): FakeRetriever => ({
    kind: 'retriever',
    path: ctx.path,
    parameters: ctx.parameters,
    paginator: ctx.buildOptional<FakePaginator>(node.paginator, 'paginator', 'TestPaginator'),
  }),
);
registerComponent('TestPaginator', (node: ManifestNode, ctx: BuildContext): FakePaginator => {
  if (typeof node.page_size !== 'number') throw ctx.error('page_size must be a number', 'page_size');
  return { kind: 'paginator', path: ctx.path, pageSize: node.page_size };
});

const YAML = `version: 1.0.0
definitions:
  pager:
    type: TestPaginator
    page_size: 50
streams:
  - retriever:
      type: TestRetriever
      $parameters:
        name: users
      paginator:
        $ref: "#/definitions/pager"
  - retriever:
      type: TestRetriever
      paginator:
        page_size: "ten"
  - retriever:
      type: TestRetriver
`;

describe('buildComponent / BuildContext', () => {
  const m = loadManifestText(YAML, 'b.yaml');
  const streams = m.root.streams as ManifestNode[];

  it('builds children with paths, default types and merged parameters', () => {
    const r = buildComponent<FakeRetriever>(streams[0]!.retriever, 'streams[0].retriever', {}, services);
    expect(r).toEqual({
      kind: 'retriever',
      path: 'streams[0].retriever',
      parameters: { name: 'users' },
      paginator: { kind: 'paginator', path: 'streams[0].retriever.paginator', pageSize: 50 },
    });
  });

  it('ctx.error locates the field in the file', () => {
    let error: unknown;
    try {
      buildComponent(streams[1]!.retriever, 'streams[1].retriever', {}, services);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).location).toEqual({ file: 'b.yaml', line: 16, column: 9, path: 'streams[1].retriever.paginator.page_size' });
    expect((error as ConfigError).describe()).toBe('b.yaml:16:9 streams[1].retriever.paginator.page_size: page_size must be a number');
  });

  it('unknown type → located ConfigError with suggestions', () => {
    expect(() => buildComponent(streams[2]!.retriever, 'streams[2].retriever', {}, services)).toThrow(
      /unknown component type TestRetriver; did you mean TestRetriever/,
    );
    try {
      buildComponent(streams[2]!.retriever, 'streams[2].retriever', {}, services);
    } catch (e) {
      expect((e as ConfigError).location).toMatchObject({ file: 'b.yaml', line: 18, path: 'streams[2].retriever' });
    }
  });

  it('types of the format that have no implementation are reported as unsupported', () => {
    expect(() => buildComponent({ type: 'CustomRetriever', class_name: 'x.Y' }, 'streams[0].retriever', {}, services)).toThrow(
      'component type CustomRetriever is not supported by Manifold (it names a Python class, which Manifold cannot run)',
    );
  });

  it('non-component nodes are rejected with what was expected', () => {
    expect(() => buildComponent('x', 'streams[0].retriever', {}, services, 'TestRetriever')).toThrow(/expected a TestRetriever component, got "x"/);
  });
});

describe('locationOf', () => {
  const m = loadManifestText(YAML, 'b.yaml');
  const streams = m.root.streams as ManifestNode[];

  it('points at the definition a $ref brought in, with the path where it is used', () => {
    const pager = (streams[0]!.retriever as ManifestNode).paginator as object;
    expect(locationOf(pager)).toEqual({ file: 'b.yaml', line: 4, column: 5, path: 'streams[0].retriever.paginator' });
    expect(locationOf(pager, 'page_size')).toEqual({ file: 'b.yaml', line: 5, column: 5, path: 'streams[0].retriever.paginator.page_size' });
  });

  it('locates list elements and the root', () => {
    expect(locationOf(m.root.streams as object, 1)).toMatchObject({ line: 13, path: 'streams[1]' });
    expect(locationOf(m.root)).toMatchObject({ file: 'b.yaml', line: 1, column: 1 });
  });
});
