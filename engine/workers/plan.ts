/**
 * Whether a read with `threads` ≥ 2 goes to worker threads, and how many. A read stays on the
 * calling thread when its Source cannot be rebuilt in a worker (made without a manifest origin, a
 * custom transport, an onHttp listener: callbacks cannot cross threads). It uses a single worker
 * (the engine still off the writing thread) when its streams share something a second worker would
 * duplicate: an api_budget (each worker would allow the full rate) or credentials the API mints
 * (OAuth access tokens, session tokens: each worker would ask for its own, and a rotated refresh
 * token would be spent twice). Never more workers than streams or than the
 * concurrency allows; the requests in flight stay within the concurrency in total.
 */
import type { ConfiguredAirbyteCatalog } from '../protocol/messages.js';
import { transportRecipe } from '../http/transport.js';
import { concurrencyLevel } from '../source/catalog.js';
import type { Obj } from '../types.js';
import type { WorkerReadPlan } from './read-in-workers.js';
import type { SourceOrigin, WorkerSourceOptions } from './wire.js';

const MINTED_CREDENTIALS = /"type":"(?:OAuthAuthenticator|DeclarativeOAuthAuthenticator|SessionTokenAuthenticator|LegacySessionTokenAuthenticator)"/;

export interface PlanInput {
  root: Obj;
  origin: SourceOrigin | undefined;
  sourceOptions: {
    onHttp?: unknown;
    transport?: unknown;
    applyBudget?: boolean | undefined;
  } & Omit<WorkerSourceOptions, 'transport'>;
  config: Obj;
  catalog: ConfiguredAirbyteCatalog | undefined;
  state: unknown;
  read: {
    threads?: number | undefined;
    concurrency?: number | undefined;
    limits?: { records?: number; pages?: number; slices?: number } | undefined;
    signal?: AbortSignal | undefined;
    onPage?: WorkerReadPlan['onPage'];
  };
  streamNames: () => string[];
  defaultConcurrency: number;
}

export function workerPlan(input: PlanInput): Omit<WorkerReadPlan, 'closingTrace'> | undefined {
  const { root, origin, sourceOptions, read } = input;
  if (!origin || sourceOptions.onHttp) return undefined;
  let transport: WorkerSourceOptions['transport'];
  if (sourceOptions.transport !== undefined) {
    transport = transportRecipe(sourceOptions.transport);
    if (!transport) return undefined;
  }
  const units = input.catalog
    ? (input.catalog.streams?.length ?? 0)
    : Array.isArray(root.dynamic_streams) && root.dynamic_streams.length > 0
      ? 1
      : input.streamNames().length;
  let level: number | undefined;
  try {
    level = concurrencyLevel(root.concurrency_level, input.config);
  } catch {
    level = undefined;
  }
  const concurrency = read.concurrency ?? level ?? input.defaultConcurrency;
  const shared = (root.api_budget !== undefined && sourceOptions.applyBudget !== false) || MINTED_CREDENTIALS.test(JSON.stringify(root));
  const workers = shared ? 1 : Math.max(1, Math.min(read.threads ?? 1, units, concurrency));
  const { onHttp: _onHttp, transport: _transport, ...plain } = sourceOptions;
  return {
    workers,
    origin,
    options: { ...plain, ...(transport ? { transport } : {}) },
    config: input.config,
    catalog: input.catalog,
    state: input.state,
    read: {
      concurrency: Math.max(1, Math.floor(concurrency / workers)),
      limits: read.limits,
      pages: read.onPage !== undefined,
    },
    onPage: read.onPage,
    signal: read.signal,
  };
}
