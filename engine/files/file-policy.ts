/**
 * Where a manifest may read and write files. Everything a manifest names on disk (schema files,
 * dead-letter and response-capture files) must resolve inside an allowed folder: the manifest's
 * own folder (the working directory for a manifest that has no file), plus folders the person
 * running it adds (`--allow-path`, the `allowPaths` library option) — never folders the manifest
 * names itself. Checked on the real path, so a symlink pointing out of the folder is refused like
 * `..` or an absolute path elsewhere; only regular files are read or written (no FIFO, socket or
 * device, nothing under /proc, /sys or /dev even when a folder holding them is allowed). An allowed
 * path that is not a folder allows exactly that file, whatever it is (`--allow-path /dev/full`):
 * the person running the manifest named it.
 *
 * Files are then opened with O_NOFOLLOW, and checked again on the open descriptor (here for
 * schema files, in destination/sinks.ts for report files), so a symlink swapped in after the check
 * is not followed either.
 */
import { constants, closeSync, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

const SYSTEM_FOLDERS = ['/proc', '/sys', '/dev'];

export type FileAccess = 'read' | 'write';

/** A refusal: the message says which path, why, and how the person running the manifest can allow it. */
export class FileRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileRefusal';
  }
}

export class FilePolicy {
  /** Allowed folders as given (absolute), and their real paths. */
  private readonly roots: Array<{ given: string; real: string }>;
  /** Allowed paths that are not folders: exactly these files (given and real paths). */
  private readonly exact = new Set<string>();

  /**
   * @param base folder relative paths resolve against (the manifest's folder)
   * @param allowed extra folders the person running the manifest allows
   */
  constructor(
    readonly base: string,
    allowed: readonly string[] = [],
  ) {
    this.roots = [];
    for (const folder of [base, ...allowed]) {
      const given = resolve(folder);
      const real = realOrSelf(given);
      if (folder !== base && kindOf(real) !== 'a folder' && kindOf(real) !== 'missing') {
        this.exact.add(given).add(real);
      } else {
        this.roots.push({ given, real });
      }
    }
  }

  /** True when `path` (as check() returned it) is a file the person running the manifest allowed by name. */
  isExactlyAllowed(path: string): boolean {
    return this.exact.has(path) || this.exact.has(realOrSelf(path));
  }

  /** The policy for a manifest loaded from `manifestFile` (undefined: it came as text or data). */
  static forManifest(manifestFile: string | undefined, allowed: readonly string[] = []): FilePolicy {
    const isFile = manifestFile !== undefined && !/^<.*>$/.test(manifestFile);
    return new FilePolicy(isFile ? dirname(resolve(manifestFile)) : process.cwd(), allowed);
  }

  /**
   * The absolute path `path` names, once checked for `access`. Throws FileRefusal when it is outside
   * the allowed folders (lexically or through a symlink) or is not a regular file. A path that does
   * not exist yet is allowed when its existing ancestors are inside.
   */
  check(path: string, access: FileAccess): string {
    if (typeof path !== 'string' || path === '' || path.includes('\0')) throw new FileRefusal(`${JSON.stringify(path)} is not a file path`);
    const absolute = isAbsolute(path) ? resolve(path) : resolve(this.base, path);
    if (this.isExactlyAllowed(absolute)) return absolute;
    if (!this.roots.some((r) => inside(absolute, r.given) || inside(absolute, r.real))) {
      throw new FileRefusal(
        `${JSON.stringify(path)} resolves to ${absolute}, outside the folders this manifest may use (${this.describeRoots()})${this.hint()}`,
      );
    }
    const real = realOfExisting(absolute);
    if (SYSTEM_FOLDERS.some((f) => inside(real, f)))
      throw new FileRefusal(`${JSON.stringify(path)} resolves to ${real}: system files under /proc, /sys and /dev are never read or written`);
    if (!this.roots.some((r) => inside(real, r.real))) {
      throw new FileRefusal(
        `${JSON.stringify(path)} leads through a symlink to ${real}, outside the folders this manifest may use (${this.describeRoots()})${this.hint()}`,
      );
    }
    const kind = kindOf(real);
    if (kind !== 'missing' && kind !== 'file')
      throw new FileRefusal(`${JSON.stringify(path)} is ${kind}, not a regular file; only regular files are ${access === 'read' ? 'read' : 'written'}`);
    return absolute;
  }

  /** True when `path` (already checked) exists as a file. */
  static exists(path: string): boolean {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  }

  private describeRoots(): string {
    return this.roots.map((r) => r.given).join(', ');
  }

  private hint(): string {
    return '; the person running it can allow a folder with --allow-path DIR (library option allowPaths)';
  }
}

/**
 * Reads a checked file as text without following a symlink at the last step and without blocking
 * on a FIFO, refusing anything but a regular file of at most `maxBytes`.
 */
export function readRegularFile(path: string, maxBytes: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new FileRefusal(`${path} is not a regular file`);
    if (stat.size > maxBytes) throw new FileRefusal(`${path} is ${stat.size} bytes, more than the ${maxBytes} a file read by a manifest may have`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * An entry of a folder the person running the command chose (--record / --replay): it must be a
 * regular file directly in that folder, not a symlink leading out of it. Returns its real path.
 */
export function checkFolderEntry(folder: string, name: string): string {
  const path = join(folder, name);
  if (basename(name) !== name) throw new FileRefusal(`${path}: entries must be files directly in ${folder}`);
  const real = realOfExisting(path);
  if (!inside(real, realOrSelf(resolve(folder)))) throw new FileRefusal(`${path} is a symlink to ${real}, outside ${folder}; refused`);
  const kind = kindOf(real);
  if (kind !== 'file' && kind !== 'missing') throw new FileRefusal(`${path} is ${kind}, not a regular file; refused`);
  // The resolved file, so that opening it with O_NOFOLLOW works for a symlink that stays inside.
  return real;
}

function inside(path: string, folder: string): boolean {
  if (path === folder) return true;
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The real path of `path`: its longest existing ancestor resolved, the missing rest appended. */
function realOfExisting(path: string): string {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    let exists = true;
    try {
      lstatSync(current);
    } catch {
      exists = false;
    }
    if (exists) {
      try {
        const real = realpathSync(current);
        return missing.length ? join(real, ...missing.reverse()) : real;
      } catch {
        // It exists but cannot be resolved: a symlink to nothing (or a loop), whose target would
        // be created or followed later; refused rather than guessed.
        throw new FileRefusal(`${current} is a symlink that leads nowhere; refused`);
      }
    }
    const parent = dirname(current);
    if (parent === current) return path;
    missing.push(basename(current));
    current = parent;
  }
}

function kindOf(real: string): string {
  let stat;
  try {
    stat = statSync(real);
  } catch {
    return 'missing';
  }
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'a special file';
}
