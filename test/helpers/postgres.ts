/**
 * A real PostgreSQL server for tests: initdb into a temp folder, started on a free loopback port
 * (scram-sha-256 password auth over TCP, so a wrong password is refused), stopped afterwards.
 * Uses the Debian `postgresql` package's binaries (.ci/run installs it); returns undefined when
 * they are absent so callers can skip with a message. The server refuses to run as root: as root,
 * its commands run as the `postgres` user.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const PG_USER = 'manifold';
export const PG_PASSWORD = "s3cret-'pass'";

export interface TestPostgres {
  /** postgres://… for a database (created on demand) with the right password. */
  url(database?: string, password?: string): string;
  createDatabase(name: string): void;
  stop(): void;
}

export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres | undefined> {
  const bin = postgresBinDir();
  if (!bin) return undefined;
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'manifold-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${PG_PASSWORD}\n`);
  if (asRoot) {
    const { uid, gid } = { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const run = (command: string, args: string[]): string => {
    const full = join(bin, command);
    const quoted = [full, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    return asRoot
      ? execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', quoted], { stdio: 'pipe' }).toString()
      : execFileSync(full, args, { stdio: 'pipe' }).toString();
  };
  const port = await freePort();
  run('initdb', ['-D', data, '-U', PG_USER, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8']);
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    'start',
  ]);
  const psql = (sql: string): string => run('psql', ['-h', dir, '-p', String(port), '-U', PG_USER, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
  return {
    url: (database = 'postgres', password = PG_PASSWORD) => `postgres://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    createDatabase: (name) => void psql(`CREATE DATABASE "${name}"`),
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
