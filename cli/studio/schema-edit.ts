/**
 * "Use inferred schema": puts a stream's schema into the manifest text. yaml's Document API finds
 * the stream and the node to replace; only that node's text is rewritten, so every other byte of
 * the file (comments, key order, quoting, flow style) stays as it was.
 */
import { Document, isMap, isSeq, parseDocument, type Node, type YAMLMap } from 'yaml';
import { ConfigError } from '../../engine/errors/manifold-error.js';

export function withInlineSchema(text: string, stream: string, schema: Record<string, unknown>): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new ConfigError(`The manifest does not parse, fix it first: ${doc.errors[0]!.message}`);
  const streamNode = findStream(doc, stream);
  const loader = streamNode.get('schema_loader', true);
  const inlineLoader = isMap(loader) && !loader.has('$ref') && (loader.get('type') === 'InlineSchemaLoader' || !loader.has('type'));
  const target = inlineLoader ? loader.get('schema', true) : loader;
  // Padded flow collections (`{ type: string }`) if the file writes them so; yaml pads maps and
  // sequences alike, so sequences are tightened again when the file writes `[a, b]`.
  const padded = /\{ \S/.test(text);
  const tightSequences = /\[[^\s\]]/.test(text) && !/\[ [^\s\]]/.test(text);
  if (isBlockNode(target)) {
    const value = inlineLoader ? schema : { type: 'InlineSchemaLoader', schema };
    let rendered = render(value, padded);
    if (padded && tightSequences) rendered = rendered.replace(/\[ ([^\n\]]*?) \]/g, '[$1]');
    return replaceNode(text, target as Node, rendered);
  }
  // No schema_loader at all: the document adds one (the rest of the file keeps its bytes but the stream's own map is re-printed).
  const inline = doc.createNode({ type: 'InlineSchemaLoader' }) as YAMLMap;
  inline.set('schema', schemaNode(doc, schema));
  if (inlineLoader) (loader as YAMLMap).set('schema', schemaNode(doc, schema));
  else streamNode.set('schema_loader', inline);
  return doc.toString({ flowCollectionPadding: padded, lineWidth: 0 });
}

/**
 * The schema file a stream's own JsonFileSchemaLoader names, when the studio can write it: a
 * literal `file_path` (a template or the default path would need the engine's evaluation).
 * Undefined when the stream's schema is not in a file; throws when it is but cannot be written.
 */
export function schemaFileOf(text: string, stream: string): string | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length) return undefined;
  const loader = findStream(doc, stream).get('schema_loader', true);
  if (!isMap(loader) || loader.get('type') !== 'JsonFileSchemaLoader') return undefined;
  const path = loader.get('file_path');
  if (typeof path !== 'string' || path.includes('{{')) {
    throw new ConfigError(
      `The schema of "${stream}" is in a file whose path is ${typeof path === 'string' ? 'a template' : 'the default one'}: give the JsonFileSchemaLoader a literal file_path, or an InlineSchemaLoader, to have the studio write the schema`,
    );
  }
  return path;
}

function isBlockNode(node: unknown): boolean {
  return isMap(node) && !node.flow && Array.isArray((node as Node).range);
}

function schemaNode(doc: Document, schema: Record<string, unknown>): YAMLMap {
  const node = doc.createNode(schema) as YAMLMap;
  // One line per property, as hand-written manifests (and the tutorial) have them.
  const properties = node.get('properties', true);
  if (isMap(properties)) for (const pair of properties.items) if (isMap(pair.value)) pair.value.flow = true;
  return node;
}

function render(value: Record<string, unknown>, padded: boolean): string {
  const doc = new Document();
  doc.contents = (
    value.schema && value.type === 'InlineSchemaLoader'
      ? (() => {
          const m = doc.createNode({ type: 'InlineSchemaLoader' }) as YAMLMap;
          m.set('schema', schemaNode(doc, value.schema as Record<string, unknown>));
          return m;
        })()
      : schemaNode(doc, value)
  ) as never;
  return doc.toString({ flowCollectionPadding: padded, lineWidth: 0 }).replace(/\n$/, '');
}

/** Replaces a block mapping's text, indenting the new lines like the old ones. */
function replaceNode(text: string, node: Node, replacement: string): string {
  const [start, valueEnd] = node.range!;
  const column = start - (text.lastIndexOf('\n', start - 1) + 1);
  const indented = replacement
    .split('\n')
    .map((line, i) => (i === 0 || line === '' ? line : ' '.repeat(column) + line))
    .join('\n');
  // A block map's value ends after its last line's newline; keep that newline.
  const end = text[valueEnd - 1] === '\n' ? valueEnd - 1 : valueEnd;
  return text.slice(0, start) + indented + text.slice(end);
}

function findStream(doc: Document, name: string): YAMLMap {
  const streams = doc.get('streams', true);
  if (isSeq(streams)) {
    for (const item of streams.items) if (isMap(item) && item.get('name') === name) return item;
  }
  throw new ConfigError(`No stream named "${name}" under streams: in the manifest (streams made from definitions or dynamic_streams cannot be edited here)`);
}
