/**
 * Workaround for a jest ESM loader race: engine/components.ts imports every component module at
 * once (Promise.all) and jest then fails with "request for 'node:…' is not in cache". Importing
 * the same files one after another first leaves loadComponents() nothing left to link.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export async function preloadComponents(): Promise<void> {
  const engine = join(process.cwd(), 'engine');
  for (const entry of readdirSync(engine, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.ts$/.test(entry.name) || /\.d\.ts$/.test(entry.name)) continue;
    const dir = entry.parentPath ?? (entry as unknown as { path: string }).path;
    if (dir === engine) continue;
    try {
      await import(join(dir, entry.name));
    } catch {
      // Other people's modules may be mid-work; the ones the test needs are imported statically.
    }
  }
}
