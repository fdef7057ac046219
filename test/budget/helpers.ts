/** Test doubles for the budget: a manual clock and a minimal BuildContext. */
import { ConfigError } from '../../engine/errors/manifold-error.js';
import { getComponent, type BuildContext, type ManifestNode } from '../../engine/registry.js';
import { SecretRegistry, type EngineServices, type HttpRequest } from '../../engine/services.js';
import type { Clock } from '../../engine/budget/clock.js';
import type { Obj } from '../../engine/types.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/** Time moves only when the test advances it; sleepers wake in time order. */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, resolve };
      const onAbort = (): void => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal!.reason);
      };
      timer.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  get pendingSleepers(): number {
    return this.timers.length;
  }

  /** Advances to `target`, firing each due sleeper at its own time and letting it run. */
  async advanceTo(target: number): Promise<void> {
    await settle();
    for (;;) {
      const due = this.timers.filter((x) => x.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.resolve();
      await settle();
    }
    this.t = Math.max(this.t, target);
    await settle();
  }

  async advanceBy(ms: number): Promise<void> {
    await this.advanceTo(this.t + ms);
  }

  /** Runs until no one sleeps any more (bounded, so a bug cannot hang the suite). */
  async runAll(limitMs = 24 * 3_600_000): Promise<void> {
    const end = this.t + limitMs;
    await settle();
    while (this.timers.length && this.t < end) {
      const next = Math.min(...this.timers.map((x) => x.at));
      await this.advanceTo(next);
    }
  }
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

export function request(url: string, method = 'GET', headers: Record<string, string> = {}): HttpRequest {
  return { method, url, headers };
}

export function services(extra: Partial<EngineServices> & { clock?: Clock } = {}): EngineServices & { clock?: Clock } {
  const logs: string[] = [];
  return {
    logger: {
      log: (_l, m) => logs.push(m),
      error: (m) => logs.push(m),
      warn: (m) => logs.push(m),
      info: (m) => logs.push(m),
      debug: (m) => logs.push(m),
    },
    cache: new Map(),
    secrets: new SecretRegistry(),
    emit: () => undefined,
    onHttp: [],
    backoffScale: 0,
    ...extra,
  };
}

/** Builds a manifest node the way the loader-backed BuildContext would (registry lookup by type). */
export function buildNode<T>(node: unknown, opts: { config?: Obj; services?: EngineServices; path?: string; defaultType?: string } = {}): T {
  const svc = opts.services ?? services();
  const make = (n: unknown, path: string, defaultType?: string): unknown => {
    const m = (n ?? {}) as ManifestNode;
    const type = m.type ?? defaultType;
    const info = type ? getComponent(type) : undefined;
    if (!info) throw new ConfigError(`unknown component type ${String(type)} at ${path}`);
    const ctx: BuildContext = {
      config: opts.config ?? {},
      path,
      services: svc,
      parameters: m.$parameters ?? {},
      build: <C>(child: unknown, field: string | number, dt?: string) => make(child, `${path}.${field}`, dt) as C,
      buildOptional: <C>(child: unknown, field: string | number, dt?: string) =>
        (child === undefined || child === null ? undefined : make(child, `${path}.${field}`, dt)) as C | undefined,
      location: (field) => ({ path: field === undefined ? path : `${path}.${field}` }),
      error: (message, field) => new ConfigError(message, { location: { path: field === undefined ? path : `${path}.${field}` } }),
    };
    return info.build(m, ctx);
  };
  return make(node, opts.path ?? 'api_budget', opts.defaultType) as T;
}

/** Largest number of send times inside any half-open window [t, t + intervalMs). */
export function maxInAnyWindow(times: number[], intervalMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= intervalMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
