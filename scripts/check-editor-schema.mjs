// Checks raw manifests (YAML as written, before $ref resolution) against the editor form of the
// shipped JSON Schema, as yaml-language-server would, and prints the pass rate.
//   node scripts/check-editor-schema.mjs [dir-or-file ...] [--verbose]
// Without arguments it checks the shipped manifests (manifests/*.yaml and the tutorial). Not a
// test: folders of third-party manifests live outside the repo.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

const REPO = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const targets = args.filter((a) => !a.startsWith('--'));
if (targets.length === 0) targets.push(join(REPO, 'manifests'), join(REPO, 'fixtures/tutorial/bookshop.yaml'));

const files = targets.flatMap((t) =>
  statSync(t).isDirectory()
    ? readdirSync(t)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(t, f))
    : [t],
);
const schema = JSON.parse(readFileSync(join(REPO, 'engine/manifest/schema/manifest.schema.json'), 'utf8'));
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);

/** The error that says most: the deepest one, skipping the anyOf summaries. */
function mainError(errors) {
  const specific = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'allOf');
  const pick = (specific.length ? specific : errors).reduce((a, b) => (b.instancePath.length > a.instancePath.length ? b : a));
  const detail = pick.params.additionalProperty ?? pick.params.missingProperty ?? pick.params.allowedValue ?? '';
  return `${pick.instancePath || '(root)'}: ${pick.message}${detail !== '' ? ` (${detail})` : ''}`;
}

let passed = 0;
const causes = new Map();
for (const file of files) {
  let raw;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch {
    causes.set('YAML parse error', [...(causes.get('YAML parse error') ?? []), basename(file)]);
    continue;
  }
  if (validate(raw)) {
    passed++;
    continue;
  }
  const message = mainError(validate.errors ?? []);
  // Group by the shape of the problem, not by the stream it happened in.
  const cause = message.replace(/\/\d+/g, '/N').replace(/^\/(streams|definitions)\/N/, '/$1/N');
  causes.set(cause, [...(causes.get(cause) ?? []), basename(file)]);
}

for (const [cause, names] of [...causes].sort((a, b) => b[1].length - a[1].length)) {
  console.log(`${String(names.length).padStart(4)}  ${cause}${verbose ? `\n        ${names.join(', ')}` : ''}`);
}
const rate = files.length ? ((100 * passed) / files.length).toFixed(1) : '0.0';
console.log(`editor schema: ${passed}/${files.length} manifests pass (${rate}%)`);
