/**
 * docs/components.md is generated from the manifest JSON Schema and scripts/component-examples.yaml.
 * These tests keep it from drifting (the committed file must equal a fresh render) and keep its
 * examples honest (each one validates against the schema the engine uses).
 */
import { describe, it, expect, beforeAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { loadManifestObject, manifestSchema, validateManifest } from '../../engine/manifest/index.js';
import { Source } from '../../engine/index.js';
import { REPO } from '../helpers/cli.js';

const GENERATOR = join(REPO, 'scripts/gen-components-doc.mjs');
type Example = { value: unknown; generated: boolean };

/** The ~30 components most manifests use, and every Manifold extension: these need real examples. */
const NEEDS_HAND_EXAMPLE = [
  'DeclarativeSource',
  'DeclarativeStream',
  'Spec',
  'CheckStream',
  'SimpleRetriever',
  'HttpRequester',
  'RequestOption',
  'ApiKeyAuthenticator',
  'BearerAuthenticator',
  'BasicHttpAuthenticator',
  'OAuthAuthenticator',
  'SessionTokenAuthenticator',
  'NoAuth',
  'DefaultPaginator',
  'NoPagination',
  'CursorPagination',
  'OffsetIncrement',
  'PageIncrement',
  'RequestPath',
  'RecordSelector',
  'DpathExtractor',
  'RecordFilter',
  'AddFields',
  'AddedFieldDefinition',
  'RemoveFields',
  'DatetimeBasedCursor',
  'MinMaxDatetime',
  'IncrementingCountCursor',
  'ListPartitionRouter',
  'SubstreamPartitionRouter',
  'ParentStreamConfig',
  'DefaultErrorHandler',
  'CompositeErrorHandler',
  'HttpResponseFilter',
  'ConstantBackoffStrategy',
  'ExponentialBackoffStrategy',
  'WaitTimeFromHeader',
  'InlineSchemaLoader',
  'JsonDecoder',
  // Manifold's own
  'TwoStepCursorPaginator',
  'JsonataExtractor',
  'JsonataRecordFilter',
  'JsonataTransformation',
  'DeclarativeDestination',
  'DestinationOperation',
  'HttpRequestCheck',
];

const definitions = manifestSchema.definitions as Record<string, Record<string, unknown>>;
let examples: Record<string, Example>;
let handWritten: string[];

beforeAll(() => {
  const out = JSON.parse(execFileSync(process.execPath, [GENERATOR, '--examples-json'], { encoding: 'utf8' })) as {
    examples: Record<string, Example>;
    handWritten: string[];
  };
  examples = out.examples;
  handWritten = out.handWritten;
});

describe('docs/components.md', () => {
  it('is up to date with the schema and the examples (run `npm run docs` if this fails)', () => {
    const fresh = execFileSync(process.execPath, [GENERATOR, '--stdout'], { encoding: 'utf8' });
    const committed = readFileSync(join(REPO, 'docs/components.md'), 'utf8');
    expect(committed).toBe(fresh);
  });

  it('has a section, with description and example, for every component definition', () => {
    const doc = readFileSync(join(REPO, 'docs/components.md'), 'utf8');
    for (const [name, def] of Object.entries(definitions)) {
      const start = doc.indexOf(`\n### ${name}\n`);
      expect({ name, found: start >= 0 }).toEqual({ name, found: true });
      const end = doc.indexOf('\n### ', start + 1);
      const body = doc.slice(start, end < 0 ? undefined : end);
      expect(body).toContain(String(def.description));
      expect(body).toContain('```yaml');
      for (const field of Object.keys((def.properties as object | undefined) ?? {})) {
        if (field !== 'type' && field !== '$parameters') expect(body).toContain(`| \`${field}\` |`);
      }
    }
  });

  it('describes every field of every component (descriptions go in scripts/component-field-descriptions.mjs)', () => {
    const undescribed: string[] = [];
    for (const [name, def] of Object.entries(definitions)) {
      for (const [field, s] of Object.entries((def.properties as Record<string, { description?: string }> | undefined) ?? {})) {
        if (!s.description?.trim()) undescribed.push(`${name}.${field}`);
      }
    }
    expect(undescribed).toEqual([]);
  });

  it('has no field row with an empty description', () => {
    const doc = readFileSync(join(REPO, 'docs/components.md'), 'utf8');
    const rows = doc.split('\n').filter((l) => /^\| `[^`]+` \|/.test(l));
    expect(rows.length).toBeGreaterThan(400);
    // The last cell is the description: `| field | type | required | description |`.
    const empty = rows.filter((l) => /\|\s*\|$/.test(l.trimEnd()));
    expect(empty).toEqual([]);
  });

  it('shows hand-written examples for the core components and all Manifold extensions', () => {
    const generated = NEEDS_HAND_EXAMPLE.filter((n) => !handWritten.includes(n));
    expect(generated).toEqual([]);
  });

  it('only has examples for definitions that exist', () => {
    expect(handWritten.filter((n) => !definitions[n])).toEqual([]);
  });

  it('shows examples that validate against the manifest schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema(manifestSchema, 'manifest');
    const failures: string[] = [];
    for (const [name, { value }] of Object.entries(examples)) {
      if (!ajv.validate({ $ref: `manifest#/definitions/${name}` }, value)) {
        failures.push(`${name}: ${ajv.errorsText(ajv.errors)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(Object.keys(examples).sort()).toEqual(Object.keys(definitions).sort());
  });

  it("shows root examples that the engine's own manifest validation accepts", () => {
    for (const root of ['DeclarativeSource', 'DeclarativeDestination']) {
      const problems = validateManifest(loadManifestObject(structuredClone(examples[root]!.value)));
      expect({ root, problems }).toEqual({ root, problems: [] });
    }
  });

  it('shows a DeclarativeSource example the engine loads, with its stream and spec', async () => {
    const source = await Source.fromObject(structuredClone(examples.DeclarativeSource!.value));
    expect(source.streamNames()).toEqual(['books']);
    expect(source.spec().connectionSpecification.required).toEqual(['api_key']);
  });
});
