/**
 * StateDelegatingStream: one catalog stream backed by two definitions. Without state (first sync,
 * or a full refresh) it reads `full_refresh_stream`; with state, `incremental_stream` (e.g.
 * Stripe: entity endpoint first, then the events endpoint). When api_retention_period is set and
 * the state's cursor is older than now minus that period, the API no longer has the changes: it
 * reads the full refresh stream again, after checkpointing an empty state to drop the stale one.
 * As in Airbyte's CDK, a state whose cursor cannot be read (a per-partition state for a stream
 * without partitions, a final-state marker) also falls back to full refresh when a retention period
 * is set: nothing proves the API still has the changes since then. The period is a template over
 * the config; one that renders empty disables the check.
 */
import type { ReadStreamOptions, Stream, StreamEvent } from '../contracts.js';
import { PyDateTime, strToDatetime } from '../interpolation/datetime.js';
import { PyDuration } from '../interpolation/duration.js';
import { InterpolatedString } from '../interpolation/index.js';
import type { Logger } from '../services.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';

export class StateDelegatingStream implements Stream {
  constructor(
    readonly name: string,
    private readonly fullRefresh: Stream,
    private readonly incremental: Stream,
    private readonly retention: PyDuration | undefined,
    private readonly logger: Logger,
    /** The incremental stream has partitions: its cursor is the global one under `state`. */
    private readonly partitioned = false,
  ) {}

  get primaryKey(): string[][] {
    return this.fullRefresh.primaryKey.length ? this.fullRefresh.primaryKey : this.incremental.primaryKey;
  }

  get cursorField(): string[] | undefined {
    return this.incremental.cursorField ?? this.fullRefresh.cursorField;
  }

  get supportsIncremental(): boolean {
    return this.incremental.supportsIncremental || this.fullRefresh.supportsIncremental;
  }

  jsonSchema(): Promise<Obj> {
    return this.fullRefresh.jsonSchema();
  }

  async *read(options: ReadStreamOptions): AsyncIterable<StreamEvent> {
    const state = options.state;
    if (!state || Object.keys(state).length === 0) {
      yield* this.fullRefresh.read(options);
      return;
    }
    const age = this.cursorAge(state);
    if (age !== 'fresh') {
      this.logger.warn(
        age === 'expired'
          ? `Stream "${this.name}": the state's cursor is older than api_retention_period; reading it in full again`
          : `Stream "${this.name}": the state has no cursor value to compare with api_retention_period; reading it in full again`,
      );
      yield { kind: 'state', state: {} };
      yield* this.fullRefresh.read({ ...options, state: undefined });
      return;
    }
    yield* this.incremental.read(options);
  }

  private cursorAge(state: Obj): 'fresh' | 'expired' | 'unknown' {
    if (!this.retention) return 'fresh';
    const field = this.incremental.cursorField?.[0];
    const holder = this.partitioned && state.state && typeof state.state === 'object' ? (state.state as Obj) : state;
    const cursor = cursorInstant(field === undefined ? undefined : holder[field]);
    if (!cursor) return 'unknown';
    return cursor.compare(PyDateTime.now().minus(this.retention)) < 0 ? 'expired' : 'fresh';
  }
}

function cursorInstant(value: unknown): PyDateTime | undefined {
  if (typeof value === 'number') return PyDateTime.fromEpochMicros((value > 1e11 ? value / 1000 : value) * 1e6);
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return cursorInstant(Number(value));
  try {
    return strToDatetime(value);
  } catch {
    return undefined;
  }
}

export function buildStateDelegatingStream(node: ManifestNode, ctx: BuildContext): StateDelegatingStream {
  const name = String(node.name ?? ctx.parameters.name ?? '');
  if (!name) throw ctx.error('StateDelegatingStream needs a name', 'name');
  for (const field of ['full_refresh_stream', 'incremental_stream']) {
    if (!node[field] || typeof node[field] !== 'object') throw ctx.error(`StateDelegatingStream needs ${field}`, field);
  }
  const fullRefresh = ctx.build<Stream>(node.full_refresh_stream, 'full_refresh_stream', 'DeclarativeStream');
  const incremental = ctx.build<Stream>(node.incremental_stream, 'incremental_stream', 'DeclarativeStream');
  for (const [field, stream] of [
    ['full_refresh_stream', fullRefresh],
    ['incremental_stream', incremental],
  ] as const) {
    // The state is stored under the catalog name: both halves must read and write it as one stream.
    if (stream.name !== name) throw ctx.error(`${field} must be named "${name}" like the StateDelegatingStream (got "${stream.name}")`, field);
  }
  let retention: PyDuration | undefined;
  const period =
    node.api_retention_period === undefined || node.api_retention_period === null
      ? ''
      : InterpolatedString.create(String(node.api_retention_period), { parameters: ctx.parameters })
          .evalString({ config: ctx.config, parameters: ctx.parameters })
          .trim();
  if (period) {
    try {
      retention = PyDuration.parse(period);
    } catch {
      throw ctx.error(`api_retention_period must be an ISO-8601 duration like P30D (got "${period}")`, 'api_retention_period');
    }
  }
  const retriever = (node.incremental_stream as Obj).retriever as Obj | undefined;
  const partitioned = Boolean(retriever?.partition_router);
  return new StateDelegatingStream(name, fullRefresh, incremental, retention, ctx.services.logger, partitioned);
}

registerComponent(
  'StateDelegatingStream',
  buildStateDelegatingStream,
  'Reads full_refresh_stream without state and incremental_stream with it (api_retention_period).',
);
