/**
 * Spawns the real, built CLI (`dist/cli/main.js`; `npm test` builds first) and collects its
 * output. End-to-end tests use this together with a real local HTTP server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(REPO, 'dist/cli/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (non-JSON lines are kept as { raw }). */
  messages: Array<Record<string, any>>;
}

export function runCli(args: string[], options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, NODE_OPTIONS: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const messages = stdout
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, any>;
          } catch {
            return { raw: l };
          }
        });
      resolvePromise({ code, stdout, stderr, messages });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** Writes files into a fresh temp dir and returns their paths. */
export function tempFiles(files: Record<string, string | object>): Record<string, string> & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'manifold-test-'));
  const out: Record<string, string> = { dir };
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    out[name] = path;
  }
  return out as Record<string, string> & { dir: string };
}

export function records(result: CliResult, stream?: string): Array<Record<string, any>> {
  return result.messages.filter((m) => m.type === 'RECORD' && (stream === undefined || m.record.stream === stream)).map((m) => m.record.data);
}
