/**
 * The flags through which the person running a manifest widens what it may do: folders it may read
 * and write (--allow-path, repeatable) and the budgets of engine/limits (--max-…). A manifest can
 * never widen these itself.
 */
import type { Command } from 'commander';
import { ConfigError } from '../engine/errors/manifold-error.js';
import { DEFAULT_LIMITS, LIMIT_SETTINGS, setTemplateSizeLimit, type Limits } from '../engine/limits/limits.js';

export interface SafetyOptions {
  allowPath?: string[];
  [flag: string]: unknown;
}

const MiB = 1024 * 1024;

/** commander's camelCase name of a `--max-…` flag. */
function optionKey(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function addSafetyOptions(cmd: Command): Command {
  cmd.option('--allow-path <dir>', 'let the manifest read/write files in DIR too (besides its own folder); repeatable', (dir: string, all: string[] = []) => [
    ...all,
    dir,
  ]);
  for (const [name, setting] of Object.entries(LIMIT_SETTINGS) as Array<[keyof Limits, (typeof LIMIT_SETTINGS)[keyof Limits]]>) {
    const fallback = setting.unit === 'MiB' ? DEFAULT_LIMITS[name] / MiB : DEFAULT_LIMITS[name];
    cmd.option(`${setting.flag} <n>`, `limit: ${setting.what} (default ${fallback}${setting.unit === 'MiB' ? ' MiB' : ''})`);
  }
  return cmd;
}

/** The library options the flags stand for; also sets the process-wide template budget. */
export function safetyOf(opts: SafetyOptions): { allowPaths?: string[]; limits?: Partial<Limits> } {
  const limits: Partial<Limits> = {};
  for (const [name, setting] of Object.entries(LIMIT_SETTINGS) as Array<[keyof Limits, (typeof LIMIT_SETTINGS)[keyof Limits]]>) {
    const raw = opts[optionKey(setting.flag)];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${setting.flag} takes a positive number (got "${String(raw)}")`);
    limits[name] = setting.unit === 'MiB' ? Math.floor(n * MiB) : Math.floor(n);
  }
  if (limits.maxTemplateSize !== undefined) setTemplateSizeLimit(limits.maxTemplateSize);
  return {
    ...(opts.allowPath?.length ? { allowPaths: opts.allowPath } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
  };
}
