/** XmlDecoder: the body as one document, shaped like Python's xmltodict (`@attr`, `#text`, strings). */
import { XMLParser } from 'fast-xml-parser';
import type { Decoder } from '../../contracts.js';
import { ManifoldError } from '../../errors/manifold-error.js';
import { registerComponent } from '../../registry.js';
import type { HttpResponse } from '../../types.js';

export class XmlDecoder implements Decoder {
  private parserInstance: XMLParser | undefined;

  // Made on first use; this module (and fast-xml-parser) loads only for manifests naming XmlDecoder.
  private get parser(): XMLParser {
    if (this.parserInstance) return this.parserInstance;
    return (this.parserInstance = new XMLParser({
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
