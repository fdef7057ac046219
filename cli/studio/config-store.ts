/**
 * The studio's connector config: read from and written to one local JSON file (the one named by
 * --config, else `.manifold-studio/config.json` beside the manifest, a folder that ignores itself
 * in git). Secret values never go to the page: they travel as a placeholder, and a placeholder
 * coming back means "keep the stored value".
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { collectSecrets } from '../../engine/source/config.js';
import { SecretRegistry } from '../../engine/services.js';
import type { Obj } from '../../engine/types.js';

export const SECRET_PLACEHOLDER = '••••••••';

export class ConfigStore {
  constructor(
    readonly file: string,
    private readonly spec: () => Obj,
  ) {}

  /** --config, else the default file beside the manifest. */
  static pathFor(manifestFile: string, configFile: string | undefined): string {
    return configFile ?? join(dirname(manifestFile), '.manifold-studio', 'config.json');
  }

  async read(): Promise<Obj> {
    if (!existsSync(this.file)) return {};
    const parsed = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Obj) : {};
  }

  secretsOf(config: Obj): SecretRegistry {
    const secrets = new SecretRegistry();
    collectSecrets(this.spec(), config, secrets);
    return secrets;
  }

  /** The config as the page may see it. */
  async readMasked(): Promise<Obj> {
    const config = await this.read();
    return maskValues(config, this.secretsOf(config)) as Obj;
  }

  /** Stores what the form sent; placeholders keep the stored secret at the same place. */
  async write(fromPage: Obj): Promise<void> {
    const stored = await this.read();
    const merged = restorePlaceholders(fromPage, stored) as Obj;
    await mkdir(dirname(this.file), { recursive: true });
    const defaultFolder = basename(dirname(this.file)) === '.manifold-studio';
    if (defaultFolder && !existsSync(join(dirname(this.file), '.gitignore'))) {
      await writeFile(join(dirname(this.file), '.gitignore'), '# Written by manifold studio: local config with secrets, never committed.\n*\n');
    }
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(merged, null, 2) + '\n', { mode: 0o600 });
    await rename(temp, this.file);
  }

  /** A sentence for the page when git would commit the config file (undefined when it would not). */
  gitignoreHint(): Promise<string | undefined> {
    return new Promise((resolve) => {
      execFile('git', ['check-ignore', '-q', basename(this.file)], { cwd: dirname(this.file) }, (error) => {
        // 0: ignored; 1: not ignored; anything else: no git, or not a repository.
        const code: unknown = error ? (error as { code?: unknown }).code : 0;
        resolve(code === 1 ? `${this.file} is not ignored by git: add it to .gitignore so its secrets are never committed` : undefined);
      });
    });
  }
}

function maskValues(value: unknown, secrets: SecretRegistry): unknown {
  if (typeof value === 'string' || typeof value === 'number') return secrets.has(String(value)) ? SECRET_PLACEHOLDER : value;
  if (Array.isArray(value)) return value.map((v) => maskValues(v, secrets));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValues(v, secrets)]));
  return value;
}

function restorePlaceholders(value: unknown, stored: unknown): unknown {
  if (value === SECRET_PLACEHOLDER) return stored;
  if (Array.isArray(value)) return value.map((v, i) => restorePlaceholders(v, Array.isArray(stored) ? stored[i] : undefined));
  if (value && typeof value === 'object') {
    const old = stored && typeof stored === 'object' ? (stored as Obj) : {};
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restorePlaceholders(v, old[k])]));
  }
  return value;
}
