/**
 * The config form, generated from the manifest's connection_specification: a field per property
 * (types, enums, defaults, required), a choice per oneOf, secrets as password fields that show a
 * placeholder instead of the stored value.
 */
import { h } from './dom.js';

export function renderConfigForm(spec, values, placeholder) {
  const root = h('div');
  const collect = objectFields(root, spec ?? {}, values ?? {}, placeholder, '');
  return { element: root, collect };
}

function typeOf(schema) {
  const t = schema.type;
  if (Array.isArray(t)) return t.find((x) => x !== 'null') ?? 'string';
  if (t) return t;
  if (schema.properties) return 'object';
  if (schema.oneOf || schema.anyOf) return 'oneOf';
  return 'string';
}

function ordered(properties) {
  return Object.entries(properties ?? {}).sort(([, a], [, b]) => (a?.order ?? 1e9) - (b?.order ?? 1e9));
}

/** Adds the fields of an object schema to `parent`; returns a function giving the object's value. */
function objectFields(parent, schema, value, placeholder, path) {
  const getters = [];
  const required = new Set(schema.required ?? []);
  for (const [name, sub] of ordered(schema.properties)) {
    if (!sub || typeof sub !== 'object') continue;
    const get = field(parent, name, sub, value?.[name], placeholder, `${path}${name}`, required.has(name));
    getters.push([name, get]);
  }
  return () => {
    const out = {};
    // Keys the spec does not describe (additionalProperties) are kept as they were.
    for (const [k, v] of Object.entries(value ?? {})) if (!(schema.properties ?? {})[k]) out[k] = v;
    for (const [name, get] of getters) {
      const v = get();
      if (v !== undefined) out[name] = v;
    }
    return out;
  };
}

function field(parent, name, schema, value, placeholder, path, required) {
  const title = h('span', { class: 'name' }, schema.title ?? name, required ? ' *' : '', h('span', { class: 'muted' }, ` (${name})`));
  const desc = schema.description ? h('span', { class: 'desc' }, schema.description) : null;
  const current = value !== undefined ? value : schema.default;
  const kind = schema.oneOf || schema.anyOf ? 'oneOf' : typeOf(schema);
  const id = `cfg-${path.replace(/[^\w-]/g, '_')}`;
  if (kind === 'oneOf') return oneOfField(parent, title, desc, schema.oneOf ?? schema.anyOf, current, placeholder, path);
  if (kind === 'object') {
    const set = h('fieldset', {}, h('legend', {}, schema.title ?? name), desc);
    parent.append(set);
    return objectFields(set, schema, current ?? {}, placeholder, `${path}.`);
  }
  let input;
  let get;
  if (Array.isArray(schema.enum)) {
    input = h('select', { id, name: path }, required ? null : h('option', { value: '' }, '—'), schema.enum.map((e) => h('option', { value: String(e), selected: String(e) === String(current) }, String(e))));
    get = () => (input.value === '' ? undefined : schema.enum.find((e) => String(e) === input.value));
  } else if (kind === 'boolean') {
    input = h('input', { id, name: path, type: 'checkbox', checked: current === true });
    get = () => input.checked;
  } else if (kind === 'integer' || kind === 'number') {
    input = h('input', { id, name: path, type: 'number', step: kind === 'integer' ? '1' : 'any', value: current ?? '' });
    get = () => (input.value === '' ? undefined : Number(input.value));
  } else if (kind === 'array') {
    input = h('textarea', { id, name: path, rows: 3, placeholder: 'one value per line' });
    input.value = Array.isArray(current) ? current.join('\n') : '';
    const itemType = typeOf(schema.items ?? {});
    get = () => {
      const lines = input.value.split('\n').map((s) => s.trim()).filter(Boolean);
      return lines.length ? lines.map((s) => (itemType === 'integer' || itemType === 'number' ? Number(s) : s)) : undefined;
    };
  } else {
    const secret = schema.airbyte_secret === true;
    input = h('input', { id, name: path, type: secret ? 'password' : 'text', autocomplete: secret ? 'new-password' : 'off', value: current ?? '', placeholder: schema.examples?.[0] !== undefined ? String(schema.examples[0]) : '' });
    get = () => (input.value === '' ? undefined : input.value);
    if (secret && current === placeholder) input.title = 'Stored; type a new value to replace it';
  }
  parent.append(h('label', { class: 'field', for: id }, title, desc, input));
  return get;
}

/** A select of the branches (by title) and the chosen branch's own fields. */
function oneOfField(parent, title, desc, branches, value, placeholder, path) {
  const box = h('fieldset', {}, h('legend', {}, title), desc);
  const choice = h('select', { name: `${path}#branch` }, branches.map((b, i) => h('option', { value: String(i) }, b.title ?? `Option ${i + 1}`)));
  const body = h('div');
  box.append(choice, body);
  parent.append(box);
  const matches = (b) => Object.entries(b.properties ?? {}).every(([k, p]) => p?.const === undefined || value?.[k] === p.const) && Object.values(b.properties ?? {}).some((p) => p?.const !== undefined || p?.enum?.length === 1);
  let index = Math.max(0, branches.findIndex(matches));
  choice.value = String(index);
  let get;
  const show = () => {
    body.replaceChildren();
    const branch = branches[index];
    // The branch's constant fields (its discriminator) are set, not asked.
    const fixed = Object.fromEntries(Object.entries(branch.properties ?? {}).filter(([, p]) => p?.const !== undefined || p?.enum?.length === 1).map(([k, p]) => [k, p.const ?? p.enum[0]]));
    const rest = { ...branch, properties: Object.fromEntries(Object.entries(branch.properties ?? {}).filter(([k]) => !(k in fixed))) };
    const inner = objectFields(body, rest, value ?? {}, placeholder, `${path}.`);
    get = () => ({ ...inner(), ...fixed });
  };
  choice.addEventListener('change', () => {
    index = Number(choice.value);
    value = {};
    show();
  });
  show();
  return () => get();
}
