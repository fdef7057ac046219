/**
 * Pieces the authenticators share: config-derived secrets rendered once, and a token slot in
 * services.cache that every stream of a run shares, so one refresh serves concurrent requests.
 */
import { formatLocation } from '../errors/manifold-error.js';
import { InterpolatedString } from '../interpolation/index.js';
import type { BuildContext } from '../registry.js';
import type { EngineServices } from '../services.js';

/**
 * A template over config/parameters, rendered on first use (config never changes within a run) and
 * registered as a secret.
 *
 * A credential field that renders empty (`required`) does not stop the run: like Airbyte's CDK, the
 * request goes out with what the template rendered and the API answers (often a 401, which the
 * error handler reports). The config was already checked against the spec by then, so a field the
 * spec requires cannot be missing; one WARN per field and run names it (the value is empty, so
 * there is nothing to mask).
 */
export class ConfigSecret {
  private value: string | undefined;
  private readonly template: InterpolatedString;
  constructor(
    source: unknown,
    private readonly ctx: BuildContext,
    private readonly field: string,
    private readonly required = true,
  ) {
    this.template = InterpolatedString.create(source ?? '', { parameters: ctx.parameters });
  }

  get(): string {
    if (this.value === undefined) {
      const v = this.template.evalString({ config: this.ctx.config, parameters: this.ctx.parameters });
      if (!v && this.required) this.warnEmpty();
      this.ctx.services.secrets.add(v);
      this.value = v;
    }
    return this.value;
  }

  private warnEmpty(): void {
    const location = this.ctx.location(this.field);
    const where = formatLocation(location);
    // Streams built from one shared definition are one field to the user: warn once per spot in the file.
    const key = `empty-credential-warned:${location.line !== undefined ? `${location.file}:${location.line}:${location.column}` : where}`;
    if (this.ctx.services.cache.has(key)) return;
    this.ctx.services.cache.set(key, true);
    this.ctx.services.logger.warn(`${where}: ${this.field} rendered empty: check that the config provides it; requests are sent without a value for it`);
  }
}

export interface TokenGrant {
  token: string;
  /** Epoch ms after which the token must not be used; undefined = until a 401 says otherwise. */
  expiresAt?: number | undefined;
}

interface Slot {
  grant?: TokenGrant | undefined;
  pending?: Promise<TokenGrant> | undefined;
}

/** Refresh a little early so a token does not expire in flight. */
function isFresh(grant: TokenGrant | undefined, now: number): grant is TokenGrant {
  if (!grant) return false;
  if (grant.expiresAt === undefined) return true;
  const margin = Math.min(60_000, Math.max(0, (grant.expiresAt - now) / 10));
  return now < grant.expiresAt - margin;
}

export class SharedToken {
  constructor(
    private readonly services: EngineServices,
    private readonly key: string,
  ) {}

  private slot(): Slot {
    let slot = this.services.cache.get(this.key) as Slot | undefined;
    if (!slot) this.services.cache.set(this.key, (slot = {}));
    return slot;
  }

  /** A minted token is a secret from the moment it is read, before anything can print it. */
  registerSecret(value: string): void {
    this.services.secrets.add(value);
  }

  current(): TokenGrant | undefined {
    return this.slot().grant;
  }

  /**
   * The cached token, or the result of one `fetch()` shared by every caller waiting meanwhile.
   * `signal` ends only this caller's wait: the fetch serves the others too, so no one caller may
   * cancel it (a rotated refresh token the server already issued would be lost with it).
   */
  async get(fetch: () => Promise<TokenGrant>, signal?: AbortSignal): Promise<string> {
    const slot = this.slot();
    if (isFresh(slot.grant, Date.now())) return slot.grant.token;
    signal?.throwIfAborted();
    if (!slot.pending) {
      slot.pending = fetch()
        .then((grant) => {
          this.services.secrets.add(grant.token);
          slot.grant = grant;
          return grant;
        })
        .finally(() => {
          slot.pending = undefined;
        });
      // Every waiter may have given up by the time it fails: the failure is then nobody's to report.
      slot.pending.catch(() => undefined);
    }
    return (await untilAborted(slot.pending, signal)).token;
  }

  set(grant: TokenGrant): void {
    this.services.secrets.add(grant.token);
    this.slot().grant = grant;
  }

  invalidate(): void {
    this.slot().grant = undefined;
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Airbyte looks a token field up anywhere in the response (nested objects included). */
export function findField(value: unknown, name: string): unknown {
  if (!value || typeof value !== 'object') return undefined;
  if (!Array.isArray(value) && name in value) return (value as Record<string, unknown>)[name];
  for (const child of Object.values(value)) {
    const found = findField(child, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function getPath(root: unknown, path: string[]): unknown {
  let cur = root;
  for (const key of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function setPath(root: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = root;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    cur = (next && typeof next === 'object' ? next : (cur[key] = {})) as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) cur[last] = value;
}

/** ISO-8601 durations as used by expiration_duration (PT1H, P1D, PT30M...). */
export function parseIsoDurationMs(text: string): number | undefined {
  const m = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (!m || text.trim() === 'P' || text.trim() === 'PT') return undefined;
  const [w, d, h, min, s] = m.slice(1).map((x) => (x ? Number(x) : 0)) as [number, number, number, number, number];
  return ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
}
