/** IterableDecoder: each non-empty line becomes `{record: line}`. */
import type { Decoder } from '../../contracts.js';
import { registerComponent } from '../../registry.js';
import type { HttpResponse } from '../../types.js';
import { lines } from './lines.js';

export class IterableDecoder implements Decoder {
  *decode(response: HttpResponse): Iterable<unknown> {
    for (const line of lines(response.text())) yield { record: line };
  }
}

registerComponent('IterableDecoder', () => new IterableDecoder(), 'Each line of the body as {record: line}.');
