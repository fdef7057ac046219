/**
 * The studio's API: what the page may ask, each a thin call into the library (validation as
 * `manifold validate`, a test read through Source, schema inference) over the one manifest,
 * config file and recordings folder named on the command line.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { loadComponents } from '../../engine/components.js';
import {
  checkTemplates,
  checkUnknownKeys,
  loadManifestText,
  manifestSchema,
  manifestWarnings,
  validateManifest,
  componentTypeNames,
} from '../../engine/manifest/index.js';
import { ManifestError, isManifoldError, type ManifestProblem } from '../../engine/errors/manifold-error.js';
import { createTransport } from '../../engine/http/transport.js';
import type { Transport } from '../../engine/http/client.js';
import { prepareRecordingFolder } from '../recording-folder.js';
import { parse as parseYaml } from 'yaml';
import type { Obj } from '../../engine/types.js';
import { ConfigStore, SECRET_PLACEHOLDER } from './config-store.js';
import { ManifestFile } from './manifest-file.js';
import { schemaFileOf, withInlineSchema } from './schema-edit.js';
import { DEFAULT_TEST_READ_LIMITS, testRead, type TestReadLimits, type TestReadResult } from './test-read.js';

export type HttpMode = 'live' | 'record' | 'replay';

export interface StudioOptions {
  manifest: string;
  config?: string | undefined;
  /** The recordings folder: replayed from, or recorded into. */
  replay?: string | undefined;
}

export interface Problem {
  message: string;
  line?: number | undefined;
  column?: number | undefined;
  path?: string | undefined;
  severity: 'error' | 'warning';
}

export class StudioSession {
  readonly manifest: ManifestFile;
  readonly config: ConfigStore;
  readonly recordings: string | undefined;
  mode: HttpMode;
  private spec: Obj = {};
  private recorder: Transport | undefined;

  constructor(options: StudioOptions) {
    this.manifest = new ManifestFile(resolve(options.manifest));
    this.config = new ConfigStore(resolve(ConfigStore.pathFor(options.manifest, options.config)), () => this.spec);
    this.recordings = options.replay ? resolve(options.replay) : undefined;
    this.mode = this.recordings && existsSync(this.recordings) && readdirSync(this.recordings).length ? 'replay' : 'live';
  }

  /** Everything the page needs on load. */
  async initial(): Promise<Obj> {
    const [{ text, version }, hint] = await Promise.all([this.manifest.read(), this.config.gitignoreHint()]);
    this.refreshSpec(text);
    return {
      manifest: { file: this.manifest.path, text, version },
      config: { file: this.config.file, values: await this.config.readMasked(), hint },
      spec: this.spec,
      streams: streamNamesOf(text),
      http: { mode: this.mode, recordings: this.recordings },
      limits: DEFAULT_TEST_READ_LIMITS,
      secretPlaceholder: SECRET_PLACEHOLDER,
    };
  }

  /** The JSON Schema of manifests and the component type names, for completion. */
  editorSchema(): Obj {
    return { schema: manifestSchema as Obj, types: componentTypeNames() };
  }

  /** The same checks as `manifold validate`: schema, templates (undeclared variables), unknown fields. */
  async validate(text: string): Promise<{ problems: Problem[]; streams: string[]; spec: Obj }> {
    await loadComponents();
    let problems: Problem[];
    try {
      const loaded = loadManifestText(text, this.manifest.path);
      problems = [
        ...[...validateManifest(loaded), ...checkTemplates(loaded)].map((p) => problemOf(p, 'error')),
        ...[...manifestWarnings(loaded), ...checkUnknownKeys(loaded)].map((p) => problemOf(p, p.severity === 'error' ? 'error' : 'warning')),
      ];
    } catch (e) {
      if (e instanceof ManifestError) problems = e.problems.map((p) => problemOf(p, 'error'));
      else problems = [{ message: isManifoldError(e) ? e.describe() : (e as Error).message, severity: 'error', line: 1, column: 1 }];
    }
    if (!problems.some((p) => p.severity === 'error')) this.refreshSpec(text);
    return { problems, streams: streamNamesOf(text), spec: this.spec };
  }

  async save(text: string, baseVersion: string | undefined, force: boolean): Promise<Obj> {
    const result = await this.manifest.save(text, baseVersion, force);
    if (result.saved) this.refreshSpec(text);
    return result as unknown as Obj;
  }

  async readConfig(): Promise<Obj> {
    return { file: this.config.file, values: await this.config.readMasked(), hint: await this.config.gitignoreHint() };
  }

  async writeConfig(values: Obj): Promise<Obj> {
    await this.config.write(values);
    return this.readConfig();
  }

  setMode(mode: HttpMode): void {
    if (!['live', 'record', 'replay'].includes(mode)) throw new Error(`Unknown HTTP mode "${mode}"`);
    if (mode !== 'live' && !this.recordings) throw new Error('Recording and replaying need a folder: start the studio with --replay <dir>');
    if (mode === 'record' && this.mode !== 'record') {
      // A new recording replaces the folder's old one (as `read --record --overwrite`), and every
      // test read until the mode changes goes into it, numbered on: the two never mix.
      prepareRecordingFolder(this.recordings!, true);
      this.recorder = createTransport({ record: this.recordings });
    }
    if (mode !== 'record') this.recorder = undefined;
    this.mode = mode;
  }

  async testRead(text: string, stream: string, limits: Partial<TestReadLimits>): Promise<TestReadResult> {
    const config = await this.config.read();
    const transport = this.mode === 'replay' ? createTransport({ replay: this.recordings }) : this.mode === 'record' ? this.recorder : undefined;
    const result = await testRead({
      text,
      file: this.manifest.path,
      stream,
      config,
      limits: { ...DEFAULT_TEST_READ_LIMITS, ...cleanLimits(limits) },
      sourceOptions: transport ? { transport, applyBudget: this.mode !== 'replay' } : {},
      secrets: this.config.secretsOf(config),
    });
    // A schema kept in its own file is the declared one too.
    if (!result.declaredSchema) result.declaredSchema = await this.declaredSchemaFile(text, stream);
    return result;
  }

  private async declaredSchemaFile(text: string, stream: string): Promise<Obj | undefined> {
    try {
      const file = schemaFileOf(text, stream);
      if (file === undefined) return undefined;
      const parsed = JSON.parse(await readFile(resolve(dirname(this.manifest.path), file), 'utf8')) as unknown;
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Obj) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes the schema into the manifest (the page's text, saved like a save) and returns the new text. */
  async acceptSchema(text: string, baseVersion: string | undefined, stream: string, schema: Obj): Promise<Obj> {
    const file = schemaFileOf(text, stream);
    if (file !== undefined) {
      // The stream's schema lives in its own file: that file is written, the manifest is not touched.
      const written = await writeSchemaFile(this.manifest.path, file, schema);
      const { version } = await this.manifest.read();
      return { saved: true, version, text, schemaFile: written };
    }
    const updated = withInlineSchema(text, stream, schema);
    const result = await this.manifest.save(updated, baseVersion, false);
    return { ...(result as unknown as Obj), text: updated };
  }

  private refreshSpec(text: string): void {
    try {
      const root = parseYaml(text) as Obj | null;
      const spec = ((root?.spec as Obj | undefined)?.connection_specification as Obj | undefined) ?? {};
      this.spec = spec;
    } catch {
      // keep the last good spec while the text does not parse
    }
  }
}

function problemOf(p: ManifestProblem, severity: 'error' | 'warning'): Problem {
  return { message: p.message, line: p.location.line, column: p.location.column, path: p.location.path, severity };
}

function cleanLimits(limits: Partial<TestReadLimits>): Partial<TestReadLimits> {
  const out: Partial<TestReadLimits> = {};
  for (const key of ['records', 'pages', 'slices'] as const) {
    const n = Number(limits?.[key]);
    if (Number.isInteger(n) && n >= 1) out[key] = n;
  }
  return out;
}

function streamNamesOf(text: string): string[] {
  try {
    const root = parseYaml(text) as Obj | null;
    return Array.isArray(root?.streams) ? (root.streams as Obj[]).map((s) => String(s?.name ?? '')).filter(Boolean) : [];
  } catch {
    return [];
  }
}

/**
 * Writes a stream's schema file, which must sit inside the manifest's folder (the studio touches
 * no file the command line did not name, besides the ones its manifest keeps beside it).
 */
async function writeSchemaFile(manifestPath: string, file: string, schema: Obj): Promise<string> {
  const folder = realpathSync(dirname(manifestPath));
  const target = resolve(folder, file);
  const parent = existsSync(dirname(target)) ? realpathSync(dirname(target)) : undefined;
  const inside = (p: string): boolean => {
    const rel = relative(folder, p);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (!target.endsWith('.json') || !inside(target) || !parent || !inside(parent)) {
    throw new Error(`The studio writes schema files only as .json files in an existing folder inside the manifest's folder (${folder}); ${file} is not one`);
  }
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(schema, null, 2) + '\n');
  await rename(temp, target);
  return target;
}
