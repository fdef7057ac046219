/**
 * Loads every component module so each registers its `type` with the registry. Discovery is by
 * folder: a new component is one new file in its concept folder, with no list to edit here.
 * Works from the TypeScript sources (tests, tsx) and from the compiled `dist/` alike.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const COMPONENT_FOLDERS = [
  'auth',
  'http',
  'errors',
  'budget',
  'pagination',
  'extract',
  'transform',
  'incremental',
  'partition',
  'stream',
  'destination',
  'check',
  'config',
];

const here = dirname(fileURLToPath(import.meta.url));

function moduleFiles(folder: string): string[] {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name) && !/\.d\.ts$|\.test\.ts$/.test(e.name))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

let loaded: Promise<void> | undefined;

/** Imports all component modules once. */
export function loadComponents(): Promise<void> {
  loaded ??= (async () => {
    const files = COMPONENT_FOLDERS.flatMap((f) => moduleFiles(join(here, f)));
    // A plain absolute path works for Node and jest alike. The compiled engine loads them
    // concurrently (half the start-up of one at a time); from the TypeScript sources (jest) one at
    // a time, as jest's ESM loader fails ("not in cache") when modules sharing dependencies are
    // linked concurrently.
    if (import.meta.url.endsWith('.js')) await Promise.all(files.map((file) => import(file)));
    else for (const file of files) await import(file);
  })();
  return loaded;
}
