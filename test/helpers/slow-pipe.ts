/**
 * Runs the built CLI with its stdout going into a real pipe (`|`) read by a deliberately slow
 * consumer: a few hundred bytes at a time with pauses, so the pipe is full whenever the CLI
 * writes and its last chunk is usually still in flight when it finishes — what a busy platform
 * reading a connector's stdout looks like.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, REPO, type CliResult } from './cli.js';

// Reads stdin in small blocking reads with a pause after each, then saves everything it read.
const SLOW_READER = `
const fs = require('node:fs');
const [size, pauseMs, out] = process.argv.slice(1);
const buffer = Buffer.alloc(Number(size));
const clock = new Int32Array(new SharedArrayBuffer(4));
const chunks = [];
for (;;) {
  let n;
  try {
    n = fs.readSync(0, buffer);
  } catch (e) {
    if (e.code !== 'EAGAIN') throw e;
    Atomics.wait(clock, 0, 0, 1);
    continue;
  }
  if (n === 0) break;
  chunks.push(Buffer.from(buffer.subarray(0, n)));
  Atomics.wait(clock, 0, 0, Number(pauseMs));
}
fs.writeFileSync(out, Buffer.concat(chunks));
`;

export interface SlowPipeOptions {
  stdin?: string;
  /** Bytes taken per read (default 512). */
  readSize?: number;
  /** Pause after each read in ms (default 1). */
  pauseMs?: number;
}

export function runCliThroughSlowPipe(args: string[], options: SlowPipeOptions = {}): Promise<CliResult> {
  const dir = mkdtempSync(join(tmpdir(), 'manifold-slow-pipe-'));
  const stdoutFile = join(dir, 'stdout');
  const codeFile = join(dir, 'code');
  // POSIX sh: the CLI's exit code is saved from inside the pipeline's left side.
  const script = `{ "$0" "$@"; echo $? > '${codeFile}'; } | "$0" -e '${SLOW_READER.replace(/'/g, `'\\''`)}' ${options.readSize ?? 512} ${options.pauseMs ?? 1} '${stdoutFile}'`;
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script, process.execPath, CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const stdout = readFileSync(stdoutFile, 'utf8');
        const code = Number(readFileSync(codeFile, 'utf8').trim());
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
        resolve({ code, stdout, stderr, messages });
      } catch (e) {
        reject(new Error(`slow-pipe run produced no result (${(e as Error).message}); stderr: ${stderr}`));
      }
    });
    child.stdin.end(options.stdin ?? '');
  });
}
