/**
 * A response whose body is bytes unpacked from the real one (gunzipped, or one file of a zip), so
 * an inner decoder reads them like any response: text and JSON decoded lazily, once.
 */
import { InvalidBodyError } from '../../errors/invalid-body.js';
import type { HttpResponse } from '../../types.js';
import { DEFAULT_LIMITS, jsonDepthExceeds, LimitExceededError } from '../../limits/limits.js';

export function responseWithBody(response: HttpResponse, body: Buffer, what: string, maxDepth = DEFAULT_LIMITS.maxRecordDepth): HttpResponse {
  let text: string | undefined;
  let json: unknown;
  let parsed = false;
  return {
    ...response,
    body,
    text: () => (text ??= body.toString('utf8')),
    json: () => {
      if (!parsed) {
        if (jsonDepthExceeds(body, maxDepth)) {
          throw new LimitExceededError('maxRecordDepth', maxDepth, `the ${what} from ${response.url} is JSON nested more than ${maxDepth} levels deep`, {
            failureType: 'system_error',
          });
        }
        try {
          json = JSON.parse((text ??= body.toString('utf8')));
        } catch (e) {
          throw new InvalidBodyError(`The ${what} from ${response.url} is not JSON: ${text!.slice(0, 200)}`, { cause: e });
        }
        parsed = true;
      }
      return json;
    },
    links: () => response.links(),
  };
}
