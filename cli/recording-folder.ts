/**
 * `--record DIR` writes one file per exchange, numbered from 1: recording into a folder that
 * already holds a recording would mix the two (same-named files replaced, the rest kept) and the
 * replay would then answer from both. So the folder must be empty or new, or --overwrite clears
 * the old recording first. --overwrite removes recording files only (NNNNN-METHOD-path.json, as
 * --record names them): a folder holding anything else is refused rather than emptied.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../engine/errors/manifold-error.js';

const RECORDING_FILE = /^\d{5,}-[A-Z]+-.*\.json$/;

export function prepareRecordingFolder(dir: string, overwrite: boolean): void {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new ConfigError(`--record ${dir} is not a folder`);
    entries = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e instanceof ConfigError ? e : new ConfigError(`--record folder ${dir} cannot be read (${(e as Error).message})`, { cause: e });
  }
  if (entries.length === 0) return;
  if (!overwrite) {
    throw new ConfigError(
      `--record folder ${dir} is not empty (${entries.length} file${entries.length === 1 ? '' : 's'}): a new recording there would mix with the old one. Pass --overwrite to clear it first, or choose an empty folder`,
    );
  }
  const foreign = entries.filter((name) => !RECORDING_FILE.test(name));
  if (foreign.length) {
    throw new ConfigError(
      `--record folder ${dir} holds files that are not a recording (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); --overwrite only clears a recording: choose another folder`,
    );
  }
  for (const name of entries) rmSync(join(dir, name), { force: true });
}
