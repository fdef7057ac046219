/**
 * YAML text → plain JSON-like values, remembering the position of every mapping, sequence and
 * field (see locations.ts). Parsed as YAML 1.1 because Airbyte reads manifests with PyYAML
 * (`yes`/`no` are booleans, `<<` merge keys work). A key repeated in one mapping keeps its last
 * value, as PyYAML does, and is reported in `warnings` at the repeated key.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { ManifestError, type ManifestProblem } from '../errors/manifold-error.js';
import { DEFAULT_LIMITS, LimitExceededError, type Limits } from '../limits/limits.js';
import { setOrigin, type Position } from './locations.js';

type YamlLimits = Pick<Limits, 'maxManifestDepth' | 'maxManifestNodes' | 'maxYamlAliases'>;

export function parseManifestYaml(text: string, file?: string, limits: YamlLimits = DEFAULT_LIMITS, warnings: ManifestProblem[] = []): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, version: '1.1', prettyErrors: false, uniqueKeys: false });
  const at = (offset: number | undefined): Position => {
    const p = lineCounter.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    const problems: ManifestProblem[] = doc.errors.map((e) => ({
      // The parser itself recurses per level: past ~900 it reports a stack overflow at the spot.
      message: /Maximum call stack size exceeded/.test(e.message)
        ? new LimitExceededError('maxManifestDepth', limits.maxManifestDepth, 'the manifest nests too deep for the YAML parser').message
        : `YAML syntax error: ${firstLine(e.message)}`,
      location: { file, ...at(e.pos[0]) },
    }));
    throw new ManifestError(problems, file);
  }
  checkAliases(doc, file, at, limits);
  const budget: Budget = { limits, nodes: 0, file, at };
  return toPlain(doc.contents as Node | null, { doc, file, at, warnings, budget }, new Set(), 1);
}

interface Walk {
  doc: Document;
  file: string | undefined;
  at: (offset: number | undefined) => Position;
  warnings: ManifestProblem[];
  budget: Budget;
}

interface Budget {
  limits: YamlLimits;
  nodes: number;
  file: string | undefined;
  at: (offset: number | undefined) => Position;
}

/**
 * Alias bombs ("billion laughs": each anchor aliasing the previous one ten times) are measured by
 * the yaml library's own maxAliasCount check, which resolves aliases by reference (no copies).
 */
function checkAliases(doc: Document, file: string | undefined, at: (offset: number | undefined) => Position, limits: YamlLimits): void {
  let first: Node | undefined;
  visit(doc, {
    Alias(_key, node) {
      first = node as unknown as Node;
      return visit.BREAK;
    },
  });
  if (!first) return;
  try {
    doc.toJS({ maxAliasCount: limits.maxYamlAliases });
  } catch (e) {
    if (!(e instanceof ReferenceError) || !/alias count/i.test(e.message)) return;
    const message = new LimitExceededError('maxYamlAliases', limits.maxYamlAliases, 'YAML aliases expand the manifest too much (an alias of an alias of …)')
      .message;
    throw new ManifestError([{ message, location: { file, ...at(first.range?.[0]) } }], file);
  }
}

function checkBudget(node: Node, budget: Budget, depth: number): void {
  const { limits } = budget;
  if (depth > limits.maxManifestDepth) {
    const message = new LimitExceededError('maxManifestDepth', limits.maxManifestDepth, `the manifest nests more than ${limits.maxManifestDepth} levels deep`)
      .message;
    throw new ManifestError([{ message, location: { file: budget.file, ...budget.at(node.range?.[0]) } }], budget.file);
  }
  if (++budget.nodes > limits.maxManifestNodes) {
    const message = new LimitExceededError(
      'maxManifestNodes',
      limits.maxManifestNodes,
      `the manifest has more than ${limits.maxManifestNodes} nodes once its YAML aliases are expanded`,
    ).message;
    throw new ManifestError([{ message, location: { file: budget.file, ...budget.at(node.range?.[0]) } }], budget.file);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function toPlain(node: Node | null | undefined, walk: Walk, aliasStack: Set<Node>, depth: number): unknown {
  const { doc, file, at } = walk;
  if (!node) return null;
  checkBudget(node, walk.budget, depth);
  if (isScalar(node)) return node.value;
  if (isAlias(node)) {
    const target = node.resolve(doc) as Node | undefined;
    if (!target || aliasStack.has(target)) return null;
    aliasStack.add(target);
    const value = toPlain(target, walk, aliasStack, depth);
    aliasStack.delete(target);
    return value;
  }
  if (isSeq(node)) {
    const out: unknown[] = [];
    const fields = new Map<string | number, Position>();
    node.items.forEach((item, i) => {
      fields.set(i, at((item as Node | null)?.range?.[0] ?? node.range?.[0]));
      out.push(toPlain(item as Node | null, walk, aliasStack, depth + 1));
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
      const keyText = isScalar(keyNode) ? keyName(keyNode) : String(toPlain(keyNode, walk, aliasStack, depth + 1));
      const valueNode = pair.value as Node | null;
      if (keyText === '<<' && isScalar(keyNode) && keyNode.source === '<<') {
        const sources = isSeq(valueNode) ? valueNode.items : [valueNode];
        for (const s of sources) {
          const v = toPlain(s as Node | null, walk, aliasStack, depth);
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
      out[keyText] = toPlain(valueNode, walk, aliasStack, depth + 1);
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
