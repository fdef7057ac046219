/**
 * Budgets for everything an untrusted manifest or a hostile API can make the engine expand:
 * response bodies (as received and once decompressed), record nesting, manifest size and nesting
 * after YAML aliases and `$ref`s, and values built by templates. The defaults sit far above what
 * real APIs and manifests need (the 219 Airbyte manifests of the compat run expand to at most
 * ~92k nodes, 50 levels deep, with no YAML alias) and far below what would exhaust a machine:
 * a run that hits one stops with an error naming the limit and how to raise it.
 */
import { ManifoldError, type FailureType, type SourceLocation } from '../errors/manifold-error.js';

export interface Limits {
  /** Bytes of one response body as received (per page, before Content-Encoding is undone). */
  maxResponseBytes: number;
  /** Bytes of one response body once decompressed (Content-Encoding, GzipDecoder, ZipfileDecoder). */
  maxDecompressedBytes: number;
  /** Nesting depth of a JSON document in a response (objects and arrays). */
  maxRecordDepth: number;
  /** Nesting depth of a manifest. */
  maxManifestDepth: number;
  /** Nodes of a manifest once YAML aliases and `$ref`s are expanded. */
  maxManifestNodes: number;
  /** YAML alias expansions (the `yaml` library's maxAliasCount). */
  maxYamlAliases: number;
  /** Characters of a string, or items of a list, a template may build. */
  maxTemplateSize: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxResponseBytes: 128 * MiB,
  maxDecompressedBytes: 128 * MiB,
  maxRecordDepth: 1000,
  maxManifestDepth: 200,
  maxManifestNodes: 2_000_000,
  maxYamlAliases: 10_000,
  maxTemplateSize: 10_000_000,
});

/** How a person raises each limit: the CLI flag (with its unit) and the library option. */
export const LIMIT_SETTINGS: Readonly<Record<keyof Limits, { flag: string; unit: 'MiB' | 'count'; what: string }>> = Object.freeze({
  maxResponseBytes: { flag: '--max-response-mb', unit: 'MiB', what: 'response body size' },
  maxDecompressedBytes: { flag: '--max-decompressed-mb', unit: 'MiB', what: 'decompressed response size' },
  maxRecordDepth: { flag: '--max-record-depth', unit: 'count', what: 'JSON nesting depth of a response' },
  maxManifestDepth: { flag: '--max-manifest-depth', unit: 'count', what: 'manifest nesting depth' },
  maxManifestNodes: { flag: '--max-manifest-nodes', unit: 'count', what: 'expanded manifest size (nodes after YAML aliases and $refs)' },
  maxYamlAliases: { flag: '--max-yaml-aliases', unit: 'count', what: 'YAML alias expansions' },
  maxTemplateSize: { flag: '--max-template-size', unit: 'count', what: 'size of a value built by a template (string characters or list items)' },
});

export function resolveLimits(partial?: Partial<Limits>): Limits {
  const out: Limits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(partial ?? {}) as Array<[keyof Limits, unknown]>) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_LIMITS))
      throw new ManifoldError(`Unknown limit "${name}" (known: ${Object.keys(DEFAULT_LIMITS).join(', ')})`, { failureType: 'config_error' });
    if (typeof value !== 'number' || !(value > 0))
      throw new ManifoldError(`limits.${name} must be a positive number (got ${JSON.stringify(value)})`, { failureType: 'config_error' });
    out[name] = value;
  }
  return out;
}

/** "limit 128 MiB; raise it with --max-response-mb N (library option limits.maxResponseBytes)". */
export function limitHint(name: keyof Limits, value: number): string {
  const setting = LIMIT_SETTINGS[name];
  const shown = setting.unit === 'MiB' ? `${+(value / MiB).toFixed(2)} MiB` : String(value);
  return `the ${setting.what} limit is ${shown}; raise it with ${setting.flag} N (library option limits.${name})`;
}

/** A budget was exceeded. config_error when the manifest caused it, system_error when an API did. */
export class LimitExceededError extends ManifoldError {
  constructor(
    readonly limit: keyof Limits,
    value: number,
    message: string,
    options: { failureType?: FailureType; location?: SourceLocation | undefined; stream?: string | undefined } = {},
  ) {
    super(`${message} (${limitHint(limit, value)})`, {
      failureType: options.failureType ?? 'config_error',
      location: options.location,
      stream: options.stream,
    });
    this.name = 'LimitExceededError';
  }
}

// Template evaluation has no per-run services to carry its budget, so its limit is process-wide.
let templateSize = DEFAULT_LIMITS.maxTemplateSize;

export function templateSizeLimit(): number {
  return templateSize;
}

/** Sets the process-wide template budget (the CLI's --max-template-size; library users may call it). */
export function setTemplateSizeLimit(value: number): void {
  templateSize = resolveLimits({ maxTemplateSize: value }).maxTemplateSize;
}

/**
 * Nesting depth of the JSON text in `body`, stopping as soon as it passes `limit` (returns
 * limit + 1 then). A byte scan, because V8 parses deep JSON fine but every recursive consumer
 * after it (JSON.stringify, transformations) would overflow the stack with no useful message.
 */
export function jsonDepthExceeds(body: Buffer | string, limit: number): boolean {
  if (body.length <= limit * 2) return false;
  let depth = 0;
  let inString = false;
  // The same scan twice, once per input type: this runs over every response body, and a shared
  // loop would read each character through an indirection on the hot path.
  if (typeof body === 'string') {
    for (let i = 0; i < body.length; i++) {
      const c = body.charCodeAt(i);
      if (inString) {
        if (c === 92) i++;
        else if (c === 34) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 91 || c === 123) {
        if (++depth > limit) return true;
      } else if (c === 93 || c === 125) depth--;
    }
    return false;
  }
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

interface Visit {
  value: unknown;
  depth: number;
  key: string | number | undefined;
  up: Visit | undefined;
}

/**
 * Walks a plain JSON-like tree without recursion, counting every node each time it appears (a
 * shared object counts once per place it is used, as later stages copy it) and its depth.
 * Stops at the first budget passed and reports which, with the path to the offending node.
 */
export function measureTree(root: unknown, maxDepth: number, maxNodes: number): { exceeded?: 'depth' | 'nodes'; path?: Array<string | number> } {
  const stack: Visit[] = [{ value: root, depth: 1, key: undefined, up: undefined }];
  let nodes = 0;
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value, depth } = visit;
    if (++nodes > maxNodes) return { exceeded: 'nodes', path: pathOf(visit) };
    if (value === null || typeof value !== 'object') continue;
    if (depth > maxDepth) return { exceeded: 'depth', path: pathOf(visit) };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth: depth + 1, key: i, up: visit });
    } else {
      for (const k of Object.keys(value)) stack.push({ value: (value as Record<string, unknown>)[k], depth: depth + 1, key: k, up: visit });
    }
  }
  return {};
}

function pathOf(visit: Visit): Array<string | number> {
  const out: Array<string | number> = [];
  for (let v: Visit | undefined = visit; v?.key !== undefined; v = v.up) out.unshift(v.key);
  return out;
}
