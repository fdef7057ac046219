/**
 * Bundles the studio page (studio/) into dist/studio/: one ES module with CodeMirror inside, the
 * HTML and the CSS. The server serves exactly these three files; nothing is fetched from a CDN.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/studio/`;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [`${root}studio/src/main.js`],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'linked',
  outfile: `${out}app.js`,
  logLevel: 'warning',
});
copyFileSync(`${root}studio/index.html`, `${out}index.html`);
copyFileSync(`${root}studio/app.css`, `${out}app.css`);
