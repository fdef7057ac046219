/**
 * HttpResponseFilter: claims responses by status code, body text or predicate and says what to
 * do with them (RETRY, FAIL, IGNORE, RATE_LIMITED, SUCCESS, RESET_PAGINATION), with an optional
 * interpolated message.
 */
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import { InterpolatedBoolean, InterpolatedString } from '../interpolation/index.js';
import type { HttpResponse, Obj } from '../types.js';
import { truthy } from '../interpolation/python-values.js';
import { formatLocation, type FailureType } from './manifold-error.js';
import { defaultResolution, responseForTemplates, type ErrorResolution, type Outcome, type ResponseAction, type ResponseFilter } from './error-handler.js';

const ACTIONS: ResponseAction[] = ['SUCCESS', 'RETRY', 'FAIL', 'IGNORE', 'RATE_LIMITED', 'RESET_PAGINATION'];
const FAILURE_TYPES: FailureType[] = ['config_error', 'system_error', 'transient_error'];
/** The statuses in Airbyte's DEFAULT_ERROR_MAPPING (default_error_mapping.py). */
const DEFAULT_MAPPED_STATUSES = new Set([400, 401, 403, 404, 405, 408, 429, 500, 502, 503, 504]);

export class HttpResponseFilter implements ResponseFilter {
  /** `action` undefined: the filter was written without one and, as in the CDK, matches nothing. */
  constructor(
    private readonly action: ResponseAction | undefined,
    private readonly httpCodes: Set<number>,
    private readonly errorMessageContains: string | undefined,
    private readonly predicate: InterpolatedBoolean | undefined,
    private readonly errorMessage: InterpolatedString | undefined,
    private readonly failureType: FailureType | undefined,
    private readonly config: Obj,
    private readonly parameters: Obj,
  ) {}

  matches(outcome: Outcome): ErrorResolution | undefined {
    if (this.action === undefined || !this.applies(outcome)) return undefined;
    const fallback = defaultResolution(outcome);
    const response = outcome.response;
    const message =
      response && this.errorMessage
        ? this.errorMessage.evalString({
            config: this.config,
            parameters: this.parameters,
            response: responseForTemplates(response),
            headers: response.headers,
          })
        : undefined;
    return {
      action: this.action,
      failureType: this.failureTypeFor(outcome, fallback),
      message: message || (fallback.action === 'SUCCESS' ? undefined : fallback.message),
    };
  }

  /**
   * As the CDK: failure_type only types a FAIL. Other actions keep the type Airbyte's default
   * mapping gives the status (a RETRY of a 500 that runs out of attempts stays transient), and
   * statuses outside that mapping are system errors.
   */
  private failureTypeFor(outcome: Outcome, fallback: ErrorResolution): FailureType {
    if (this.failureType && this.action === 'FAIL') return this.failureType;
    const status = outcome.response?.status;
    return status !== undefined && DEFAULT_MAPPED_STATUSES.has(status) ? (fallback.failureType ?? 'system_error') : 'system_error';
  }

  private applies(outcome: Outcome): boolean {
    const response = outcome.response;
    if (!response) return false;
    if (this.httpCodes.has(response.status)) return true;
    if (this.errorMessageContains !== undefined) {
      const parsed = parsedErrorMessage(response);
      // An empty message contains nothing, not even an empty string.
      if (parsed !== undefined && parsed !== '' && parsed.includes(this.errorMessageContains)) return true;
    }
    if (this.predicate) {
      return this.predicate.eval({ config: this.config, parameters: this.parameters, response: responseForTemplates(response), headers: response.headers });
    }
    return false;
  }
}

// Airbyte's JsonErrorMessageParser: error_message_contains is looked for in the message an API
// put in its usual error fields (decoded), not in the raw body, so record data never matches.
const ERROR_FIELDS = ['message', 'messages', 'error', 'errors', 'failures', 'failure', 'detail', 'err', 'error_message', 'msg', 'reason', 'status_message'];

function parsedErrorMessage(response: HttpResponse): string | undefined {
  let body: unknown;
  try {
    body = response.json();
  } catch {
    body = response.text();
  }
  return errorIn(body);
}

function errorIn(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value))
    return value
      .map(errorIn)
      .filter((v) => v !== undefined)
      .join(', ');
  if (value && typeof value === 'object') {
    const obj = value as Obj;
    // Python's `a.get(k1) or a.get(k2) or ...`: the first truthy field.
    for (const key of ERROR_FIELDS) if (truthy(obj[key])) return errorIn(obj[key]);
  }
  return undefined;
}

export function buildHttpResponseFilter(node: ManifestNode, ctx: BuildContext): HttpResponseFilter {
  const failureType = node.failure_type as FailureType | undefined;
  if (failureType !== undefined && !FAILURE_TYPES.includes(failureType)) {
    throw ctx.error(`failure_type must be one of ${FAILURE_TYPES.join(', ')}`, 'failure_type');
  }
  const action = node.action === undefined || node.action === null ? undefined : (node.action as ResponseAction);
  if (action !== undefined && !ACTIONS.includes(action))
    throw ctx.error(`action must be one of ${ACTIONS.join(', ')} (got "${String(node.action)}")`, 'action');
  if (action === undefined)
    warnOnce(
      ctx,
      "HttpResponseFilter has no action, so it matches no response (as in Airbyte's CDK, where the status falls to the default handling); set action (FAIL, IGNORE, RETRY...) to make it apply",
    );
  const codes = Array.isArray(node.http_codes) ? node.http_codes.map(Number) : [];
  const contains =
    node.error_message_contains === undefined || node.error_message_contains === null
      ? undefined
      : InterpolatedString.create(node.error_message_contains, { parameters: ctx.parameters }).evalString({ config: ctx.config, parameters: ctx.parameters });
  const predicate = node.predicate ? new InterpolatedBoolean(node.predicate, ctx.parameters) : undefined;
  const message = node.error_message ? InterpolatedString.create(node.error_message, { parameters: ctx.parameters }) : undefined;
  return new HttpResponseFilter(action, new Set(codes), contains || undefined, predicate, message, failureType, ctx.config, ctx.parameters);
}

registerComponent('HttpResponseFilter', buildHttpResponseFilter, 'Chooses RETRY/FAIL/IGNORE/RATE_LIMITED for matching responses.');

/** Streams built from one definition share the filter: one WARN per spot in the file. */
function warnOnce(ctx: BuildContext, message: string): void {
  const location = ctx.location();
  const key = `response-filter-warned:${location.line !== undefined ? `${location.file}:${location.line}:${location.column}` : ctx.path}`;
  if (ctx.services.cache.has(key)) return;
  ctx.services.cache.set(key, true);
  ctx.services.logger.warn(`${formatLocation(location)}: ${message}`);
}
