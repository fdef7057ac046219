/** JsonDecoder: the body as one JSON document; a root array yields its items (as Airbyte does). */
import type { Decoder } from '../../contracts.js';
import { registerComponent } from '../../registry.js';
import type { HttpResponse } from '../../types.js';

export class JsonDecoder implements Decoder {
  /** response.json() keeps what it parsed, so decode() does not parse the body twice. */
  check(response: HttpResponse): void {
    if (response.body.length > 0) response.json();
  }

  *decode(response: HttpResponse): Iterable<unknown> {
    // An empty body (204, HEAD-like endpoints) is an empty document, not a parse error.
    if (response.body.length === 0) {
      yield {};
      return;
    }
    const body = response.json();
    if (Array.isArray(body)) {
      if (body.length === 0) yield {};
      else yield* body;
    } else {
      yield body;
    }
  }
}

export const jsonDecoder = new JsonDecoder();

registerComponent('JsonDecoder', () => jsonDecoder, 'Response body parsed as JSON.');
