/** The test read's result: errors (click to jump), slices → pages, and the selected page's exchanges and records. */
import { h, clear, pretty } from './dom.js';
import { recordsTable } from './records-table.js';

export function renderTimeline(target, result, { jumpTo }) {
  const errors = result.errors.map((e) =>
    h('div', { class: 'error-box', role: 'alert' },
      e.line ? h('span', { class: 'jump', title: e.path ?? '', onclick: () => jumpTo(e.line, e.column) }, `line ${e.line}${e.path ? ` · ${e.path}` : ''}`) : null,
      e.message),
  );
  const total = result.records.length;
  const pages = result.slices.reduce((n, s) => n + s.pages.length, 0);
  const summary = h('div', { class: 'row muted', id: 'read-summary' }, `${total} record(s) · ${result.slices.length} slice(s) · ${pages} page(s) · ${result.durationMs} ms`);
  const details = h('div', { class: 'details' });
  const items = [];
  const select = (page, item) => {
    for (const i of items) i.classList.remove('selected');
    item?.classList.add('selected');
    renderPage(details, page, result);
  };
  const slices = h('div', { class: 'slices' },
    result.slices.map((slice, si) =>
      h('div', { class: 'slice' },
        h('div', { class: 'slice-head' }, `Slice ${si + 1} `, h('span', { class: 'muted' }, sliceLabel(slice.slice))),
        slice.pages.map((page, pi) => {
          const last = finalExchange(page);
          const item = h('div', { class: 'page-item', dataset: { slice: si, page: pi } },
            `Page ${pi + 1}`,
            last?.status !== undefined ? h('span', { class: last.status < 400 ? 'status-ok' : 'status-bad' }, String(last.status)) : h('span', { class: 'status-bad' }, 'failed'),
            h('span', { class: 'muted' }, `${page.records} record(s)`),
            page.exchanges.length > 1 ? h('span', { class: 'muted' }, `${page.exchanges.length} attempts`) : null);
          item.addEventListener('click', () => select(page, item));
          items.push(item);
          return item;
        }),
        slice.state !== undefined ? h('div', { class: 'state' }, 'State after slice: ', h('code', {}, JSON.stringify(slice.state))) : null),
    ),
  );
  const allRecords = total ? h('div', { class: 'records' }, h('h3', {}, `All records (${total})`), recordsTable(result.records)) : null;
  const logs = result.logs.length
    ? h('details', { class: 'logs' }, h('summary', {}, `Log (${result.logs.length})`), h('div', { class: 'kv' }, result.logs.map((l) => h('div', { class: l.level === 'WARN' ? 'sev-warning' : l.level === 'ERROR' || l.level === 'FATAL' ? 'sev-error' : '' }, `${l.level} ${l.message}`))))
    : null;
  clear(target, errors, summary, logs, h('div', { class: 'timeline' }, slices, details), allRecords);
  const firstPage = result.slices.flatMap((s) => s.pages)[0];
  if (firstPage) select(firstPage, items[0]);
}

function finalExchange(page) {
  return page.exchanges.filter((x) => x.retryInMs === undefined).at(-1);
}

function sliceLabel(slice) {
  const parts = [];
  if (slice?.partition && Object.keys(slice.partition).length) parts.push(`partition ${JSON.stringify(slice.partition)}`);
  if (slice?.cursor_slice && Object.keys(slice.cursor_slice).length) parts.push(`cursor ${JSON.stringify(slice.cursor_slice)}`);
  return parts.join(' · ') || '(whole stream)';
}

function renderPage(target, page, result) {
  const blocks = [h('div', { class: 'pagination' }, h('strong', {}, 'Pagination: '), page.pagination)];
  for (const x of page.exchanges) {
    if (x.retryInMs !== undefined) {
      blocks.push(h('div', { class: 'wait' }, `↻ retrying ${x.method} in ${(x.retryInMs / 1000).toFixed(1)} s`));
      continue;
    }
    if (x.rateLimitWaitMs) blocks.push(h('div', { class: 'wait' }, `⏳ waited ${(x.rateLimitWaitMs / 1000).toFixed(1)} s for the api_budget (rate limit)`));
    blocks.push(
      h('div', { class: 'exchange' },
        h('h4', {}, `${x.method} ${x.url}`, x.attempt > 1 ? ` (attempt ${x.attempt})` : ''),
        h('div', { class: 'part request' },
          h('strong', {}, 'Request'),
          h('div', { class: 'kv' }, Object.entries(x.requestHeaders ?? {}).map(([k, v]) => h('div', {}, `${k}: ${v}`))),
          x.requestBody ? h('pre', {}, pretty(x.requestBody)) : null),
        h('div', { class: 'part response' },
          h('strong', {}, 'Response '),
          x.status !== undefined ? h('span', { class: x.status < 400 ? 'status-ok' : 'status-bad' }, `${x.status}`) : h('span', { class: 'status-bad' }, x.error ?? 'no response'),
          x.durationMs !== undefined ? h('span', { class: 'muted' }, ` in ${Math.round(x.durationMs)} ms`) : null,
          x.responseHeaders ? h('details', {}, h('summary', {}, 'Headers'), h('div', { class: 'kv' }, Object.entries(x.responseHeaders).map(([k, v]) => h('div', {}, `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)))) : null,
          x.responseBody !== undefined ? bodyView(x) : null),
      ),
    );
  }
  blocks.push(h('div', { class: 'records' }, h('h3', {}, `Records of this page (${page.records})`), recordsTable(result.records, { from: page.firstRecord, count: page.records })));
  clear(target, blocks);
}

/** Bodies up to 32 KB show pretty-printed at once; longer ones when opened (a 1,000-record page would cost the page a long task). */
const OPEN_BODY = 32 * 1024;
function bodyView(x) {
  const size = x.responseBytes ?? x.responseBody.length;
  const summary = h('summary', {}, `Body (${size} bytes${x.responseBody.length < size ? `, first ${x.responseBody.length} shown` : ''})`);
  const pre = h('pre', { class: 'body' });
  const details = h('details', { open: x.responseBody.length <= OPEN_BODY }, summary, pre);
  const fill = () => {
    if (!pre.textContent) pre.textContent = x.responseBody.length <= OPEN_BODY ? pretty(x.responseBody) : x.responseBody;
  };
  if (details.open) fill();
  details.addEventListener('toggle', fill);
  return details;
}
