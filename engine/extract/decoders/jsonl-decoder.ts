/** JsonlDecoder: one JSON document per line. */
import type { Decoder } from '../../contracts.js';
import { ManifoldError } from '../../errors/manifold-error.js';
import { registerComponent } from '../../registry.js';
import type { HttpResponse } from '../../types.js';
import { lines } from './lines.js';

export class JsonlDecoder implements Decoder {
  *decode(response: HttpResponse): Iterable<unknown> {
    let n = 0;
    for (const line of lines(response.text())) {
      n++;
      try {
        yield JSON.parse(line);
      } catch (e) {
        throw new ManifoldError(`Line ${n} of the response from ${response.url} is not JSON: ${line.slice(0, 120)}`, { cause: e });
      }
    }
  }
}

registerComponent('JsonlDecoder', () => new JsonlDecoder(), 'One JSON document per line.');
