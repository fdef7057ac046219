/**
 * The studio in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core,
 * never downloaded) through the tutorial connector. Without Chromium these tests fail, naming what
 * to install; MANIFOLD_SKIP_BROWSER_TESTS=1 skips them on purpose.
 *
 * MANIFOLD_STUDIO_SCREENSHOTS=<dir> saves the screenshots docs/studio.md uses; the performance
 * numbers (page load, long tasks while 10 pages × 1,000 records render) are printed, not asserted.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { startStudio, type StartedStudio } from '../../cli/studio/server.js';
import { json, startServer } from '../helpers/http-server.js';
import { TEST_KEY, tutorialCopy } from './helpers.js';

// The functions passed to page.evaluate run in the page; the project type-checks without the DOM library.
declare const window: any;
declare const document: any;
declare const requestAnimationFrame: (callback: () => void) => number;

const CHROMIUM = process.env.MANIFOLD_CHROMIUM ?? '/usr/bin/chromium';
const SKIP = process.env.MANIFOLD_SKIP_BROWSER_TESTS === '1';
const SHOTS = process.env.MANIFOLD_STUDIO_SCREENSHOTS;
const suite = SKIP ? describe.skip : describe;

let browser: Browser;

beforeAll(async () => {
  if (SKIP) return;
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium; .ci/run does), point MANIFOLD_CHROMIUM at one, or set MANIFOLD_SKIP_BROWSER_TESTS=1 to skip the browser tests on purpose`,
    );
  }
  // CI runs as root, where Chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function open(studio: StartedStudio): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const failures: string[] = [];
  page.on('pageerror', (e) => failures.push(e.message));
  await page.goto(studio.url);
  await page.waitForSelector('body[data-ready=true]');
  expect(failures).toEqual([]);
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, name) });
}

/** Selects `from` in the editor (its first occurrence) and types `to` over it, as a person would. */
async function replaceInEditor(page: Page, from: string, to: string): Promise<void> {
  await page.evaluate((text) => {
    const { view } = (window as any).manifoldStudio.editor;
    const at = view.state.doc.toString().indexOf(text);
    if (at < 0) throw new Error(`not in the editor: ${text}`);
    view.dispatch({ selection: { anchor: at, head: at + text.length }, scrollIntoView: true });
    view.focus();
  }, from);
  await page.keyboard.type(to);
}

const editorText = (page: Page): Promise<string> => page.evaluate(() => (window as any).manifoldStudio.editor.text());

async function runRead(page: Page, stream: string, limits: { records?: number; pages?: number } = {}): Promise<void> {
  await page.click('#tabs button[data-tab=read]');
  await page.selectOption('#stream', stream);
  if (limits.records) await page.fill('#limit-records', String(limits.records));
  if (limits.pages) await page.fill('#limit-pages', String(limits.pages));
  const before = await page.evaluate(() => document.getElementById('read-result')?.dataset.done ?? '');
  await page.click('#run-read');
  await page.waitForFunction((b) => (document.getElementById('read-result')?.dataset.done ?? '') !== b, before, { timeout: 60_000 });
}

suite('the tutorial connector in the browser', () => {
  let studio: StartedStudio;
  let files: ReturnType<typeof tutorialCopy>;
  let page: Page;
  let original: string;

  beforeAll(async () => {
    files = tutorialCopy();
    original = readFileSync(files.manifest, 'utf8');
    // A planted typo, and a declared schema that lacks a field the API returns.
    writeFileSync(
      files.manifest,
      original.replace('type: DpathExtractor', 'type: DpathExtracter').replace(/\n {10}country: \{ type: \["null", string\] \}/, ''),
    );
    studio = await startStudio({ manifest: files.manifest, config: files.config, replay: files.replay });
    page = await open(studio);
  }, 60_000);
  afterAll(async () => {
    await page?.close();
    await studio?.close();
  });

  test('the planted typo is underlined with its problem; fixing it in the editor makes the error go away, and saving writes the file', async () => {
    await page.waitForSelector('.cm-lintRange-error', { timeout: 30_000 });
    await expect(page.textContent('#problems')).resolves.toContain('unknown component type DpathExtracter; did you mean DpathExtractor');
    await expect(page.textContent('#problems')).resolves.toContain('21:13');
    await shot(page, 'studio-editor-problem.png');
    await replaceInEditor(page, 'DpathExtracter', 'DpathExtractor');
    await page.waitForFunction(() => document.querySelectorAll('.cm-lintRange-error').length === 0, undefined, { timeout: 30_000 });
    await page.waitForFunction(() => !document.getElementById('problems')!.textContent!.includes('DpathExtracter'));
    await expect(page.textContent('#save-status')).resolves.toBe('unsaved changes');
    await page.keyboard.press('Control+s');
    await page.waitForFunction(() => document.getElementById('save-status')!.textContent === 'saved');
    expect(readFileSync(files.manifest, 'utf8')).toContain('type: DpathExtractor');
    expect(readFileSync(files.manifest, 'utf8')).not.toContain('DpathExtracter');
  });

  test('a test read shows slices and pages, each request and response (key masked), why pagination went on or stopped, and the records', async () => {
    await runRead(page, 'books');
    await expect(page.textContent('#read-summary')).resolves.toMatch(/^12 record\(s\) · 1 slice\(s\) · 3 page\(s\)/);
    const details = (await page.textContent('.details'))!;
    expect(details).toContain('GET http://127.0.0.1:4010/v1/books?per_page=5');
    expect(details).toContain('X-Api-Key: ****');
    expect(details).toContain('continued: the paginator gave a next page (page=2)');
    expect(details).toContain('"title": "A Wizard of Earthsea"');
    await expect(page.locator('.details .vrow').filter({ hasText: 'A Wizard of Earthsea' }).count()).resolves.toBe(1);
    await expect(page.textContent('.slice .state')).resolves.toContain('__ab_no_cursor_state_message');
    await shot(page, 'studio-test-read.png');
    await page.click('.page-item[data-page="2"]');
    await expect(page.textContent('.details .pagination')).resolves.toContain(
      'stopped: the paginator found no next page (this page gave 2 record(s); page_size is 5)',
    );
    await expect(page.textContent('.details')).resolves.toContain('books?page=3&per_page=5');
    expect(await page.content()).not.toContain(TEST_KEY);
  });

  test('the schema view shows the field the declared schema lacks; "use inferred schema" writes it into the file, comments kept', async () => {
    await runRead(page, 'authors');
    await page.click('#tabs button[data-tab=schema]');
    await expect(page.textContent('#schema-summary')).resolves.toBe('1 difference(s) from the declared schema');
    await expect(page.textContent('table.diff tr.added')).resolves.toContain('country');
    await shot(page, 'studio-schema.png');
    await page.click('#accept-schema');
    await page.waitForFunction(() => document.getElementById('schema-summary')?.textContent === '0 difference(s) from the declared schema');
    const onDisk = readFileSync(files.manifest, 'utf8');
    expect(parseYaml(onDisk).streams[0].schema_loader.schema.properties.country).toEqual({ type: ['null', 'string'] });
    expect(onDisk).toContain('# The finished manifest of docs/authoring.md');
    await expect(editorText(page)).resolves.toBe(onDisk);
    await expect(page.textContent('#save-status')).resolves.toBe('saved');
    await expect(page.textContent('#banner')).resolves.toContain('Saved: the inferred schema of authors is now in the manifest.');
    await page.click('#banner button');
  });

  test('a bad request ends in an error located at its manifest line; clicking it puts the editor cursor there', async () => {
    await replaceInEditor(page, 'path: /authors', 'path: /authorz');
    await runRead(page, 'authors');
    const error = page.locator('#read-result .error-box');
    await expect(error.textContent()).resolves.toContain('GET http://127.0.0.1:4010/v1/authorz');
    await page.evaluate(() => (window as any).manifoldStudio.editor.jumpTo(1));
    await page.click('#read-result .error-box .jump');
    const line = await page.evaluate(() => (window as any).manifoldStudio.editor.cursorLine());
    const text = await editorText(page);
    expect(text.split('\n')[line - 1]).toContain('path: /authorz');
    await expect(page.textContent('.cm-activeLine')).resolves.toContain('path: /authorz');
    await shot(page, 'studio-error.png');
    await replaceInEditor(page, 'path: /authorz', 'path: /authors');
  });

  test('the config form comes from the spec: the secret is a password field holding a placeholder, never the key', async () => {
    await page.click('#tabs button[data-tab=config]');
    await expect(page.getAttribute('input[name=api_key]', 'type')).resolves.toBe('password');
    await expect(page.inputValue('input[name=api_key]')).resolves.not.toBe(TEST_KEY);
    await expect(page.inputValue('input[name=base_url]')).resolves.toBe('http://127.0.0.1:4010/v1');
    await page.fill('input[name=base_url]', 'http://127.0.0.1:4010/v2');
    await page.click('#save-config');
    await page.waitForFunction(() => document.getElementById('config-status')?.textContent === 'saved');
    expect(JSON.parse(readFileSync(files.config, 'utf8'))).toEqual({ api_key: TEST_KEY, base_url: 'http://127.0.0.1:4010/v2' });
    expect(await page.content()).not.toContain(TEST_KEY);
    await shot(page, 'studio-config.png');
    await page.fill('input[name=base_url]', 'http://127.0.0.1:4010/v1');
    await page.click('#save-config');
    await page.waitForFunction(() => (document.querySelector('input[name=base_url]') as { value: string } | null)?.value === 'http://127.0.0.1:4010/v1');
  });

  test('an edit made on disk by another editor shows up live; with unsaved edits in the page, the page says both changed', async () => {
    // Start from a page whose text is the file's (a save still in flight would overwrite the edit below).
    if ((await page.textContent('#save-status')) !== 'saved') {
      await page.evaluate(() => (window as any).manifoldStudio.editor.view.focus());
      await page.keyboard.press('Control+s');
      await page.waitForFunction(() => document.getElementById('save-status')!.textContent === 'saved');
    }
    await expect(editorText(page)).resolves.toBe(readFileSync(files.manifest, 'utf8'));
    const disk = readFileSync(files.manifest, 'utf8').replace('# The finished manifest', '# Edited elsewhere. The finished manifest');
    writeFileSync(files.manifest, disk);
    await page.waitForFunction((t) => (window as any).manifoldStudio.editor.text() === t, disk, { timeout: 15_000 });
    await replaceInEditor(page, 'title: Bookshop', 'title: Bookshop (mine)');
    writeFileSync(files.manifest, disk.replace('version: 6.44.0', 'version: 6.45.0'));
    await page.waitForSelector('#banner:not([hidden]) #keep-mine', { timeout: 15_000 });
    await expect(page.textContent('#banner')).resolves.toContain('The file changed on disk and you have unsaved edits here.');
    await expect(editorText(page)).resolves.toContain('title: Bookshop (mine)');
    await page.click('#keep-mine');
    await page.waitForFunction(() => document.getElementById('save-status')!.textContent === 'saved');
    expect(readFileSync(files.manifest, 'utf8')).toContain('title: Bookshop (mine)');
  });
  test('completion offers the fields of the component a key belongs to, and component types after type:', async () => {
    await page.evaluate(() => {
      const { view } = (window as any).manifoldStudio.editor;
      const at = view.state.doc.toString().indexOf('field_path: [data]') + 'field_path: [data]'.length;
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      view.focus();
    });
    await page.keyboard.press('Enter');
    await page.keyboard.type('record_exp');
    await page.waitForSelector('.cm-tooltip-autocomplete');
    await expect(page.textContent('.cm-tooltip-autocomplete')).resolves.toContain('record_expander');
    // Picked with the mouse: Enter could reach the editor before an async list settles.
    await page.click('.cm-tooltip-autocomplete li:has-text("record_expander")');
    await page.waitForFunction(() => /\n {6}field_path: \[data\]\n {6}record_expander: /.test((window as any).manifoldStudio.editor.text()), undefined, {
      timeout: 15_000,
    });
    await replaceInEditor(page, 'type: DpathExtractor', 'type: Dpath');
    await page.keyboard.press('Control+Space');
    await page.waitForSelector('.cm-tooltip-autocomplete');
    await expect(page.textContent('.cm-tooltip-autocomplete')).resolves.toContain('DpathExtractor');
  });
});

suite('the config form', () => {
  test('follows the spec: enum with its default, integer, boolean, and a oneOf whose chosen branch is stored with its constant', async () => {
    const files = tutorialCopy();
    const spec = `spec:
  type: Spec
  connection_specification:
    type: object
    required: [base_url]
    properties:
      base_url: { type: string, title: API base URL, order: 0 }
      region: { type: string, title: Region, enum: [us, eu], default: eu, order: 1 }
      page_size: { type: integer, title: Page size, default: 50, order: 2 }
      include_archived: { type: boolean, title: Include archived, order: 3 }
      credentials:
        title: Authentication
        order: 4
        oneOf:
          - title: API key
            type: object
            properties:
              auth_type: { type: string, const: key }
              api_key: { type: string, airbyte_secret: true }
          - title: OAuth
            type: object
            properties:
              auth_type: { type: string, const: oauth }
              client_id: { type: string }
              client_secret: { type: string, airbyte_secret: true }
`;
    const text = readFileSync(files.manifest, 'utf8');
    writeFileSync(files.manifest, text.slice(0, text.indexOf('spec:')) + spec);
    writeFileSync(files.config, JSON.stringify({ base_url: 'http://127.0.0.1:4010/v1', credentials: { auth_type: 'key', api_key: TEST_KEY } }));
    const studio = await startStudio({ manifest: files.manifest, config: files.config });
    const page = await open(studio);
    try {
      await page.click('#tabs button[data-tab=config]');
      await expect(page.inputValue('select[name=region]')).resolves.toBe('eu');
      await expect(page.getAttribute('input[name=page_size]', 'type')).resolves.toBe('number');
      await expect(page.inputValue('input[name=page_size]')).resolves.toBe('50');
      await expect(page.getAttribute('input[name=include_archived]', 'type')).resolves.toBe('checkbox');
      await expect(page.inputValue('select[name="credentials#branch"]')).resolves.toBe('0');
      await expect(page.getAttribute('input[name="credentials.api_key"]', 'type')).resolves.toBe('password');
      expect(await page.content()).not.toContain(TEST_KEY);
      await page.selectOption('select[name="credentials#branch"]', { label: 'OAuth' });
      await page.fill('input[name="credentials.client_id"]', 'client-7');
      await page.fill('input[name="credentials.client_secret"]', 'oauth-secret-5c2d');
      await page.check('input[name=include_archived]');
      await page.selectOption('select[name=region]', 'us');
      await page.click('#save-config');
      await page.waitForFunction(() => document.getElementById('config-status')?.textContent === 'saved');
      expect(JSON.parse(readFileSync(files.config, 'utf8'))).toEqual({
        base_url: 'http://127.0.0.1:4010/v1',
        region: 'us',
        page_size: 50,
        include_archived: true,
        credentials: { auth_type: 'oauth', client_id: 'client-7', client_secret: 'oauth-secret-5c2d' },
      });
      // The form is drawn again from what the server sent back: the new secret is a placeholder now.
      await expect(page.inputValue('input[name="credentials.client_secret"]')).resolves.not.toBe('oauth-secret-5c2d');
      expect(await page.content()).not.toContain('oauth-secret-5c2d');
      // The form follows the spec as it is edited, before any save.
      await replaceInEditor(page, 'title: Region,', 'title: Data region,');
      await page.waitForFunction(() => document.querySelector('form.config')?.textContent?.includes('Data region'), undefined, { timeout: 30_000 });
      await expect(page.inputValue('select[name=region]')).resolves.toBe('us');
    } finally {
      await page.close();
      await studio.close();
    }
  });
});

suite('10 pages × 1,000 records', () => {
  const PAGES = 10;
  const PER_PAGE = 1000;
  test('renders and scrolls its records table; page load and long tasks are measured (reported in docs/studio.md, not asserted)', async () => {
    const rows = (page: number) =>
      Array.from({ length: PER_PAGE }, (_, i) => {
        const id = (page - 1) * PER_PAGE + i + 1;
        return {
          id,
          title: `Book ${id}`,
          author_id: id % 97,
          price: (id % 50) + 0.99,
          in_stock: id % 3 !== 0,
          published_on: '2020-01-01',
          tags: ['a', 'b'],
          blurb: 'x'.repeat(60),
        };
      });
    const api = await startServer({
      '/v1/books': (req, res) => json(res, 200, { data: Number(req.query.page ?? '1') <= PAGES ? rows(Number(req.query.page ?? '1')) : [] }),
    });
    const files = tutorialCopy();
    writeFileSync(files.config, JSON.stringify({ api_key: TEST_KEY, base_url: `${api.url}/v1` }));
    writeFileSync(files.manifest, readFileSync(files.manifest, 'utf8').replace('page_size: 5', `page_size: ${PER_PAGE}`));
    const studio = await startStudio({ manifest: files.manifest, config: files.config });
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    try {
      await page.addInitScript(() => {
        (window as any).longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) (window as any).longTasks.push({ start: e.startTime, duration: e.duration });
        }).observe({ type: 'longtask' as 'mark', buffered: true });
      });
      // Warm the server (the first request reads the bundle from memory, as every later one).
      await page.goto(studio.url);
      await page.waitForSelector('body[data-ready=true]');
      await page.reload();
      await page.waitForSelector('body[data-ready=true]');
      const load = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation' as 'mark')[0] as unknown as { domContentLoadedEventEnd: number; loadEventEnd: number };
        return { domContentLoaded: Math.round(nav.domContentLoadedEventEnd), load: Math.round(nav.loadEventEnd), ready: Math.round(performance.now()) };
      });
      await page.evaluate(() => ((window as any).longTasks = []));
      await runRead(page, 'books', { records: PAGES * PER_PAGE, pages: PAGES + 1 });
      await expect(page.textContent('#read-summary')).resolves.toMatch(/^10000 record\(s\) · 1 slice\(s\) · 10 page\(s\)/);
      const renderTasks = await page.evaluate(() => (window as any).longTasks.splice(0));
      const table = page.locator('.records .vtable').last();
      await table.scrollIntoViewIfNeeded();
      // Scroll the 10,000-row table: 40 screens down, then jumps through the rest to the bottom.
      const steps = await table.evaluate(async (el) => {
        const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));
        let n = 0;
        for (let i = 0; i < 40; i++, n++) {
          el.scrollTop += el.clientHeight;
          await frame();
        }
        for (let f = 0.1; f <= 1.0001; f += 0.1, n++) {
          el.scrollTop = (el.scrollHeight - el.clientHeight) * f;
          await frame();
        }
        return n;
      });
      await expect(table.locator('.vrow:not([hidden])').last().textContent()).resolves.toContain('Book 10000');
      const domRows = await table.locator('.vrow').count();
      expect(domRows).toBeLessThan(100);
      const scrollTasks = await page.evaluate(() => (window as any).longTasks.splice(0));
      const draws = await page.evaluate(() =>
        performance
          .getEntriesByName('records-table draw')
          .map((e) => e.duration)
          .sort((a, b) => a - b),
      );
      const max = (tasks: { duration: number }[]) => Math.round(Math.max(0, ...tasks.map((t) => t.duration)));
      const report = {
        pageLoadMs: load,
        testRead: { records: PAGES * PER_PAGE, pages: PAGES },
        renderLongTasks: { count: renderTasks.length, maxMs: max(renderTasks) },
        scroll: { screens: steps, rowsInDom: domRows, longTasks: scrollTasks.length, maxMs: max(scrollTasks) },
        // The table's own script per scroll frame; the rest of a long task is the browser's style, layout and paint.
        drawMs: { median: Math.round(draws[Math.floor(draws.length / 2)] ?? 0), max: Math.round(draws.at(-1) ?? 0) },
        loadAverage: loadavg().map((n) => Math.round(n * 10) / 10),
        cores: cpus().length,
      };
      process.stdout.write(`studio performance: ${JSON.stringify(report)}\n`);
      if (SHOTS) writeFileSync(join(SHOTS, 'studio-performance.json'), JSON.stringify(report, null, 2) + '\n');
    } finally {
      await page.close();
      await studio.close();
      await api.close();
    }
  }, 120_000);
});
