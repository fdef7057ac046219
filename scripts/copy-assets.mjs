// tsc does not copy non-TS assets; the shipped JSON Schema must sit next to the compiled loader.
import { cpSync, existsSync, mkdirSync } from 'node:fs';
const src = 'engine/manifest/schema';
if (existsSync(src)) {
  mkdirSync('dist/engine/manifest/schema', { recursive: true });
  cpSync(src, 'dist/engine/manifest/schema', { recursive: true, filter: (p) => !p.endsWith('.ts') });
}
