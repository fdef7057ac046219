/**
 * The one manifest file the studio edits: its text and a version (a hash of the text) so a save
 * can tell whether the file changed on disk since the page loaded it, and a watcher that reports
 * edits made in another editor.
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export function versionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export class ManifestFile {
  private watcher: FSWatcher | undefined;
  private lastText: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly path: string) {}

  async read(): Promise<{ text: string; version: string }> {
    const text = await readFile(this.path, 'utf8');
    this.lastText = text;
    return { text, version: versionOf(text) };
  }

  /**
   * Writes `text` if the file is still at `baseVersion` (what the page started from); otherwise
   * returns the disk's text so the page can say both changed.
   */
  async save(
    text: string,
    baseVersion: string | undefined,
    force = false,
  ): Promise<{ saved: true; version: string } | { saved: false; conflict: { text: string; version: string } }> {
    const current = await readFile(this.path, 'utf8');
    if (!force && baseVersion !== undefined && versionOf(current) !== baseVersion && current !== text) {
      return { saved: false, conflict: { text: current, version: versionOf(current) } };
    }
    // Written beside and renamed: another editor watching the file never sees half of it.
    const temp = `${dirname(this.path)}/.${basename(this.path)}.${process.pid}.tmp`;
    await writeFile(temp, text);
    await rename(temp, this.path);
    this.lastText = text;
    return { saved: true, version: versionOf(text) };
  }

  /** Calls `onChange` when the file's text changes by any hand but ours. */
  watch(onChange: (text: string, version: string) => void): void {
    // The folder, not the file: editors that save by renaming replace the file the watch was on.
    this.watcher = watch(dirname(this.path), (_event, name) => {
      if (name !== null && name !== basename(this.path)) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        readFile(this.path, 'utf8').then(
          (text) => {
            if (text === this.lastText) return;
            this.lastText = text;
            onChange(text, versionOf(text));
          },
          () => undefined,
        );
      }, 50);
    });
    this.watcher.on('error', () => undefined);
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
