/** Reading the JSON files the CLI is given, with errors that say which file and why. */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../engine/errors/manifold-error.js';

export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${what} file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export async function readJsonObject(path: string, what: string): Promise<Record<string, unknown>> {
  const value = await readJsonFile(path, what);
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${what} file ${path} must hold a JSON object`);
  return value as Record<string, unknown>;
}
