/**
 * AsyncRetriever: for APIs that produce data as a server-side job (reports, exports). Per slice:
 * creation_requester starts the job; polling_requester asks for its status until status_mapping
 * says it is completed (waiting between polls); the download targets (URLs) are extracted from the
 * polling response (or from download_target_requester's); download_requester fetches each one, page
 * by page with download_paginator, and record_selector selects records from what download_decoder
 * decodes. Records are handed along per downloaded page.
 *
 * Templates of the requesters see `creation_response` (polling, download, abort, delete),
 * `polling_response` and `download_target` (download), as in Airbyte; they are also in
 * `stream_slice.extra_fields`. A failed or timed-out job is started again (up to 3 attempts, as
 * Airbyte's orchestrator does); then the read fails: `failed` as a config error (the API rejected the
 * job as asked for), `timeout` as a transient error (a later run may succeed).
 */
import {
  NO_PAGES,
  type Decoder,
  type Paginator,
  type PartitionRouter,
  type RecordExtractor,
  type RecordSelector,
  type Requester,
  type Retriever,
  type SelectContext,
} from '../contracts.js';
import { ManifoldError } from '../errors/manifold-error.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { EngineServices } from '../services.js';
import { makeSlice, type DataRecord, type HttpResponse, type Obj, type RequestOptions, type StreamSlice } from '../types.js';
import { parseStatusMapping, wait, type AsyncJobStatus } from './async-job.js';

type ReadSliceArgs = Parameters<Retriever['readSlice']>[0];

/** Airbyte's orchestrator: attempts per job, and seconds between status polls. */
const MAX_JOB_ATTEMPTS = 3;
const POLL_INTERVAL_MS = 5_000;
const DEFAULT_TIMEOUT_MINUTES = 60;

export interface AsyncRetrieverOptions {
  creationRequester: Requester;
  pollingRequester: Requester;
  downloadRequester: Requester;
  downloadTargetRequester?: Requester | undefined;
  abortRequester?: Requester | undefined;
  deleteRequester?: Requester | undefined;
  statusExtractor: RecordExtractor;
  statusMapping: Map<string, AsyncJobStatus>;
  downloadTargetExtractor?: RecordExtractor | undefined;
  downloadPaginator: Paginator;
  /** Decodes creation and polling responses. */
  decoder: Decoder;
  downloadDecoder: Decoder;
  recordSelector: RecordSelector;
  partitionRouter?: PartitionRouter | undefined;
  jobTimeoutMs: number;
  failedRetryWaitMs: number;
  services: EngineServices;
}

interface JobOutcome {
  status: AsyncJobStatus;
  /** Slice carrying `creation_response` for the requests about this job. */
  jobSlice: StreamSlice;
  pollingResponse?: HttpResponse | undefined;
}

export class AsyncRetriever implements Retriever {
  readonly partitionRouter: PartitionRouter | undefined;
  readonly recordSelector: RecordSelector;

  constructor(private readonly o: AsyncRetrieverOptions) {
    this.partitionRouter = o.partitionRouter;
    this.recordSelector = o.recordSelector;
  }

  async *readSlice(args: ReadSliceArgs): AsyncIterable<DataRecord> {
    for await (const page of this.readPages(args)) yield* page;
  }

  async *readPages(args: ReadSliceArgs): AsyncIterable<DataRecord[]> {
    const job = await this.runJob(args);
    try {
      if (job.status === 'skipped') return;
      yield* this.download(args, job);
    } finally {
      await this.auxiliary(this.o.deleteRequester, 'delete', args, job.jobSlice);
    }
  }

  /** Starts the job and polls it until it completes, starting it again after a failure or timeout. */
  private async runJob(args: ReadSliceArgs): Promise<JobOutcome> {
    const scale = this.o.services.backoffScale;
    for (let attempt = 1; ; attempt++) {
      const job = await this.startAndPoll(args);
      if (job.status === 'completed' || job.status === 'skipped') return job;
      if (job.status === 'timeout') await this.auxiliary(this.o.abortRequester, 'abort', args, job.jobSlice);
      else await this.auxiliary(this.o.deleteRequester, 'delete', args, job.jobSlice);
      if (attempt >= MAX_JOB_ATTEMPTS) {
        const failed = job.status === 'failed';
        throw new ManifoldError(
          failed
            ? `Stream "${args.stream}": the API reported the async job as failed ${attempt} times in a row (slice ${JSON.stringify(args.slice.partition)}); check the job's parameters and permissions`
            : `Stream "${args.stream}": the async job did not complete in time, ${attempt} times in a row (slice ${JSON.stringify(args.slice.partition)})`,
          { stream: args.stream, failureType: failed ? 'config_error' : 'transient_error' },
        );
      }
      this.o.services.logger.warn(
        `Stream "${args.stream}": async job ${job.status === 'failed' ? 'failed' : 'timed out'}; starting it again (attempt ${attempt + 1} of ${MAX_JOB_ATTEMPTS})`,
      );
      if (job.status === 'failed' && this.o.failedRetryWaitMs > 0) await wait(this.o.failedRetryWaitMs * scale, args.signal);
    }
  }

  private async startAndPoll(args: ReadSliceArgs): Promise<JobOutcome> {
    const { stream, slice, signal } = args;
    const extra: Array<Partial<RequestOptions>> = args.extra.map((p) => p.requestOptions(slice, undefined));
    const created = await this.o.creationRequester.send({ stream, slice, nextPageToken: undefined, extra, signal });
    const trustedOrigin = this.trustedOrigin(args);
    if (!created) throw new ManifoldError(`Stream "${stream}": the async job creation request got no response (the error handler ignored it)`, { stream });
    const jobSlice = makeSlice(slice.partition, slice.cursor_slice, { ...slice.extra_fields, creation_response: responseContext(created) });
    const deadline = Date.now() + this.o.jobTimeoutMs * this.o.services.backoffScale;
    for (;;) {
      const polled = await this.o.pollingRequester.send({ stream, slice: jobSlice, nextPageToken: undefined, extra: [], signal, trustedOrigin });
      if (!polled) throw new ManifoldError(`Stream "${stream}": the async job polling request got no response (the error handler ignored it)`, { stream });
      const status = this.status(polled, jobSlice, stream);
      if (status !== 'running') return { status, jobSlice, pollingResponse: polled };
      if (Date.now() >= deadline) return { status: 'timeout', jobSlice };
      await wait(POLL_INTERVAL_MS * this.o.services.backoffScale, signal);
    }
  }

  private status(response: HttpResponse, slice: StreamSlice, stream: string): AsyncJobStatus {
    let apiStatus: unknown;
    for (const value of this.o.statusExtractor.extract(response, { slice, nextPageToken: undefined, response, decoder: this.o.decoder })) {
      apiStatus = value;
      break;
    }
    const status = this.o.statusMapping.get(String(apiStatus));
    if (!status) {
      throw new ManifoldError(
        `Stream "${stream}": async job status ${JSON.stringify(apiStatus)} is not in status_mapping (known: ${[...this.o.statusMapping.keys()].join(', ')})`,
        { stream, failureType: 'system_error' },
      );
    }
    return status;
  }

  private async *download(args: ReadSliceArgs, job: JobOutcome): AsyncIterable<DataRecord[]> {
    const { stream, signal } = args;
    const creation = job.jobSlice.extra_fields!.creation_response;
    const polling = responseContext(job.pollingResponse!);
    for (const target of await this.downloadTargets(args, job, polling)) {
      const slice = makeSlice(args.slice.partition, args.slice.cursor_slice, {
        ...args.slice.extra_fields,
        download_target: target,
        creation_response: creation,
        polling_response: polling,
      });
      const paginator = this.o.downloadPaginator;
      let token = await paginator.initialToken({ stream, slice, signal });
      if (token === NO_PAGES) continue;
      for (let page = 1; ; page++) {
        const response = await this.o.downloadRequester.send({
          stream,
          slice,
          nextPageToken: token,
          extra: [paginator.requestOptions(slice, token)],
          pathOverride: paginator.pathOverride(token),
          signal,
          trustedOrigin: this.trustedOrigin(args),
        });
        if (!response) break;
        const stats = { extracted: 0 };
        const ctx: SelectContext = { slice: args.slice, nextPageToken: token, response, decoder: this.o.downloadDecoder, schema: args.schema, stats };
        const selected = this.o.recordSelector.selectAsync
          ? await this.o.recordSelector.selectAsync(response, ctx)
          : this.o.recordSelector.select(response, ctx);
        const records = Array.isArray(selected) ? (selected as DataRecord[]) : [...selected];
        args.onPage?.({ slice: args.slice, records: records.length, url: response.url, status: response.status });
        if (records.length) yield records;
        if (args.maxPages !== undefined && page >= args.maxPages) return;
        const next = paginator.nextToken(response, stats.extracted, records[records.length - 1], token);
        if (next === undefined) break;
        token = next;
      }
    }
  }

  /** Without a download_target_extractor there is one download, with an empty `download_target`. */
  private async downloadTargets(args: ReadSliceArgs, job: JobOutcome, polling: Obj): Promise<string[]> {
    const extractor = this.o.downloadTargetExtractor;
    if (!extractor) return [''];
    let response = job.pollingResponse!;
    if (this.o.downloadTargetRequester) {
      const slice = makeSlice({}, {}, { polling_response: polling, creation_response: job.jobSlice.extra_fields!.creation_response });
      const got = await this.o.downloadTargetRequester.send({
        stream: args.stream,
        slice,
        nextPageToken: undefined,
        extra: [],
        signal: args.signal,
        trustedOrigin: this.trustedOrigin(args),
      });
      if (!got)
        throw new ManifoldError(`Stream "${args.stream}": the download_target_requester got no response (the error handler ignored it)`, {
          stream: args.stream,
        });
      response = got;
    }
    const ctx = { slice: job.jobSlice, nextPageToken: undefined, response, decoder: this.o.decoder };
    const records = extractor.extractAsync ? await extractor.extractAsync(response, ctx) : extractor.extract(response, ctx);
    return [...records].map((t) => String(t));
  }

  /**
   * The job's URLs (polling, download targets …) come from the API; credentials may go to them
   * only on the origin the job was created at.
   */
  private trustedOrigin(args: ReadSliceArgs): string | undefined {
    return this.o.creationRequester.credentialOrigin?.({ stream: args.stream, slice: args.slice, nextPageToken: undefined, extra: [] });
  }

  /** abort/delete requests are housekeeping: their failure is logged, not fatal to the read. */
  private async auxiliary(requester: Requester | undefined, what: string, args: ReadSliceArgs, slice: StreamSlice): Promise<void> {
    if (!requester) return;
    try {
      await requester.send({ stream: args.stream, slice, nextPageToken: undefined, extra: [], signal: args.signal, trustedOrigin: this.trustedOrigin(args) });
    } catch (e) {
      this.o.services.logger.warn(`Stream "${args.stream}": could not ${what} the async job: ${(e as Error).message}`);
    }
  }
}

/** A job response as templates see it: the JSON body, plus `headers` unless the body has its own. */
function responseContext(response: HttpResponse): Obj {
  let body: unknown;
  try {
    body = response.json();
  } catch {
    body = undefined;
  }
  const out: Obj = body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Obj) } : {};
  if (!('headers' in out)) out.headers = response.headers;
  return out;
}

function minutesOrSeconds(value: unknown, ctx: BuildContext, field: string, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const evaluated =
    typeof value === 'string'
      ? InterpolatedString.create(value, { parameters: ctx.parameters }).eval({ config: ctx.config, parameters: ctx.parameters })
      : value;
  const n = Number(evaluated);
  if (!Number.isFinite(n) || n < 0) throw ctx.error(`${field} must be a non-negative number (got ${JSON.stringify(evaluated)})`, field);
  return n;
}

export function buildAsyncRetriever(node: ManifestNode, ctx: BuildContext): AsyncRetriever {
  for (const field of ['creation_requester', 'polling_requester', 'download_requester', 'status_extractor', 'record_selector'] as const) {
    if (!node[field]) throw ctx.error(`AsyncRetriever needs a ${field}`, field);
  }
  const requester = (field: string): Requester | undefined => ctx.buildOptional<Requester>(node[field], field, 'HttpRequester');
  if (node.download_target_requester && !node.download_target_extractor) {
    throw ctx.error('download_target_requester needs a download_target_extractor to find the targets in its response', 'download_target_extractor');
  }
  const selectorNode =
    node.download_extractor && typeof node.record_selector === 'object'
      ? { ...(node.record_selector as Obj), extractor: node.download_extractor }
      : node.record_selector;
  return new AsyncRetriever({
    creationRequester: requester('creation_requester')!,
    pollingRequester: requester('polling_requester')!,
    downloadRequester: requester('download_requester')!,
    downloadTargetRequester: requester('download_target_requester'),
    abortRequester: requester('abort_requester'),
    deleteRequester: requester('delete_requester'),
    statusExtractor: ctx.build<RecordExtractor>(node.status_extractor, 'status_extractor', 'DpathExtractor'),
    statusMapping: parseStatusMapping(node.status_mapping, ctx),
    downloadTargetExtractor: ctx.buildOptional<RecordExtractor>(node.download_target_extractor, 'download_target_extractor', 'DpathExtractor'),
    downloadPaginator:
      ctx.buildOptional<Paginator>(node.download_paginator, 'download_paginator', 'DefaultPaginator') ??
      ctx.build<Paginator>({ type: 'NoPagination' }, 'download_paginator'),
    decoder: ctx.buildOptional<Decoder>(node.decoder, 'decoder', 'JsonDecoder') ?? ctx.build<Decoder>({ type: 'JsonDecoder' }, 'decoder'),
    downloadDecoder:
      ctx.buildOptional<Decoder>(node.download_decoder, 'download_decoder', 'JsonDecoder') ?? ctx.build<Decoder>({ type: 'JsonDecoder' }, 'download_decoder'),
    recordSelector: ctx.build<RecordSelector>(selectorNode, 'record_selector', 'RecordSelector'),
    partitionRouter: Array.isArray(node.partition_router) ? undefined : ctx.buildOptional<PartitionRouter>(node.partition_router, 'partition_router'),
    jobTimeoutMs: minutesOrSeconds(node.polling_job_timeout, ctx, 'polling_job_timeout', DEFAULT_TIMEOUT_MINUTES) * 60_000,
    failedRetryWaitMs: minutesOrSeconds(node.failed_retry_wait_time_in_seconds, ctx, 'failed_retry_wait_time_in_seconds', 0) * 1_000,
    services: ctx.services,
  });
}

registerComponent('AsyncRetriever', buildAsyncRetriever, 'Starts a server-side job per slice, polls it until done, then downloads and selects its records.');
