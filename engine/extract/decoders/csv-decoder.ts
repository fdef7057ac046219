/** CsvDecoder: rows as objects keyed by the header line. */
import { parse as parseCsv } from 'csv-parse/sync';
import type { Decoder } from '../../contracts.js';
import { ManifoldError } from '../../errors/manifold-error.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../../registry.js';
import type { HttpResponse } from '../../types.js';

export class CsvDecoder implements Decoder {
  private readonly encoding: BufferEncoding;
  constructor(
    private readonly delimiter: string,
    encoding: string,
    private readonly noneValues: ReadonlySet<string>,
  ) {
    const normalized = encoding.toLowerCase().replace(/[-_]/g, '');
    this.encoding = (normalized === 'utf8' ? 'utf8' : normalized === 'latin1' || normalized === 'iso88591' ? 'latin1' : encoding) as BufferEncoding;
  }

  *decode(response: HttpResponse): Iterable<unknown> {
    const text = this.encoding === 'utf8' ? response.text() : response.body.toString(this.encoding);
    let rows: Record<string, string>[];
    try {
      rows = parseCsv(text, { columns: true, delimiter: this.delimiter, skip_empty_lines: true, bom: true, relax_column_count: true });
    } catch (e) {
      throw new ManifoldError(`The response from ${response.url} is not valid CSV: ${(e as Error).message}`, { cause: e });
    }
    for (const row of rows) {
      if (this.noneValues.size > 0) {
        for (const k of Object.keys(row)) if (this.noneValues.has(row[k]!)) (row as Record<string, unknown>)[k] = null;
      }
      yield row;
    }
  }
}

export function buildCsvDecoder(node: ManifestNode, ctx: BuildContext): CsvDecoder {
  const delimiter = node.delimiter === undefined ? ',' : String(node.delimiter).replace('\\t', '\t');
  if (delimiter.length !== 1) throw ctx.error('delimiter must be a single character', 'delimiter');
  const encoding = String(node.encoding ?? 'utf-8');
  if (!Buffer.isEncoding(encoding.toLowerCase().replace('_', '-')) && !/^(iso-?8859-?1|latin-?1)$/i.test(encoding)) {
    throw ctx.error(`Unsupported encoding "${encoding}"`, 'encoding');
  }
  const none = Array.isArray(node.set_values_to_none) ? node.set_values_to_none.map(String) : [];
  return new CsvDecoder(delimiter, encoding, new Set(none));
}

registerComponent('CsvDecoder', buildCsvDecoder, 'CSV rows (header line gives the field names).');
