/**
 * Bundles the studio page (studio/) into dist/studio/: one ES module with CodeMirror inside, the
 * HTML and the CSS. The server serves exactly these three files; nothing is fetched from a CDN.
 * The licences of the bundled packages go beside them (THIRD-PARTY-LICENSES.txt).
 */
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/studio/`;
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [`${root}studio/src/main.js`],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  metafile: true,
  outfile: `${out}app.js`,
  logLevel: 'warning',
});
copyFileSync(`${root}studio/index.html`, `${out}index.html`);
copyFileSync(`${root}studio/app.css`, `${out}app.css`);

const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) packages.add(m[1]);
}
const notices = [...packages].sort().map((name) => {
  const dir = `${root}node_modules/${name}/`;
  const pkg = JSON.parse(readFileSync(`${dir}package.json`, 'utf8'));
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  const text = file && existsSync(dir + file) ? readFileSync(dir + file, 'utf8').trim() : `License: ${pkg.license}`;
  return `${name} ${pkg.version} (${pkg.license})\n\n${text}\n`;
});
writeFileSync(`${out}THIRD-PARTY-LICENSES.txt`, `Packages bundled into app.js (manifold studio):\n\n${notices.join('\n' + '-'.repeat(72) + '\n\n')}`);
