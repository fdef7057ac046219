/** Declared and inferred schema side by side, their differences, and "use inferred schema". */
import { h, clear } from './dom.js';

export function renderSchema(target, result, { accept }) {
  if (!result) return clear(target, h('p', { class: 'muted' }, 'Run a test read first: the schema is inferred from its records.'));
  const declared = result.declaredSchema;
  const inferred = result.inferredSchema;
  if (!inferred) return clear(target, h('p', { class: 'muted' }, 'The test read returned no records, so there is no schema to infer.'));
  const rows = diff(declared?.properties ?? {}, inferred.properties ?? {});
  const changes = rows.filter((r) => r.kind !== 'same').length;
  const button = h('button', { class: 'primary', id: 'accept-schema', onclick: () => accept(result.stream, inferred) }, 'Use inferred schema');
  clear(
    target,
    h('div', { class: 'row' }, h('strong', {}, `Stream ${result.stream}`), h('span', { class: 'muted', id: 'schema-summary' }, declared ? `${changes} difference(s) from the declared schema` : 'no inline schema declared'), button),
    h('table', { class: 'diff' },
      h('tr', {}, h('th', {}, 'property'), h('th', {}, 'declared'), h('th', {}, 'inferred')),
      rows.map((r) => h('tr', { class: r.kind }, h('td', {}, r.name), h('td', {}, r.declared ?? '—'), h('td', {}, r.inferred ?? '—')))),
    h('div', { class: 'cols' },
      h('div', {}, h('h3', {}, 'Declared'), h('pre', {}, declared ? JSON.stringify(declared, null, 2) : '(none)')),
      h('div', {}, h('h3', {}, 'Inferred'), h('pre', {}, JSON.stringify(inferred, null, 2)))),
  );
}

function diff(declared, inferred) {
  const names = [...new Set([...Object.keys(declared), ...Object.keys(inferred)])];
  return names.map((name) => {
    const d = declared[name] === undefined ? undefined : describe(declared[name]);
    const i = inferred[name] === undefined ? undefined : describe(inferred[name]);
    const kind = d === undefined ? 'added' : i === undefined ? 'removed' : d === i ? 'same' : 'changed';
    return { name, declared: d, inferred: i, kind };
  });
}

function describe(schema) {
  const t = schema?.type;
  const types = (Array.isArray(t) ? t : t ? [t] : ['any']).filter((x) => x !== 'null').sort();
  const items = schema?.items?.type ? `<${[].concat(schema.items.type).filter((x) => x !== 'null').join('|')}>` : '';
  return types.join('|') + (types.includes('array') ? items : '');
}
