/**
 * The one error type that reaches users. Everything the engine throws on purpose is a
 * ManifoldError, so the protocol layer can turn it into a TRACE with the right failure_type and
 * the CLI can print it without a stack trace.
 */

export type FailureType = 'config_error' | 'system_error' | 'transient_error';

/** Where in a manifest something came from. */
export interface SourceLocation {
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
  /** Component path, e.g. `streams[2].retriever.paginator.pagination_strategy`. */
  path?: string | undefined;
}

export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  const pos = loc.file ? `${loc.file}${loc.line ? `:${loc.line}${loc.column ? `:${loc.column}` : ''}` : ''}` : '';
  const path = loc.path ? `${loc.path}` : '';
  return [pos, path].filter(Boolean).join(' ');
}

export interface ManifoldErrorOptions {
  failureType?: FailureType;
  /** Technical detail for logs (never contains secrets). */
  internalMessage?: string;
  location?: SourceLocation | undefined;
  cause?: unknown;
  /** Stream the failure belongs to, if any. */
  stream?: string | undefined;
}

export class ManifoldError extends Error {
  readonly failureType: FailureType;
  readonly internalMessage: string | undefined;
  readonly location: SourceLocation | undefined;
  stream: string | undefined;

  constructor(message: string, options: ManifoldErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ManifoldError';
    this.failureType = options.failureType ?? 'system_error';
    this.internalMessage = options.internalMessage;
    this.location = options.location;
    this.stream = options.stream;
  }

  /** Message with the manifest location prefixed, as shown to users. */
  describe(): string {
    const where = formatLocation(this.location);
    return where ? `${where}: ${this.message}` : this.message;
  }
}

export class ConfigError extends ManifoldError {
  constructor(message: string, options: Omit<ManifoldErrorOptions, 'failureType'> = {}) {
    super(message, { ...options, failureType: 'config_error' });
    this.name = 'ConfigError';
  }
}

/** A manifest that cannot be loaded or validated; carries every problem found, not just the first. */
export class ManifestError extends ManifoldError {
  readonly problems: ManifestProblem[];
  constructor(problems: ManifestProblem[], file?: string) {
    const head = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`Invalid manifest${file ? ` ${file}` : ''} (${head}):\n` + problems.map((p) => `  - ${formatLocation(p.location)}: ${p.message}`).join('\n'), {
      failureType: 'config_error',
    });
    this.name = 'ManifestError';
    this.problems = problems;
  }
}

export interface ManifestProblem {
  message: string;
  location: SourceLocation;
  /** Absent means an error; a warning is something Airbyte accepts but is probably a mistake. */
  severity?: 'error' | 'warning' | undefined;
}

export function isManifoldError(e: unknown): e is ManifoldError {
  return e instanceof ManifoldError;
}
