// tsc does not copy non-TS assets; the shipped JSON Schema must sit next to the compiled loader.
import { cpSync, existsSync, mkdirSync } from 'node:fs';
const src = 'engine/manifest/schema';
if (existsSync(src)) {
  mkdirSync('dist/engine/manifest/schema', { recursive: true });
  cpSync(src, 'dist/engine/manifest/schema', { recursive: true, filter: (p) => !p.endsWith('.ts') });
}

// The bin must be executable for its shebang (and its V8 flags) to apply when run directly.
import { chmodSync } from 'node:fs';
if (existsSync('dist/cli/main.js')) chmodSync('dist/cli/main.js', 0o755);
