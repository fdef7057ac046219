/**
 * Why a template came out empty: `{{ response.nextCursor }}` when the field is `next_cursor`
 * stops pagination after one page, `{{ stream_partition.projectid }}` sends `/projects//tasks`,
 * and neither fails. This finds the first variable path in a template that leads to a key the
 * data does not have, and lists the keys that were there, for a WARN a person can act on.
 */
import { distance } from 'fastest-levenshtein';
import type { Obj } from '../types.js';

/** `name.key`, `name['key']`, `name.get('key')` chains inside `{{ }}`; a method call (`.strip()`) ends a chain. */
const CHAIN =
  /\b([A-Za-z_]\w*)((?:\s*\.\s*get\(\s*(?:'[^']*'|"[^"]*")\s*(?:,[^)]*)?\)|\s*\.\s*[A-Za-z_]\w*(?!\w|\s*\()|\s*\[\s*(?:'[^']*'|"[^"]*"|\d+)\s*\])+)/g;
const STEP = /\.\s*get\(\s*(?:'([^']*)'|"([^"]*)")\s*(?:,[^)]*)?\)|\.\s*([A-Za-z_]\w*)(?!\w|\s*\()|\[\s*(?:'([^']*)'|"([^"]*)"|(\d+))\s*\]/g;
/** What a variable is called in templates → where it sits in the evaluation context. */
const ALIASES: Record<string, string> = { stream_partition: 'stream_slice', stream_interval: 'stream_slice' };
const MAX_KEYS = 15;

interface Chain {
  text: string;
  root: string;
  keys: string[];
}

const chainsOf = new Map<string, Chain[]>();

function chains(template: string): Chain[] {
  let found = chainsOf.get(template);
  if (found) return found;
  found = [];
  for (const block of template.matchAll(/\{\{([\s\S]*?)\}\}/g)) {
    for (const m of block[1]!.matchAll(CHAIN)) {
      const keys = [...m[2]!.matchAll(STEP)].map((s) => s[1] ?? s[2] ?? s[3] ?? s[4] ?? s[5] ?? s[6]!);
      found.push({ text: m[0].replace(/\s+/g, ''), root: m[1]!, keys });
    }
  }
  if (chainsOf.size < 1000) chainsOf.set(template, found);
  return found;
}

/**
 * The hint for the first variable path of `template` that reaches a missing key in `ctx`, e.g.
 * `response.nextCursor is undefined: response has no key "nextCursor" (it has: data, next_cursor); did you mean next_cursor?`.
 * Undefined when every path resolves (a value that is present but empty is the data's answer).
 */
export function emptyValueHint(template: unknown, ctx: Obj): string | undefined {
  if (typeof template !== 'string' || !template.includes('{{')) return undefined;
  for (const chain of chains(template)) {
    const rootKey = ALIASES[chain.root] ?? chain.root;
    if (!(rootKey in ctx)) continue;
    let value: unknown = ctx[rootKey];
    let where = chain.root;
    for (const key of chain.keys) {
      if (value === null || typeof value !== 'object') break;
      const holder = value as Obj;
      if (!Object.hasOwn(holder, key)) {
        if (Array.isArray(holder)) break;
        return `${chain.text} is undefined: ${missingKeyHint(where, holder, key)}`;
      }
      value = holder[key];
      where = `${where}.${key}`;
    }
  }
  return undefined;
}

/** `where has no key "key" (where has: a, b); did you mean a?` */
export function missingKeyHint(where: string, holder: Obj, key: string): string {
  const available = Object.keys(holder);
  const squash = (k: string): string => k.replace(/[_-]/g, '').toLowerCase();
  const close = available.filter((k) => distance(k.toLowerCase(), key.toLowerCase()) <= Math.max(1, Math.floor(key.length / 3)) || squash(k) === squash(key));
  const shown = available.length > MAX_KEYS ? `${available.slice(0, MAX_KEYS).join(', ')}, …` : available.join(', ');
  return `${where} has no key "${key}" (${where} has: ${shown || 'nothing'})${close.length ? `; did you mean ${close.slice(0, 3).join(', ')}?` : ''}`;
}
