/**
 * HTTPAPIBudget: the manifest's `api_budget`. One instance per run, shared by every stream, so
 * concurrent streams draw from the same call-rate windows. The first policy matching a request
 * governs it; a request no policy matches is not limited.
 *
 * `acquire` never fails for rate reasons: it books the earliest slot and sleeps until exactly
 * then. `observe` reads the rate-limit headers and status of each response; when the API says
 * its window is full, the policy pauses until the announced reset and sleepers re-book.
 */
import type { CallBudget, HttpRequest, Logger } from '../services.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { systemClock, type Clock } from './clock.js';
import type { CallRatePolicy, MatchableRequest, Reservation } from './policy.js';

type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface HttpApiBudgetOptions {
  ratelimitResetHeader?: string;
  ratelimitRemainingHeader?: string;
  statusCodesForRatelimitHit?: number[];
  clock?: Clock;
  logger?: Logger | undefined;
}

export class HttpApiBudget implements CallBudget {
  private readonly resetHeader: string;
  private readonly remainingHeader: string;
  private readonly limitedStatuses: ReadonlySet<number>;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  /** acquire and observe see the same request object: match it once. */
  private readonly matched = new WeakMap<HttpRequest, CallRatePolicy | null>();
  /** The slot each request was sent in, so its response can re-date it. */
  private readonly slots = new WeakMap<HttpRequest, Reservation>();

  constructor(
    readonly policies: readonly CallRatePolicy[],
    options: HttpApiBudgetOptions = {},
  ) {
    this.resetHeader = (options.ratelimitResetHeader ?? 'ratelimit-reset').toLowerCase();
    this.remainingHeader = (options.ratelimitRemainingHeader ?? 'ratelimit-remaining').toLowerCase();
    this.limitedStatuses = new Set(options.statusCodesForRatelimitHit ?? [429]);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
  }

  async acquire(request: HttpRequest, signal?: AbortSignal): Promise<void> {
    const policy = this.policyFor(request);
    if (!policy) return;
    const weight = policy.weightFor(toMatchable(request));
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      const slot = policy.reserve(weight, now);
      if (slot.at <= now) {
        this.slots.set(request, slot);
        return;
      }
      const revoked = policy.revoked;
      const wake = signal ? AbortSignal.any([signal, revoked]) : revoked;
      try {
        await this.clock.sleep(slot.at - now, wake);
      } catch (e) {
        if (signal?.aborted) {
          policy.release(slot);
          throw signal.reason ?? e;
        }
        if (!revoked.aborted) throw e;
      }
      if (policy.isCurrent(slot)) {
        this.slots.set(request, slot);
        return;
      }
      // A pause revoked the slot while we slept: book again behind the pause.
    }
  }

  observe(request: HttpRequest, status: number, headers: ResponseHeaders): void {
    const policy = this.policyFor(request);
    if (!policy) return;
    const now = this.clock.now();
    const slot = this.slots.get(request);
    if (slot) {
      this.slots.delete(request);
      policy.confirm?.(slot, now);
    }
    const remainingText = header(headers, this.remainingHeader);
    const parsed = remainingText === undefined ? NaN : Number.parseInt(remainingText, 10);
    const remaining = this.limitedStatuses.has(status) ? 0 : Number.isFinite(parsed) ? Math.max(0, parsed) : undefined;
    const resetAt = parseResetTime(header(headers, this.resetHeader), now);
    if (remaining === 0) {
      const until = resetAt !== undefined && resetAt > now ? new Date(resetAt).toISOString() : 'the window moves on';
      this.logger?.info(`api_budget: the API reports its rate limit reached (HTTP ${status}); pausing ${policy.describe()} until ${until}`);
    }
    policy.update(now, remaining, resetAt);
  }

  private policyFor(request: HttpRequest): CallRatePolicy | undefined {
    let policy = this.matched.get(request);
    if (policy === undefined) {
      const view = toMatchable(request);
      policy = this.policies.find((p) => p.matches(view)) ?? null;
      this.matched.set(request, policy);
    }
    return policy ?? undefined;
  }
}

function toMatchable(request: HttpRequest): MatchableRequest {
  let url: URL | undefined;
  try {
    url = new URL(request.url);
  } catch {
    url = undefined;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
  return { method: request.method.toUpperCase(), url, headers };
}

function header(headers: ResponseHeaders, lowerName: string): string | undefined {
  let value = headers[lowerName];
  if (value === undefined) {
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lowerName) value = v;
  }
  if (Array.isArray(value)) value = value[0];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reset time in epoch ms. Airbyte reads the header as an epoch timestamp, but the common
 * `ratelimit-reset` / `Retry-After` headers carry seconds-until-reset, so small numbers are deltas.
 * HTTP dates (Retry-After's other form) are accepted too.
 */
export function parseResetTime(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    if (n >= 1e12) return n;
    if (n >= 1e9) return n * 1000;
    return now + n * 1000;
  }
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : date;
}

export function buildHttpApiBudget(node: ManifestNode, ctx: BuildContext): HttpApiBudget {
  if (!Array.isArray(node.policies)) throw ctx.error('policies must be a list of call-rate policies', 'policies');
  const policies = node.policies.map((p, i) => ctx.build<CallRatePolicy>(p, `policies[${i}]`));
  const codes = node.status_codes_for_ratelimit_hit ?? [429];
  if (!Array.isArray(codes) || codes.some((c) => !Number.isInteger(Number(c)))) {
    throw ctx.error('status_codes_for_ratelimit_hit must be a list of HTTP status codes', 'status_codes_for_ratelimit_hit');
  }
  // Tests and embedders may hand a clock through the services; production runs on wall-clock time.
  const clock = (ctx.services as { clock?: Clock }).clock;
  return new HttpApiBudget(policies, {
    ...(typeof node.ratelimit_reset_header === 'string' ? { ratelimitResetHeader: node.ratelimit_reset_header } : {}),
    ...(typeof node.ratelimit_remaining_header === 'string' ? { ratelimitRemainingHeader: node.ratelimit_remaining_header } : {}),
    statusCodesForRatelimitHit: codes.map(Number),
    ...(clock ? { clock } : {}),
    logger: ctx.services.logger,
  });
}

registerComponent('HTTPAPIBudget', buildHttpApiBudget, 'Rate-limit budget shared by all streams (api_budget), learning from rate-limit headers.');
