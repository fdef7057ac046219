/** spec, discover and validate through the real CLI, on manifests written outside this repo's style. */
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { REPO, runCli, tempFiles } from '../helpers/cli.js';

const INDEPENDENT = join(REPO, 'test/e2e/manifests/independent.yaml');
const BROKEN = join(REPO, 'test/e2e/manifests/broken.yaml');

describe('manifold spec / discover / validate', () => {
  it('validates an independently written Airbyte manifest unchanged', async () => {
    const result = await runCli(['validate', '--manifest', INDEPENDENT]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('valid');
    expect(result.code).toBe(0);
  });

  it('warns, located, about a repeated key and an unknown check stream, and still calls the manifest valid', async () => {
    const files = tempFiles({
      'dup.yaml': [
        'version: 6.0.0',
        'type: DeclarativeSource',
        'check: { type: CheckStream, stream_names: [item] }',
        'streams:',
        '  - type: DeclarativeStream',
        '    name: items',
        '    name: items',
        '    retriever:',
        '      type: SimpleRetriever',
        '      requester: { type: HttpRequester, url_base: "http://localhost:1", path: /items }',
        '      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }',
        '',
      ].join('\n'),
    });
    const result = await runCli(['validate', '--manifest', files['dup.yaml']!]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('valid');
    expect(result.stderr).toContain(`WARN ${files['dup.yaml']}:7:5: duplicate key "name" (also at line 6, column 5); the last value is used`);
    expect(result.stderr).toContain(`WARN ${files['dup.yaml']}:3:44 check.stream_names[0]: check.stream_names refers to unknown stream "item"`);
  });

  it('prints the SPEC with the connection specification', async () => {
    const result = await runCli(['spec', '--manifest', INDEPENDENT]);
    expect(result.code).toBe(0);
    expect(result.messages).toHaveLength(1);
    const spec = result.messages[0]!;
    expect(spec.type).toBe('SPEC');
    expect(spec.spec.documentationUrl).toBe('https://example-library.org/docs/api');
    expect(spec.spec.connectionSpecification.required).toEqual(['api_token', 'start_date']);
    expect(spec.spec.connectionSpecification.properties.api_token.airbyte_secret).toBe(true);
  });

  it('discovers streams with schemas, primary keys, sync modes and cursor', async () => {
    const files = tempFiles({ 'config.json': { api_token: 'tok-123456', start_date: '2024-01-01' } });
    const result = await runCli(['discover', '--manifest', INDEPENDENT, '--config', files['config.json']!]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const catalog = result.messages.find((m) => m.type === 'CATALOG')!.catalog;
    const books = catalog.streams.find((s: any) => s.name === 'books');
    const reviews = catalog.streams.find((s: any) => s.name === 'reviews');
    expect(books.supported_sync_modes).toEqual(['full_refresh', 'incremental']);
    expect(books.default_cursor_field).toEqual(['updated_at']);
    expect(books.source_defined_primary_key).toEqual([['id']]);
    expect(books.json_schema.properties.title.type).toEqual(['string', 'null']);
    expect(reviews.supported_sync_modes).toEqual(['full_refresh']);
    expect(reviews.source_defined_primary_key).toEqual([['book_id'], ['id']]);
  });

  it('reports every problem of a broken manifest with file, line, column and component path', async () => {
    const result = await runCli(['validate', '--manifest', BROKEN]);
    expect(result.code).toBe(1);
    // Unknown type, with a suggestion, located at the misspelled type (line 26, its value's column).
    expect(result.stderr).toContain('broken.yaml:26:17 streams[0].retriever.paginator.pagination_strategy.type:');
    expect(result.stderr).toContain('CursorPagination');
    // The dangling $ref is reported too, not just the first problem.
    expect(result.stderr).toContain('#/definitions/missing_requester');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('fails read with a located config_error TRACE for a broken manifest', async () => {
    const files = tempFiles({ 'config.json': {} });
    const result = await runCli(['read', '--manifest', BROKEN, '--config', files['config.json']!]);
    expect(result.code).toBe(1);
    const trace = result.messages.find((m) => m.trace?.type === 'ERROR')!;
    expect(trace.trace.error.failure_type).toBe('config_error');
    expect(trace.trace.error.message).toContain('broken.yaml');
  });

  it('prints the manifest JSON Schema for editors', async () => {
    const result = await runCli(['schema']);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    const text = JSON.stringify(schema);
    for (const type of ['DeclarativeSource', 'CursorPagination', 'TwoStepCursorPaginator', 'JsonataExtractor']) expect(text).toContain(type);
  });
});
