/**
 * Table and column names: lower case, letters, digits and underscores, at most the database's
 * identifier length, never starting with a digit. Names are always quoted in SQL, so SQL keywords
 * (`order`, `select`) are fine as they are; two names that normalise alike get a numeric suffix,
 * and the collision is reported.
 */

export function normaliseName(name: string, maxLength: number): string {
  let out = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_');
  // Underscores that stand for dropped characters at either end go; the name's own stay (`_id`).
  if (!name.startsWith('_')) out = out.replace(/^_+(?=[^_])/, '');
  if (!name.endsWith('_')) out = out.replace(/(?<=[^_])_+$/, '');
  if (!out) out = '_';
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return out.slice(0, maxLength);
}

export interface NameCollision {
  name: string;
  /** The normalised name already taken. */
  wanted: string;
  /** The name given instead. */
  given: string;
}

/** Hands out unique normalised names in one namespace (a schema's tables, a table's columns). */
export class NameAllocator {
  private readonly taken = new Set<string>();
  readonly collisions: NameCollision[] = [];

  constructor(
    private readonly maxLength: number,
    reserved: Iterable<string> = [],
  ) {
    for (const r of reserved) this.taken.add(r);
  }

  allocate(name: string): string {
    const wanted = normaliseName(name, this.maxLength);
    let given = wanted;
    for (let n = 2; this.taken.has(given); n++) {
      const suffix = `_${n}`;
      given = wanted.slice(0, this.maxLength - suffix.length) + suffix;
    }
    this.taken.add(given);
    if (given !== wanted) this.collisions.push({ name, wanted, given });
    return given;
  }
}

/** A double-quoted SQL identifier (the same rule in DuckDB and PostgreSQL). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
