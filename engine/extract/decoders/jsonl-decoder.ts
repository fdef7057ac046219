/** JsonlDecoder: one JSON document per line. */
import type { Decoder } from '../../contracts.js';
import { ManifoldError } from '../../errors/manifold-error.js';
import { registerComponent } from '../../registry.js';
import type { HttpResponse } from '../../types.js';
import { lines } from './lines.js';
import { DEFAULT_LIMITS, jsonDepthExceeds, LimitExceededError } from '../../limits/limits.js';

export class JsonlDecoder implements Decoder {
  constructor(private readonly maxDepth = DEFAULT_LIMITS.maxRecordDepth) {}

  *decode(response: HttpResponse): Iterable<unknown> {
    let n = 0;
    for (const line of lines(response.text())) {
      n++;
      if (jsonDepthExceeds(line, this.maxDepth)) {
        throw new LimitExceededError(
          'maxRecordDepth',
          this.maxDepth,
          `line ${n} of the response from ${response.url} is JSON nested more than ${this.maxDepth} levels deep`,
          { failureType: 'system_error' },
        );
      }
      try {
        yield JSON.parse(line);
      } catch (e) {
        throw new ManifoldError(`Line ${n} of the response from ${response.url} is not JSON: ${line.slice(0, 120)}`, { cause: e });
      }
    }
  }
}

registerComponent('JsonlDecoder', (_node, ctx) => new JsonlDecoder(ctx.services.limits?.maxRecordDepth), 'One JSON document per line.');
