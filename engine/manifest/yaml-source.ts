/**
 * YAML text → plain JSON-like values, remembering the position of every mapping, sequence and
 * field (see locations.ts). Parsed as YAML 1.1 because Airbyte reads manifests with PyYAML
 * (`yes`/`no` are booleans, `<<` merge keys work). A key repeated in one mapping keeps its last
 * value, as PyYAML does, and is reported in `warnings` at the repeated key.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ManifestError, type ManifestProblem } from '../errors/manifold-error.js';
import { setOrigin, type Position } from './locations.js';

export function parseManifestYaml(text: string, file?: string, warnings: ManifestProblem[] = []): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, version: '1.1', prettyErrors: false, uniqueKeys: false });
  const at = (offset: number | undefined): Position => {
    const p = lineCounter.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    const problems: ManifestProblem[] = doc.errors.map((e) => ({
      message: `YAML syntax error: ${firstLine(e.message)}`,
      location: { file, ...at(e.pos[0]) },
    }));
    throw new ManifestError(problems, file);
  }
  return toPlain(doc.contents as Node | null, { doc, file, at, warnings }, new Set());
}

interface Walk {
  doc: Document;
  file: string | undefined;
  at: (offset: number | undefined) => Position;
  warnings: ManifestProblem[];
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function toPlain(node: Node | null | undefined, walk: Walk, aliasStack: Set<Node>): unknown {
  const { doc, file, at } = walk;
  if (!node) return null;
  if (isScalar(node)) return node.value;
  if (isAlias(node)) {
    const target = node.resolve(doc) as Node | undefined;
    if (!target || aliasStack.has(target)) return null;
    aliasStack.add(target);
    const value = toPlain(target, walk, aliasStack);
    aliasStack.delete(target);
    return value;
  }
  if (isSeq(node)) {
    const out: unknown[] = [];
    const fields = new Map<string | number, Position>();
    node.items.forEach((item, i) => {
      fields.set(i, at((item as Node | null)?.range?.[0] ?? node.range?.[0]));
      out.push(toPlain(item as Node | null, walk, aliasStack));
    });
    setOrigin(out, { file, ...at(node.range?.[0]), fields });
    return out;
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const fields = new Map<string | number, Position>();
    const values = new Map<string | number, Position>();
    const merged: Array<Record<string, unknown>> = [];
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const keyText = isScalar(keyNode) ? keyName(keyNode) : String(toPlain(keyNode, walk, aliasStack));
      const valueNode = pair.value as Node | null;
      if (keyText === '<<' && isScalar(keyNode) && keyNode.source === '<<') {
        const sources = isSeq(valueNode) ? valueNode.items : [valueNode];
        for (const s of sources) {
          const v = toPlain(s as Node | null, walk, aliasStack);
          if (v && typeof v === 'object' && !Array.isArray(v)) merged.push(v as Record<string, unknown>);
        }
        continue;
      }
      const keyAt = at(keyNode?.range?.[0]);
      const earlier = fields.get(keyText);
      if (earlier) {
        walk.warnings.push({
          message: `duplicate key "${keyText}" (also at line ${earlier.line}, column ${earlier.column}); the last value is used`,
          location: { file, ...keyAt },
        });
      }
      fields.set(keyText, keyAt);
      if (valueNode?.range) values.set(keyText, at(valueNode.range[0]));
      else values.delete(keyText);
      out[keyText] = toPlain(valueNode, walk, aliasStack);
    }
    // Explicit keys win over merged ones, and earlier merge sources win over later ones.
    for (const source of merged) {
      for (const [k, v] of Object.entries(source)) if (!(k in out)) out[k] = v;
    }
    setOrigin(out, { file, ...at(node.range?.[0]), fields, values });
    return out;
  }
  return null;
}

/** Keys are strings in JSON; keep the key as written when YAML 1.1 would turn it into a boolean. */
function keyName(key: { value: unknown; source?: string }): string {
  if (typeof key.value === 'boolean' && key.source) return key.source;
  return String(key.value);
}
