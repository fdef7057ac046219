// Compatibility report over a folder of manifests: load + validate each one, then (when the built
// library has a Source) discover with a config generated from the manifest's spec.
//   npm run build && npm run compat -- <dir> [--verbose]
// Prints failures grouped by cause, with counts and the overall pass rate.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const dir = args.find((a) => !a.startsWith('--'));
if (!dir) {
  console.error('usage: npm run compat -- <dir-with-manifests> [--verbose]');
  process.exit(2);
}
const dist = new URL('../dist/engine/', import.meta.url);
if (!existsSync(new URL('manifest/index.js', dist))) {
  console.error('dist/ not found: run `npm run build` first');
  process.exit(2);
}
const manifestApi = await import(new URL('manifest/index.js', dist).href);
const engine = await import(new URL('index.js', dist).href).catch(() => ({}));
const Source = engine.Source;
const offline = {
  async send(request) {
    // A ManifoldError is final (not retried like a network failure).
    throw new engine.ConfigError(`needs HTTP at discover time (${request.method} ${new URL(request.url).host}); the compat run is offline`);
  },
};
if (typeof engine.loadComponents === 'function') await engine.loadComponents();

const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });

/** Whether a sample satisfies its field's schema (a spec's `default` sometimes does not). */
function fits(schema, value) {
  try {
    return ajv.validate(schema, value);
  } catch {
    return true;
  }
}

/** A value for a config field from its JSON Schema: default, const, enum, examples, then by type/format. */
function sampleValue(schema, name = '') {
  if (!schema || typeof schema !== 'object') return 'x';
  if (schema.default !== undefined && fits(schema, schema.default)) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const pattern = patternOf(schema);
  const example = Array.isArray(schema.examples) ? schema.examples.find((e) => fitsType(e, schema.type) && (!pattern || pattern.test(String(e)))) : undefined;
  if (example !== undefined) return example;
  const branches = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(branches) && branches.length) {
    // The first branch whose sample the whole field accepts (oneOf: it must match that branch only).
    const samples = branches.map((b) => sampleValue({ ...b, type: b.type ?? schema.type }, name));
    return samples.find((s) => fits(schema, s)) ?? samples[0];
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return sampleObject(schema);
    case 'array':
      return schema.minItems ? [sampleValue(schema.items, name)] : [];
    case 'integer':
      return schema.minimum ?? 1;
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    default:
      break;
  }
  const format = schema.format ?? '';
  if (pattern) {
    const fit = PATTERN_CANDIDATES.find((c) => pattern.test(c));
    if (fit) return fit;
  }
  if (format === 'date') return '2024-01-01';
  if (format === 'date-time') return '2024-01-01T00:00:00Z';
  if (format === 'uri' || /url|endpoint|host|domain/i.test(name)) return 'https://example.com';
  if (format === 'email') return 'user@example.com';
  return 'x'.repeat(Math.max(1, schema.minLength ?? 8));
}

/** Strings that satisfy the patterns specs commonly use (dates, times, ids, URLs). */
const PATTERN_CANDIDATES = [
  '2024-01-01T00:00:00Z',
  '2024-01-01T00:00:00.000Z',
  '2024-01-01T00:00:00',
  '2024-01-01 00:00:00',
  '2024-01-01',
  '01-01-2024',
  '01/01/2024',
  '01/01/2024 00:00',
  '2024-01',
  '2024',
  'https://example.com',
  'example.com',
  'user@example.com',
  '12345678',
  'abcdefgh',
  'ABCDEFGH',
  'sk_test_abc123',
  'live_abc123',
  'x',
];

function patternOf(schema) {
  if (!schema.pattern) return undefined;
  try {
    return new RegExp(schema.pattern, 'u');
  } catch {
    return undefined;
  }
}

function fitsType(value, type) {
  const t = Array.isArray(type) ? type : type ? [type] : [];
  if (t.length === 0) return true;
  if (Number.isInteger(value) && t.includes('integer')) return true;
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'object' ? 'object' : typeof value;
  return t.includes(kind);
}

function sampleObject(schema) {
  const out = {};
  const props = schema.properties ?? {};
  for (const key of schema.required ?? []) out[key] = sampleValue(props[key], key);
  // Auth selectors (oneOf of credential shapes) are often optional in the spec but read by templates.
  for (const [key, prop] of Object.entries(props)) {
    if (key in out || !prop) continue;
    if (((prop.oneOf || prop.anyOf) && prop.type === 'object') || prop.const !== undefined) out[key] = sampleValue(prop, key);
  }
  return out;
}

function cause(message) {
  return String(message)
    .split('\n')
    .slice(0, 2)
    .join(' ')
    .replace(/(\/[^\s:]+)+(:\d+)*/g, '<file>')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\bstreams\[\d+\][\w.[\]]*/g, '<path>')
    .slice(0, 160);
}

const files = readdirSync(dir)
  .filter((f) => /\.(ya?ml)$/.test(f))
  .sort();
const failures = new Map();
let passed = 0;
const fail = (stage, file, message) => {
  const key = `${stage}: ${cause(message)}`;
  if (!failures.has(key)) failures.set(key, []);
  failures.get(key).push(file);
  if (verbose) console.log(`FAIL ${file} [${stage}] ${String(message).split('\n').slice(0, 4).join(' | ')}`);
};

for (const file of files) {
  const path = resolve(join(dir, file));
  let loaded;
  try {
    loaded = await manifestApi.loadManifestFile(path);
  } catch (e) {
    fail('load', file, e?.problems?.[0]?.message ?? e.message);
    continue;
  }
  const problems = manifestApi.validateManifest(loaded);
  if (problems.length > 0) {
    fail('validate', file, problems[0].message);
    continue;
  }
  if (!Source) {
    passed++;
    continue;
  }
  try {
    // Discover must not reach the vendors' APIs from here: manifests whose streams or schemas are
    // only known by calling the API fail visibly ("needs HTTP") instead.
    const source = await Source.fromFile(path, { transport: offline, applyBudget: false });
    const spec = source.spec();
    const config = sampleObject(spec.connectionSpecification ?? spec.connection_specification ?? {});
    const catalog = await source.discover(config);
    if (!catalog?.streams?.length) throw new Error('discover returned no streams');
    passed++;
  } catch (e) {
    fail('discover', file, e?.describe?.() ?? e?.message ?? String(e));
  }
}

const stages = Source ? 'load + validate + discover' : 'load + validate (no Source in dist: discover skipped)';
console.log(`\n${stages}: ${passed}/${files.length} passed (${files.length ? ((100 * passed) / files.length).toFixed(1) : '0.0'}%)\n`);
for (const [key, list] of [...failures].sort((a, b) => b[1].length - a[1].length)) {
  console.log(`${String(list.length).padStart(4)}  ${key}`);
  console.log(`      ${list.slice(0, 5).join(', ')}${list.length > 5 ? `, … (+${list.length - 5})` : ''}`);
}
process.exitCode = passed === files.length ? 0 : 1;
