/** XmlDecoder: the body as one document, shaped like Python's xmltodict (`@attr`, `#text`, strings). */
import { createRequire } from 'node:module';
import type { XMLParser } from 'fast-xml-parser';
import type { Decoder } from '../../contracts.js';
import { ManifoldError } from '../../errors/manifold-error.js';
import { registerComponent } from '../../registry.js';
import type { HttpResponse } from '../../types.js';

const requireDependency = createRequire(import.meta.url);

export class XmlDecoder implements Decoder {
  private parserInstance: XMLParser | undefined;

  /** fast-xml-parser is required on first use: loading it was ~20 ms of every read's start-up. */
  private get parser(): XMLParser {
    if (this.parserInstance) return this.parserInstance;
    const { XMLParser: Parser } = requireDependency('fast-xml-parser') as typeof import('fast-xml-parser');
    return (this.parserInstance = new Parser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      textNodeName: '#text',
      parseTagValue: false,
      parseAttributeValue: false,
      ignoreDeclaration: true,
    }));
  }

  *decode(response: HttpResponse): Iterable<unknown> {
    const text = response.text();
    if (text.trim() === '') {
      yield {};
      return;
    }
    try {
      yield this.parser.parse(text, true) as unknown;
    } catch (e) {
      throw new ManifoldError(`The response from ${response.url} is not valid XML: ${(e as Error).message}`, { cause: e });
    }
  }
}

registerComponent('XmlDecoder', () => new XmlDecoder(), 'Response body parsed as XML.');
