/**
 * DeclarativeStream: reads partitions (routers) × cursor windows, slice by slice, through the
 * retriever, and checkpoints the state after each slice closes.
 *
 * Incremental reads emit the cursor state after every slice; per-partition state (when the
 * retriever has a partition router) is throttled by PerPartitionCursor.checkpointDue and always
 * ends with a complete state. Full-refresh reads ignore input state and end with Airbyte's
 * `{"__ab_no_cursor_state_message": true}` when the stream has no cursor, as the concurrent CDK does.
 */
import type {
  IncrementalCursor,
  PartitionRouter,
  ReadPageEvent,
  ReadStreamOptions,
  RecordTransformation,
  Retriever,
  Stream,
  StreamBatchEvent,
  StreamEvent,
} from '../contracts.js';
import { canMakePartitionCursors, PerPartitionCursor } from '../incremental/per-partition-cursor.js';
import { combineRouters } from '../partition/cartesian-product.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { getOrigin, setOrigin } from '../manifest/locations.js';
import { EMPTY_SLICE, makeSlice, type DataRecord, type Obj, type RequestOptionsProvider, type StreamSlice } from '../types.js';
import { runConcurrently } from './concurrent-units.js';
import type { SchemaLoader } from './schema-loader.js';

export const NO_CURSOR_STATE: Obj = Object.freeze({ __ab_no_cursor_state_message: true }) as Obj;

/** What the stream may find on its retriever besides the Retriever contract. */
interface RetrieverExtras {
  readonly partitionRouter?: PartitionRouter | readonly PartitionRouter[] | undefined;
  addTransformations?(transformations: RecordTransformation[]): void;
  readonly recordSelector?: { addTransformations?(transformations: RecordTransformation[]): void };
}

/** Optional cursor abilities the stream uses when present. */
interface CursorExtras {
  readonly isDataFeed?: boolean;
  isOlderThanState?(record: Obj): boolean;
  readonly globalSubstreamCursor?: boolean;
}

interface SliceUnit {
  slice: StreamSlice;
  cursor: IncrementalCursor | undefined;
}

/** Bookkeeping of one read: limits, and the states' owner. */
interface ReadRun {
  options: ReadStreamOptions;
  incremental: boolean;
  perPartition: PerPartitionCursor | undefined;
  router: PartitionRouter | undefined;
  signal: AbortSignal;
  records: number;
  pages: number;
  slices: number;
  done: boolean;
}

export function normalizePrimaryKey(pk: unknown): string[][] {
  if (pk === undefined || pk === null || pk === '') return [];
  if (typeof pk === 'string') return [[pk]];
  if (!Array.isArray(pk)) return [[String(pk)]];
  return pk.map((part) => (Array.isArray(part) ? part.map(String) : [String(part)]));
}

export class DeclarativeStream implements Stream {
  readonly cursorField: string[] | undefined;
  private schema: Promise<Obj> | undefined;

  constructor(
    readonly name: string,
    readonly primaryKey: string[][],
    private readonly schemaLoader: SchemaLoader,
    readonly retriever: Retriever & RetrieverExtras,
    readonly cursor: IncrementalCursor | undefined,
    /** Routers listed on the retriever (cartesian product); otherwise the retriever's own router. */
    private readonly routers?: readonly PartitionRouter[] | undefined,
  ) {
    this.cursorField = cursor ? [cursor.cursorField] : undefined;
  }

  get supportsIncremental(): boolean {
    return this.cursor !== undefined;
  }

  jsonSchema(): Promise<Obj> {
    return (this.schema ??= this.schemaLoader.getJsonSchema());
  }

  async *read(options: ReadStreamOptions): AsyncIterable<StreamEvent> {
    for await (const event of this.readBatches(options)) {
      if (event.kind !== 'records') {
        yield event;
        continue;
      }
      const { data, slice } = event;
      for (let i = 0; i < data.length; i++) yield { kind: 'record', data: data[i]!, slice };
    }
  }

  async *readBatches(options: ReadStreamOptions): AsyncIterable<StreamBatchEvent> {
    const controller = new AbortController();
    const stopOnCallerAbort = (): void => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', stopOnCallerAbort, { once: true });
    const router = combineRouters(this.routers ?? this.retriever.partitionRouter);
    const incremental = options.syncMode === 'incremental' && this.cursor !== undefined;
    const run: ReadRun = {
      options,
      incremental,
      perPartition: undefined,
      router,
      signal: controller.signal,
      records: 0,
      pages: 0,
      slices: 0,
      done: false,
    };
    const cursor = this.cursor;
    const inputState = incremental ? options.state : undefined;
    if (cursor && router && canMakePartitionCursors(cursor)) {
      run.perPartition = new PerPartitionCursor(cursor, router, (cursor as CursorExtras).globalSubstreamCursor === true);
      run.perPartition.setState(inputState);
    } else {
      cursor?.setState(inputState);
      router?.setChildState?.(undefined);
    }
    const schema = await this.jsonSchema();
    let statesEmitted = 0;
    try {
      const units = this.units(run)[Symbol.asyncIterator]();
      const work = (unit: SliceUnit, emit: (e: StreamBatchEvent) => Promise<void>): Promise<void> => this.readUnit(run, unit, schema, emit);
      let records = 0;
      const recordLimit = options.limits?.records;
      // Without read-ahead a slice's worker waits for the consumer after every page it hands over.
      const highWater = readsAhead(options) ? undefined : 1;
      const events = runConcurrently(units, work, options.concurrency ?? 1, () => controller.abort(), eventWeight, highWater);
      for await (const event of events) {
        if (event.kind === 'state') statesEmitted++;
        // Counted here, not in the workers: they may run ahead of what the caller has taken.
        if (event.kind === 'records' && recordLimit !== undefined && records + event.data.length >= recordLimit) {
          yield { kind: 'records', data: event.data.slice(0, recordLimit - records), slice: event.slice };
          return;
        }
        if (event.kind === 'records') records += event.data.length;
        yield event;
      }
      if (run.done) return;
      if (incremental) {
        if (run.perPartition) {
          run.perPartition.finish();
          yield { kind: 'state', state: run.perPartition.state() };
        } else if (statesEmitted === 0) {
          // Nothing to read (state in the future): the unchanged state is still checkpointed.
          yield { kind: 'state', state: cursor!.state() };
        }
      } else if (!cursor) {
        yield { kind: 'state', state: NO_CURSOR_STATE };
      }
    } finally {
      options.signal?.removeEventListener('abort', stopOnCallerAbort);
    }
  }

  /** Slices in order: for each partition, its cursor's windows. */
  private async *units(run: ReadRun): AsyncIterable<SliceUnit> {
    const partitions: AsyncIterable<StreamSlice> = run.router
      ? run.router.partitions({ signal: run.signal, readAhead: readsAhead(run.options) })
      : single(EMPTY_SLICE);
    for await (const partition of partitions) {
      const cursor = run.perPartition ? run.perPartition.cursorFor(partition.partition) : this.cursor;
      const windows: Iterable<Obj> = cursor ? cursor.slices() : [{}];
      for (const window of windows) {
        if (run.done || run.signal.aborted) return;
        const limit = run.options.limits?.slices;
        if (limit !== undefined && run.slices >= limit) return;
        run.slices++;
        yield { slice: makeSlice(partition.partition, window, partition.extra_fields), cursor };
      }
    }
  }

  private async readUnit(run: ReadRun, unit: SliceUnit, schema: Obj, emit: (e: StreamBatchEvent) => Promise<void>): Promise<void> {
    const { slice, cursor } = unit;
    const extras = cursor as (IncrementalCursor & CursorExtras) | undefined;
    const dataFeed = run.incremental && extras?.isDataFeed === true && typeof extras.isOlderThanState === 'function';
    const extra: RequestOptionsProvider[] = [];
    if (run.router) extra.push(run.router);
    if (cursor) extra.push(cursor);
    const limits = run.options.limits;
    // A data feed stops at a page boundary once it reaches records older than the state: counted in records.
    let received = 0;
    let pageEnds = 0;
    let stopAt: number | undefined;
    let stopRequestedAt: number | undefined;
    const onPage = (e: ReadPageEvent): void => {
      pageEnds += e.records;
      run.pages++;
      if (stopRequestedAt !== undefined && stopAt === undefined && pageEnds >= stopRequestedAt) stopAt = pageEnds;
      run.options.onPage?.(e);
    };
    // The page limit of a test read is per slice, like the Connector Builder's: the retriever stops requesting.
    // A data feed is newest first: the page holding a record older than the state is the last one.
    const lastPageIf = dataFeed ? (records: DataRecord[]) => records.some((r) => extras!.isOlderThanState!(r)) : undefined;
    const args = {
      stream: this.name,
      slice,
      extra,
      schema,
      signal: run.signal,
      onPage,
      cursor,
      maxPages: limits?.pages,
      readAhead: readsAhead(run.options),
      lastPageIf,
    };
    const pages = this.retriever.readPages ? this.retriever.readPages(args) : onePerPage(this.retriever.readSlice(args));
    // Per-record bookkeeping stays per record; only the hand-over to the consumer is per page.
    pageLoop: for await (const page of pages) {
      const out: DataRecord[] = [];
      try {
        for (let i = 0; i < page.length; i++) {
          const record = page[i]!;
          received++;
          if (stopAt !== undefined && received > stopAt) {
            if (out.length) await emit({ kind: 'records', data: out, slice });
            break pageLoop;
          }
          if (cursor && !cursor.shouldEmit(record, slice)) continue;
          if (run.perPartition) run.perPartition.observe(record, slice, cursor!);
          else cursor?.observe(record, slice);
          out.push(record);
          if (limits?.records !== undefined && ++run.records >= limits.records) {
            run.done = true;
            await emit({ kind: 'records', data: out, slice });
            return;
          }
          if (dataFeed && stopRequestedAt === undefined && extras!.isOlderThanState!(record)) {
            stopRequestedAt = received;
            if (pageEnds >= received) stopAt = pageEnds;
          }
        }
      } catch (e) {
        // A cursor failing on one record: the records before it still go out first.
        if (out.length) await emit({ kind: 'records', data: out, slice });
        throw e;
      }
      if (out.length) await emit({ kind: 'records', data: out, slice });
    }
    if (!run.incremental || !cursor) return;
    if (run.perPartition) {
      run.perPartition.closeSlice(slice, cursor);
      // Per-partition state grows with the partitions: checkpoints are throttled (see PerPartitionCursor).
      if (run.perPartition.checkpointDue()) await emit({ kind: 'state', state: run.perPartition.state() });
    } else {
      cursor.closeSlice(slice);
      await emit({ kind: 'state', state: cursor.state() });
    }
  }
}

async function* single<T>(value: T): AsyncIterable<T> {
  yield value;
}

/** Retrievers without readPages: each record as its own page. */
async function* onePerPage(records: AsyncIterable<DataRecord>): AsyncIterable<DataRecord[]> {
  for await (const record of records) yield [record];
}

const eventWeight = (event: StreamBatchEvent): number => (event.kind === 'records' ? event.data.length : 1);

export function buildDeclarativeStream(node: ManifestNode, ctx: BuildContext): DeclarativeStream {
  const rawName = node.name ?? ctx.parameters.name;
  const name = InterpolatedString.create(rawName, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters });
  if (!name) throw ctx.error('DeclarativeStream needs a name (or $parameters.name)', 'name');
  if (!node.retriever || typeof node.retriever !== 'object') throw ctx.error('DeclarativeStream needs a retriever', 'retriever');
  const retrieverNode = node.retriever as ManifestNode;
  const retrieverType = retrieverNode.type ?? 'SimpleRetriever';
  const transformations = Array.isArray(node.transformations) ? node.transformations : [];
  // SimpleRetriever builds the stream's transformations into its record selector itself, and takes
  // one partition router: a list of routers (cartesian product) is built here instead.
  const routerList = Array.isArray(retrieverNode.partition_router) ? retrieverNode.partition_router : undefined;
  const passTransformations = retrieverType === 'SimpleRetriever' && transformations.length > 0;
  let effectiveNode = retrieverNode;
  if (routerList || passTransformations) {
    effectiveNode = { ...retrieverNode };
    if (routerList) delete effectiveNode.partition_router;
    if (passTransformations) effectiveNode.transformations = transformations;
    const origin = getOrigin(retrieverNode);
    if (origin) setOrigin(effectiveNode, origin);
  }
  const retriever = ctx.build<Retriever & RetrieverExtras>(effectiveNode, 'retriever', 'SimpleRetriever');
  const routers = routerList?.map((r, i) => ctx.build<PartitionRouter>(r, `retriever.partition_router[${i}]`));
  const cursor = ctx.buildOptional<IncrementalCursor>(node.incremental_sync, 'incremental_sync');
  const schemaLoader = ctx.build<SchemaLoader>(node.schema_loader ?? {}, 'schema_loader', 'JsonFileSchemaLoader');
  if (transformations.length > 0 && !passTransformations) {
    const built = transformations.map((t, i) => ctx.build<RecordTransformation>(t, `transformations[${i}]`));
    if (retriever.addTransformations) retriever.addTransformations(built);
    else if (retriever.recordSelector?.addTransformations) retriever.recordSelector.addTransformations(built);
    else throw ctx.error(`a ${retrieverType} cannot apply the stream's transformations`, 'transformations');
  }
  if (Array.isArray(node.state_migrations) && node.state_migrations.length > 0) {
    ctx.services.logger.info(`${ctx.path}: state_migrations are ignored; input state is used as given`);
  }
  return new DeclarativeStream(name, normalizePrimaryKey(node.primary_key), schemaLoader, retriever, cursor, routers);
}

registerComponent('DeclarativeStream', buildDeclarativeStream, 'A stream: retriever, schema, incremental sync and transformations.');

/** Test reads with a record limit send no request whose records nobody will read (nor do the parent reads behind them). */
function readsAhead(options: ReadStreamOptions): boolean {
  return options.readAhead !== false && options.limits?.records === undefined;
}
