/** The studio page: wires the editor, config form, test read and schema views to the server's API. */
import { h, clear, api } from './dom.js';
import { createEditor } from './editor.js';
import { renderConfigForm } from './config-form.js';
import { renderTimeline } from './timeline.js';
import { renderSchema } from './schema-view.js';

const $ = (id) => document.getElementById(id);
const state = { version: undefined, savedText: '', streams: [], lastRead: undefined, spec: {}, initial: undefined };
let editor;
let schemaPromise;

// The token has done its job (the cookie carries it now): keep it out of history and screenshots.
if (location.search.includes('token=')) history.replaceState(null, '', '/');

async function start() {
  const { json: initial, ok } = await api('/api/initial', undefined, 'GET');
  if (!ok) return clear(document.body, h('p', { class: 'error-box' }, initial.error ?? 'The studio server refused this page: open the URL it printed.'));
  state.initial = initial;
  state.version = initial.manifest.version;
  state.savedText = initial.manifest.text;
  state.streams = initial.streams;
  state.spec = initial.spec;
  $('file').textContent = initial.manifest.file.split('/').pop();
  $('file').title = initial.manifest.file;
  $('mode').value = initial.http.mode;
  if (!initial.http.recordings) for (const o of $('mode').options) if (o.value !== 'live') o.disabled = true;
  editor = createEditor($('editor'), {
    text: initial.manifest.text,
    validate,
    onChange: () => markDirty(),
    onSave: save,
    editorSchema: () => (schemaPromise ??= api('/api/editor-schema', undefined, 'GET').then((r) => r.json)),
  });
  $('save').addEventListener('click', save);
  $('mode').addEventListener('change', async () => {
    const r = await api('/api/mode', { mode: $('mode').value });
    if (!r.ok) notify(r.json.error);
  });
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => showTab(b.dataset.tab));
  renderReadTab();
  renderConfigTab(initial.config);
  renderSchema($('tab-schema'), undefined, { accept });
  watchDisk();
  markDirty();
  window.manifoldStudio = { editor, state, ready: true };
  document.body.dataset.ready = 'true';
}

function showTab(name) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.tab === name);
  for (const t of document.querySelectorAll('.tab')) t.hidden = t.id !== `tab-${name}`;
}

function dirty() {
  return editor && editor.text() !== state.savedText;
}

function markDirty() {
  $('save').disabled = !dirty();
  $('save-status').textContent = dirty() ? 'unsaved changes' : 'saved';
}

async function validate(text) {
  const { json } = await api('/api/validate', { text });
  const problems = json.problems ?? [];
  // The config form follows the spec being edited (it keeps the last spec that validated).
  if (json.spec && JSON.stringify(json.spec) !== JSON.stringify(state.spec)) {
    state.spec = json.spec;
    const { json: config } = await api('/api/config', undefined, 'GET');
    renderConfigTab(config);
  }
  if (json.streams && json.streams.join() !== state.streams.join()) {
    state.streams = json.streams;
    renderStreamChoice();
  }
  clear(
    $('problems'),
    problems.map((p) =>
      h('div', { class: 'problem', onclick: () => p.line && editor.jumpTo(p.line, p.column) },
        h('span', { class: `sev-${p.severity}` }, p.severity),
        p.line ? h('span', { class: 'where' }, `${p.line}:${p.column ?? 1}`) : null,
        h('span', {}, p.message, p.path ? h('span', { class: 'muted' }, ` (${p.path})`) : null)),
    ),
  );
  return problems;
}

async function save(force = false) {
  const text = editor.text();
  const r = await api('/api/manifest', { text, version: state.version, force: force === true }, 'PUT');
  if (r.status === 409) return conflict(r.json.conflict);
  if (!r.ok) return notify(r.json.error);
  state.version = r.json.version;
  state.savedText = text;
  hideBanner();
  markDirty();
}

/** Edits made in another editor: taken silently when the page has none of its own, else the user chooses. */
function watchDisk() {
  const events = new EventSource('/api/events');
  events.onmessage = (m) => {
    const event = JSON.parse(m.data);
    if (event.type !== 'manifest-changed' || event.text === editor.text()) {
      if (event.type === 'manifest-changed') {
        state.version = event.version;
        state.savedText = event.text;
        markDirty();
      }
      return;
    }
    if (!dirty()) {
      state.version = event.version;
      state.savedText = event.text;
      editor.setText(event.text);
      markDirty();
      notify('Reloaded: the file changed on disk.', 'info');
    } else {
      conflict(event);
    }
  };
}

function conflict(disk) {
  showBanner(
    h('strong', {}, 'The file changed on disk and you have unsaved edits here.'),
    h('button', { id: 'take-disk', onclick: () => {
      state.version = disk.version;
      state.savedText = disk.text;
      editor.setText(disk.text);
      hideBanner();
      markDirty();
    } }, 'Load the disk version (drop mine)'),
    h('button', { id: 'keep-mine', onclick: () => save(true) }, 'Keep mine (overwrite the file)'),
  );
}

function showBanner(...children) {
  clear($('banner'), children);
  $('banner').hidden = false;
}
function hideBanner() {
  $('banner').hidden = true;
}
function notify(message, kind = 'error') {
  showBanner(h('span', { class: kind === 'error' ? 'sev-error' : '' }, message), h('button', { onclick: hideBanner }, 'Dismiss'));
  // Errors stay until dismissed; a notice goes by itself, unless something else took the banner since.
  if (kind !== 'error') {
    const shown = $('banner').firstChild;
    setTimeout(() => $('banner').firstChild === shown && hideBanner(), 5000);
  }
}

function renderReadTab() {
  const limits = state.initial.limits;
  const num = (id, value, label) => h('label', {}, `${label} `, h('input', { id, type: 'number', min: '1', value: String(value) }));
  clear(
    $('tab-read'),
    h('div', { class: 'row' },
      h('label', {}, 'Stream ', h('select', { id: 'stream' })),
      num('limit-records', limits.records, 'records'), num('limit-pages', limits.pages, 'pages/slice'), num('limit-slices', limits.slices, 'slices'),
      h('button', { class: 'primary', id: 'run-read', onclick: runRead }, 'Test read')),
    h('div', { id: 'read-result' }, h('p', { class: 'muted' }, 'Pick a stream and run a test read: it uses the text in the editor (saved or not) and the config of the Config tab.')),
  );
  renderStreamChoice();
}

function renderStreamChoice() {
  const select = $('stream');
  if (!select) return;
  const current = select.value;
  clear(select, state.streams.map((s) => h('option', { value: s, selected: s === current }, s)));
}

async function runRead() {
  const button = $('run-read');
  button.disabled = true;
  const out = $('read-result');
  clear(out, h('p', { class: 'muted' }, 'Reading…'));
  const limits = { records: $('limit-records').value, pages: $('limit-pages').value, slices: $('limit-slices').value };
  try {
    const r = await api('/api/test-read', { text: editor.text(), stream: $('stream').value, limits });
    if (!r.ok) return clear(out, h('div', { class: 'error-box', role: 'alert' }, r.json.error));
    state.lastRead = r.json;
    performance.mark('records-render-start');
    renderTimeline(out, r.json, { jumpTo: (line, column) => editor.jumpTo(line, column) });
    performance.mark('records-render-end');
    renderSchema($('tab-schema'), r.json, { accept });
    out.dataset.done = String(Date.now());
  } finally {
    button.disabled = false;
  }
}

async function accept(stream, schema) {
  const r = await api('/api/accept-schema', { text: editor.text(), version: state.version, stream, schema });
  if (r.status === 409) return conflict(r.json.conflict);
  if (!r.ok) return notify(r.json.error);
  state.version = r.json.version;
  state.savedText = r.json.text;
  editor.setText(r.json.text);
  markDirty();
  if (state.lastRead) state.lastRead.declaredSchema = schema;
  renderSchema($('tab-schema'), state.lastRead, { accept });
  notify(`Saved: the inferred schema of ${stream} is now in ${r.json.schemaFile ?? 'the manifest'}.`, 'info');
}

function renderConfigTab(config) {
  const form = renderConfigForm(state.spec, config.values, state.initial.secretPlaceholder);
  const status = h('span', { class: 'muted', id: 'config-status' });
  const element = h('form', { class: 'config', onsubmit: async (e) => {
    e.preventDefault();
    const r = await api('/api/config', { values: form.collect() }, 'PUT');
    if (!r.ok) return notify(r.json.error);
    status.textContent = 'saved';
    renderConfigTab(r.json);
    $('config-status').textContent = 'saved';
  } },
    h('p', { class: 'muted' }, 'Stored in ', h('code', {}, config.file ?? state.initial.config.file), ' (never in the manifest). Secrets are never sent to this page: a stored one shows as dots.'),
    config.hint ? h('div', { class: 'hint' }, config.hint) : null,
    form.element,
    h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit', id: 'save-config' }, 'Save config'), status));
  clear($('tab-config'), element);
}

start();
