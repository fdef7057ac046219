/**
 * Authoring conveniences (issue 18): infer-schema's YAML output, date formats and repeatable
 * --stream; sync --stream; progress counts and wording; schema inference of formats.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Progress } from '../../cli/progress.js';
import { SchemaInferrer } from '../../engine/schema/infer.js';
import { runCli } from '../helpers/cli.js';
import { files, startApi, type Api } from './fixture.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.server.close());

describe('infer-schema', () => {
  it('--format yaml prints the same schema as YAML, and detects date-time strings', async () => {
    const f = files(api, []);
    const args = ['infer-schema', '--manifest', f.manifest, '--config', f.config, '--stream', 'events'];
    const asJson = await runCli(args);
    const asYaml = await runCli([...args, '--format', 'yaml']);
    expect(asYaml.code).toBe(0);
    expect(asYaml.stdout.trimStart().startsWith('{')).toBe(false);
    expect(parseYaml(asYaml.stdout)).toEqual(JSON.parse(asJson.stdout));
    const schema = JSON.parse(asJson.stdout);
    expect(schema.properties.updated).toEqual({ type: ['null', 'string'], format: 'date-time' });
    // A string that is no date stays a plain string.
    expect(schema.properties.kind.format).toBeUndefined();
  });

  it('--stream is repeatable: several streams give an object keyed by stream', async () => {
    const f = files(api, []);
    const result = await runCli(['infer-schema', '--manifest', f.manifest, '--config', f.config, '--stream', 'items', '--stream', 'notes']);
    expect(result.code).toBe(0);
    expect(Object.keys(JSON.parse(result.stdout)).sort()).toEqual(['items', 'notes']);
  });

  it('an unknown --format is a config error', async () => {
    const f = files(api, []);
    const result = await runCli(['infer-schema', '--manifest', f.manifest, '--config', f.config, '--format', 'toml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--format takes json or yaml (got "toml")');
  });
});

describe('SchemaInferrer formats', () => {
  it('declares date and date-time only when every string of the field has that shape', () => {
    const inferrer = new SchemaInferrer();
    inferrer.add({
      day: '2024-01-31',
      at: '2024-01-31T10:00:00Z',
      mixed: '2024-01-31',
      nested: { at: '2024-01-31T10:00:00.5+02:00' },
      list: ['2024-02-01'],
      naive: '2024-01-31T10:00:00',
      bad: '2024-02-30',
    });
    inferrer.add({
      day: null,
      at: '2024-02-01 11:00:00+00:00',
      mixed: 'soon',
      nested: { at: '2024-02-01T00:00:00Z' },
      list: ['2024-02-02'],
      naive: '2024-01-31T10:00:00',
      bad: '2024-02-28',
    });
    const props = inferrer.result().properties as Record<string, any>;
    expect(props.day.format).toBe('date');
    expect(props.at.format).toBe('date-time');
    expect(props.mixed.format).toBeUndefined();
    expect(props.nested.properties.at.format).toBe('date-time');
    expect(props.list.items.format).toBe('date');
    // No offset: not an RFC 3339 date-time, which JSON Schema's format requires.
    expect(props.naive.format).toBeUndefined();
    expect(props.bad.format).toBeUndefined();
  });
});

describe('sync --stream', () => {
  it('syncs only the named streams (repeatable)', async () => {
    const f = files(api, []);
    const result = await runCli([
      'sync',
      '--manifest',
      f.manifest,
      '--config',
      f.config,
      '--to',
      `duckdb:${join(f.dir, 'db.duckdb')}`,
      '--stream',
      'items',
      '--stream',
      'notes',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/items → items: 7 read/);
    expect(result.stderr).toMatch(/notes → notes: 2 read/);
    expect(result.stderr).not.toMatch(/events →/);
  });
});

describe('progress', () => {
  const sink = () => ({ write: () => true, columns: 80, rows: 24 }) as unknown as NodeJS.WriteStream;

  it('a finished stream keeps its final rate instead of a falling one; 1 retry, 1 page, 1 record', () => {
    const progress = new Progress(sink());
    for (let i = 0; i < 1; i++) progress.record('a');
    progress.page('a');
    progress.http({ stream: 'a', method: 'GET', url: 'http://x', requestHeaders: {}, attempt: 2 });
    progress.finish('a', true);
    const now = Date.now();
    const atEnd = progress.text(now);
    expect(atEnd).toMatch(/^✔ a: 1 record, 1 page, \d+ rec\/s, 1 retry$/);
    expect(progress.text(now + 60_000)).toBe(atEnd);
  });

  it('counts the page a --limit-records stops on', async () => {
    const f = files(api, ['items']);
    // Pages of 2: the third record is on page 2.
    const result = await runCli(['read', ...f.args, '--limit-records', '3', '--progress']);
    expect(result.code).toBe(0);
    const text = result.stderr.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(text).toMatch(/✔ items: 3 records, 2 pages, \d+ rec\/s, 0 retries/);
  });
});

describe('read --show-http with a substream', () => {
  it("labels the parent's requests with the parent's name, the child's with its own", async () => {
    const f = files(api, ['item_notes']);
    const result = await runCli(['read', ...f.args, '--show-http']);
    expect(result.code).toBe(0);
    const requests = result.stderr.split('\n').filter((l) => / → GET /.test(l));
    expect(requests.filter((l) => l.includes('/api/items?'))).toHaveLength(4);
    expect(requests.filter((l) => l.includes('/api/items?')).every((l) => l.startsWith('[items] '))).toBe(true);
    expect(requests.filter((l) => l.includes('/api/item-notes?')).every((l) => l.startsWith('[item_notes] '))).toBe(true);
  });
});
