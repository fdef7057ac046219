/**
 * A virtualised records table: only the rows in view (plus a margin) exist in the DOM, so ten
 * thousand records scroll as smoothly as ten.
 */
import { h } from './dom.js';

const ROW = 22;
const MARGIN = 10;

export function recordsTable(records, { from = 0, count = records.length } = {}) {
  const rows = records.slice(from, from + count);
  const columns = columnsOf(rows);
  const box = h('div', { class: 'vtable', role: 'table', 'aria-rowcount': rows.length });
  const head = h('div', { class: 'vhead', role: 'row' }, h('div', { class: 'cell idx' }, '#'), columns.map((c) => h('div', { class: 'cell', role: 'columnheader', title: c }, c)));
  const width = 56 + columns.length * 160;
  head.style.width = `${width}px`;
  const body = h('div', { style: `position: relative; height: ${rows.length * ROW}px; width: ${width}px` });
  box.append(head, body);
  let drawn = '';
  const draw = () => {
    const first = Math.max(0, Math.floor(box.scrollTop / ROW) - MARGIN);
    const last = Math.min(rows.length, Math.ceil((box.scrollTop + (box.clientHeight || 320)) / ROW) + MARGIN);
    const key = `${first}:${last}`;
    if (key === drawn) return;
    drawn = key;
    const out = [];
    for (let i = first; i < last; i++) {
      const r = rows[i];
      const row = h('div', { class: 'vrow', role: 'row', style: `top: ${i * ROW}px; width: ${width}px` }, h('div', { class: 'cell idx' }, String(from + i + 1)));
      for (const c of columns) {
        const text = cellText(r?.[c]);
        row.append(h('div', { class: 'cell', role: 'cell', title: text.length > 40 ? text.slice(0, 500) : undefined }, text));
      }
      out.push(row);
    }
    body.replaceChildren(...out);
  };
  let pending = false;
  box.addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  });
  requestAnimationFrame(draw);
  draw();
  return box;
}

function columnsOf(rows) {
  const seen = new Set();
  for (let i = 0; i < Math.min(rows.length, 200); i++) for (const k of Object.keys(rows[i] ?? {})) if (seen.size < 40) seen.add(k);
  return [...seen];
}

function cellText(v) {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (typeof v === 'object') {
    const s = JSON.stringify(v);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  }
  return String(v);
}
