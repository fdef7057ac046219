/**
 * Python `ast.literal_eval` over rendered template text: numbers, strings, True/False/None,
 * lists, tuples (as arrays) and dicts. Anything else (names, sets, complex, bytes, leading
 * zeros) is "not a literal" and the text stays a string, as in Airbyte.
 * Integers beyond 2^53 also stay strings: JS numbers would silently corrupt ids and cursors.
 */

export const NOT_LITERAL: unique symbol = Symbol('not a literal');

const QUICK_REJECT = /^[A-Za-z_$&@!?%^`|/\\<>=~;:,.*]/;

function startsLikeWord(text: string): boolean {
  const c = text.charCodeAt(0);
  const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
  if (!letter) return false;
  const next = text.charCodeAt(1);
  // r'..' / u'..' string prefixes and the three keyword literals are the only word-like literals.
  if (next === 39 || next === 34) return false;
  return !(c === 84 || c === 70 || c === 78);
}

export function literalEval(text: string): unknown {
  if (startsLikeWord(text)) return NOT_LITERAL;
  let s = text.charCodeAt(0) === 32 || text.charCodeAt(0) === 9 ? text.replace(/^[ \t]+/, '') : text;
  if (s === '') return NOT_LITERAL;
  const first = s[0]!;
  // Most rendered values are plain words, dates or URLs: reject them without parsing.
  if (QUICK_REJECT.test(first) && !/^(True|False|None)\s*$/.test(s) && !/^[rRuU]?['"]/.test(s) && !/^\.\d/.test(s)) return NOT_LITERAL;
  if (first === '\n' || first === '\r') {
    s = s.replace(/^(?:[ \t]*(?:#[^\n]*)?\r?\n)+/, '');
    if (/^[ \t]/.test(s)) return NOT_LITERAL;
  }
  try {
    const p = new LiteralParser(s);
    const v = p.parseTop();
    return v;
  } catch {
    return NOT_LITERAL;
  }
}

class Fail extends Error {}

class LiteralParser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  parseTop(): unknown {
    const first = this.parseExpr();
    this.ws();
    if (this.peek() === ',') {
      const items = [first];
      while (this.eat(',')) {
        this.ws();
        if (this.pos >= this.s.length) break;
        items.push(this.parseExpr());
        this.ws();
      }
      this.end();
      return items;
    }
    this.end();
    return first;
  }

  private end(): void {
    this.ws();
    if (this.pos < this.s.length) throw new Fail();
  }

  private peek(): string | undefined {
    return this.s[this.pos];
  }

  private eat(ch: string): boolean {
    if (this.s[this.pos] === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  private ws(): void {
    for (;;) {
      const c = this.s[this.pos];
      if (c === ' ' || c === '\t' || c === '\f') this.pos++;
      else if (c === '\\' && this.s[this.pos + 1] === '\n') this.pos += 2;
      else if ((c === '\n' || c === '\r') && this.depth > 0) this.pos++;
      else if (c === '#') {
        while (this.pos < this.s.length && this.s[this.pos] !== '\n') this.pos++;
      } else if ((c === '\n' || c === '\r') && this.depth === 0) {
        // A newline at top level ends the expression: only blank lines may follow.
        if (/^[\s]*$/.test(this.s.slice(this.pos))) this.pos = this.s.length;
        return;
      } else return;
    }
  }

  private parseExpr(): unknown {
    this.ws();
    const c = this.peek();
    if (c === '-' || c === '+') {
      this.pos++;
      this.ws();
      const n = this.parseExpr();
      if (typeof n !== 'number') throw new Fail();
      return c === '-' ? -n : n;
    }
    if (c === '[') return this.parseSeq('[', ']');
    if (c === '(') return this.parseParen();
    if (c === '{') return this.parseDict();
    if (c === "'" || c === '"') return this.parseStrings();
    if (c !== undefined && /[rRuU]/.test(c) && /['"]/.test(this.s[this.pos + 1] ?? '')) return this.parseStrings();
    const word = /^[A-Za-z_]\w*/.exec(this.s.slice(this.pos, this.pos + 8));
    if (word) {
      this.pos += word[0].length;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      if (word[0] === 'None') return null;
      throw new Fail();
    }
    return this.parseNumber();
  }

  private parseNumber(): number | string {
    const rest = this.s.slice(this.pos);
    const m = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d[\d_]*)?|\d[\d_]*\.)/.exec(rest);
    if (!m || m[0] === '') throw new Fail();
    const raw = m[0];
    this.pos += raw.length;
    if (/^[jJ\w]/.test(this.s[this.pos] ?? '')) throw new Fail();
    if (raw.includes('__') || raw.endsWith('_') || /_\.|\._/.test(raw)) throw new Fail();
    const clean = raw.replace(/_/g, '');
    if (/^0[xXoObB]/.test(clean)) return Number(clean);
    const isInt = /^\d+$/.test(clean);
    if (isInt && clean.length > 1 && clean.startsWith('0') && /[1-9]/.test(clean)) throw new Fail();
    const n = Number(clean);
    if (isInt && !Number.isSafeInteger(n)) throw new Fail();
    return n;
  }

  private parseStrings(): string {
    let out = this.parseString();
    for (;;) {
      const save = this.pos;
      this.ws();
      const c = this.peek();
      if (c === "'" || c === '"' || (c !== undefined && /[rRuU]/.test(c) && /['"]/.test(this.s[this.pos + 1] ?? ''))) out += this.parseString();
      else {
        this.pos = save;
        return out;
      }
    }
  }

  private parseString(): string {
    let raw = false;
    const p = this.peek()!;
    if (p === 'r' || p === 'R') {
      raw = true;
      this.pos++;
    } else if (p === 'u' || p === 'U') this.pos++;
    const q = this.s[this.pos]!;
    const triple = this.s.startsWith(q + q + q, this.pos);
    const close = triple ? q + q + q : q;
    this.pos += close.length;
    let out = '';
    for (;;) {
      if (this.pos >= this.s.length) throw new Fail();
      if (this.s.startsWith(close, this.pos)) {
        this.pos += close.length;
        return out;
      }
      const c = this.s[this.pos]!;
      if (c === '\n' && !triple) throw new Fail();
      if (c === '\\') {
        const n = this.s[this.pos + 1];
        if (n === undefined) throw new Fail();
        if (raw) {
          out += c + n;
          this.pos += 2;
          continue;
        }
        this.pos += 2;
        switch (n) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case '0':
            out += '\0';
            break;
          case 'a':
            out += '\x07';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'v':
            out += '\v';
            break;
          case '\\':
            out += '\\';
            break;
          case "'":
            out += "'";
            break;
          case '"':
            out += '"';
            break;
          case '\n':
            break;
          case 'x':
            out += String.fromCharCode(parseInt(this.take(2), 16));
            break;
          case 'u':
            out += String.fromCharCode(parseInt(this.take(4), 16));
            break;
          case 'U':
            out += String.fromCodePoint(parseInt(this.take(8), 16));
            break;
          default:
            out += `\\${n}`;
        }
        continue;
      }
      out += c;
      this.pos++;
    }
  }

  private take(n: number): string {
    const t = this.s.slice(this.pos, this.pos + n);
    if (t.length !== n || !/^[0-9a-fA-F]+$/.test(t)) throw new Fail();
    this.pos += n;
    return t;
  }

  private parseSeq(open: string, close: string): unknown[] {
    this.pos++;
    this.depth++;
    const items: unknown[] = [];
    this.ws();
    while (!this.eat(close)) {
      items.push(this.parseExpr());
      this.ws();
      if (this.eat(',')) {
        this.ws();
        continue;
      }
      this.ws();
      if (!this.eat(close)) throw new Fail();
      break;
    }
    void open;
    this.depth--;
    return items;
  }

  private parseParen(): unknown {
    this.pos++;
    this.depth++;
    this.ws();
    if (this.eat(')')) {
      this.depth--;
      return [];
    }
    const first = this.parseExpr();
    this.ws();
    if (this.eat(')')) {
      this.depth--;
      return first;
    }
    const items = [first];
    while (this.eat(',')) {
      this.ws();
      if (this.peek() === ')') break;
      items.push(this.parseExpr());
      this.ws();
    }
    if (!this.eat(')')) throw new Fail();
    this.depth--;
    return items;
  }

  private parseDict(): Record<string, unknown> {
    this.pos++;
    this.depth++;
    const out: Record<string, unknown> = {};
    this.ws();
    while (!this.eat('}')) {
      const key = this.parseExpr();
      this.ws();
      if (!this.eat(':')) throw new Fail(); // sets are not representable
      if (key !== null && typeof key === 'object') throw new Fail();
      const value = this.parseExpr();
      const name = key === true ? 'True' : key === false ? 'False' : key === null ? 'None' : String(key);
      // A rendered dict may carry API data: `__proto__` is a key like any other, not the prototype.
      Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
      this.ws();
      if (this.eat(',')) {
        this.ws();
        continue;
      }
      if (!this.eat('}')) throw new Fail();
      break;
    }
    this.depth--;
    return out;
  }
}
