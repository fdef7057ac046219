/**
 * Jinja template parser: a compact lexer + recursive-descent parser producing a small AST.
 * Written by hand (rather than reusing @huggingface/jinja's parser) so the grammar, precedence
 * and error messages follow Jinja2 exactly and the AST is shaped for our closure compiler.
 */

export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

export type Expr =
  | { k: 'lit'; v: unknown }
  | { k: 'name'; name: string }
  | { k: 'list'; items: Expr[] }
  | { k: 'dict'; entries: Array<[Expr, Expr]> }
  | { k: 'attr'; obj: Expr; name: string }
  | { k: 'item'; obj: Expr; key: Expr }
  | { k: 'slice'; obj: Expr; start?: Expr | undefined; stop?: Expr | undefined; step?: Expr | undefined }
  | { k: 'call'; fn: Expr; args: Expr[]; kwargs: Array<[string, Expr]> }
  | { k: 'filter'; name: string; value: Expr; args: Expr[]; kwargs: Array<[string, Expr]> }
  | { k: 'test'; name: string; value: Expr; args: Expr[]; negate: boolean }
  | { k: 'unary'; op: 'not' | '-' | '+'; value: Expr }
  | { k: 'bin'; op: string; left: Expr; right: Expr }
  | { k: 'and' | 'or'; left: Expr; right: Expr }
  | { k: 'compare'; first: Expr; ops: Array<[string, Expr]> }
  | { k: 'cond'; test: Expr; then: Expr; else?: Expr | undefined };

export type Node =
  | { k: 'text'; text: string }
  | { k: 'out'; expr: Expr }
  | { k: 'if'; branches: Array<[Expr, Node[]]>; else?: Node[] | undefined }
  | { k: 'for'; targets: string[]; iter: Expr; filter?: Expr | undefined; body: Node[]; else?: Node[] | undefined }
  | { k: 'set'; targets: string[]; value: Expr };

interface Token {
  t: 'name' | 'num' | 'str' | 'op' | 'text' | 'var_begin' | 'var_end' | 'block_begin' | 'block_end' | 'eof';
  v: string;
  value?: unknown;
}

const OPERATORS = ['**', '//', '==', '!=', '<=', '>=', '+', '-', '*', '/', '%', '~', '<', '>', '|', '.', ',', ':', '(', ')', '[', ']', '{', '}', '='];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  let stripNextText = false;
  const pushText = (text: string, stripEnd: boolean): void => {
    if (stripNextText) text = text.replace(/^\s+/, '');
    if (stripEnd) text = text.replace(/\s+$/, '');
    stripNextText = false;
    if (text) out.push({ t: 'text', v: text });
  };
  while (pos < src.length) {
    const open = src.slice(pos).search(/\{[{%#]/);
    if (open < 0) {
      pushText(src.slice(pos), false);
      break;
    }
    const start = pos + open;
    const kind = src[start + 1]!;
    const stripBefore = src[start + 2] === '-';
    pushText(src.slice(pos, start), stripBefore);
    pos = start + 2 + (stripBefore || src[start + 2] === '+' ? 1 : 0);
    if (kind === '#') {
      const end = src.indexOf('#}', pos);
      if (end < 0) throw new TemplateSyntaxError('Missing end of comment tag');
      stripNextText = src[end - 1] === '-';
      pos = end + 2;
      continue;
    }
    const closer = kind === '{' ? '}}' : '%}';
    out.push({ t: kind === '{' ? 'var_begin' : 'block_begin', v: kind });
    let depth = 0;
    for (;;) {
      while (pos < src.length && /\s/.test(src[pos]!)) pos++;
      if (pos >= src.length) throw new TemplateSyntaxError(`unexpected end of template, expected '${closer}'`);
      if (depth === 0 && (src.startsWith(closer, pos) || src.startsWith(`-${closer}`, pos) || src.startsWith(`+${closer}`, pos))) {
        if (src[pos] === '-') stripNextText = true;
        pos += src[pos] === '-' || src[pos] === '+' ? 3 : 2;
        out.push({ t: kind === '{' ? 'var_end' : 'block_end', v: closer });
        break;
      }
      const rest = src.slice(pos, pos + 64);
      let m: RegExpExecArray | null;
      if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
        out.push({ t: 'name', v: m[0] });
        pos += m[0].length;
      } else if ((m = /^(\d[\d_]*)?(\.\d[\d_]*)?([eE][+-]?\d+)?/.exec(src.slice(pos))) && m[0] && /\d/.test(m[0][0]!)) {
        // `x.0` is attribute access, not a float: only take the fraction after a digit.
        out.push({ t: 'num', v: m[0], value: Number(m[0].replace(/_/g, '')) });
        pos += m[0].length;
      } else if (src[pos] === "'" || src[pos] === '"') {
        const q = src[pos]!;
        let i = pos + 1;
        let s = '';
        while (i < src.length && src[i] !== q) {
          if (src[i] === '\\' && i + 1 < src.length) {
            const n = src[i + 1]!;
            s += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === '\\' || n === q || n === "'" || n === '"' ? n : `\\${n}`;
            i += 2;
          } else s += src[i++];
        }
        if (i >= src.length) throw new TemplateSyntaxError('unexpected end of string');
        out.push({ t: 'str', v: s, value: s });
        pos = i + 1;
      } else {
        const op = OPERATORS.find((o) => src.startsWith(o, pos));
        if (!op) throw new TemplateSyntaxError(`unexpected char '${src[pos]}'`);
        if (op === '(' || op === '[' || op === '{') depth++;
        if (op === ')' || op === ']' || op === '}') depth--;
        out.push({ t: 'op', v: op });
        pos += op.length;
      }
    }
  }
  // Jinja drops a single trailing newline of the template (keep_trailing_newline=False).
  const last = out[out.length - 1];
  if (last && last.t === 'text' && last.v.endsWith('\n')) {
    last.v = last.v.slice(0, last.v.endsWith('\r\n') ? -2 : -1);
    if (!last.v) out.pop();
  }
  out.push({ t: 'eof', v: '' });
  return out;
}

export function parseTemplate(src: string): Node[] {
  return new Parser(tokenize(src)).parseBody([]).nodes;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private get tok(): Token {
    return this.toks[this.i]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  private isOp(v: string): boolean {
    return this.tok.t === 'op' && this.tok.v === v;
  }
  private isName(v: string): boolean {
    return this.tok.t === 'name' && this.tok.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new TemplateSyntaxError(`expected token '${v}', got '${this.tok.v || this.tok.t}'`);
    this.i++;
  }
  private expect(t: Token['t']): Token {
    if (this.tok.t !== t) throw new TemplateSyntaxError(`expected ${t}, got '${this.tok.v || this.tok.t}'`);
    return this.next();
  }
  private expectName(v?: string): string {
    const t = this.expect('name');
    if (v !== undefined && t.v !== v) throw new TemplateSyntaxError(`expected '${v}', got '${t.v}'`);
    return t.v;
  }

  /** Parses nodes until one of the `end` block keywords (returned, not consumed past its name). */
  parseBody(end: string[]): { nodes: Node[]; endTag?: string } {
    const nodes: Node[] = [];
    for (;;) {
      const t = this.tok;
      if (t.t === 'eof') {
        if (end.length) throw new TemplateSyntaxError(`Unexpected end of template. Jinja was looking for: ${end.join(', ')}`);
        return { nodes };
      }
      if (t.t === 'text') {
        nodes.push({ k: 'text', text: t.v });
        this.i++;
      } else if (t.t === 'var_begin') {
        this.i++;
        const expr = this.parseTupleOrExpr();
        this.expect('var_end');
        nodes.push({ k: 'out', expr });
      } else if (t.t === 'block_begin') {
        this.i++;
        const kw = this.expectName();
        if (end.includes(kw)) return { nodes, endTag: kw };
        nodes.push(this.parseStatement(kw));
      } else throw new TemplateSyntaxError(`unexpected '${t.v}'`);
    }
  }

  private parseStatement(kw: string): Node {
    switch (kw) {
      case 'if': {
        const branches: Array<[Expr, Node[]]> = [];
        let test = this.parseExpr();
        let elseBody: Node[] | undefined;
        for (;;) {
          this.expect('block_end');
          const body = this.parseBody(['elif', 'else', 'endif']);
          branches.push([test, body.nodes]);
          if (body.endTag === 'elif') {
            test = this.parseExpr();
            continue;
          }
          if (body.endTag === 'else') {
            this.expect('block_end');
            elseBody = this.parseBody(['endif']).nodes;
          }
          this.expect('block_end');
          return { k: 'if', branches, else: elseBody };
        }
      }
      case 'for': {
        const targets = [this.expectName()];
        while (this.isOp(',')) {
          this.i++;
          targets.push(this.expectName());
        }
        this.expectName('in');
        const iter = this.parseExpr(true);
        let filter: Expr | undefined;
        if (this.isName('if')) {
          this.i++;
          filter = this.parseExpr();
        }
        this.expect('block_end');
        const body = this.parseBody(['else', 'endfor']);
        let elseBody: Node[] | undefined;
        if (body.endTag === 'else') {
          this.expect('block_end');
          elseBody = this.parseBody(['endfor']).nodes;
        }
        this.expect('block_end');
        return { k: 'for', targets, iter, filter, body: body.nodes, else: elseBody };
      }
      case 'set': {
        const targets = [this.expectName()];
        while (this.isOp(',')) {
          this.i++;
          targets.push(this.expectName());
        }
        this.expectOp('=');
        const value = this.parseTupleOrExpr();
        this.expect('block_end');
        return { k: 'set', targets, value };
      }
      default:
        throw new TemplateSyntaxError(`Encountered unknown tag '${kw}'.`);
    }
  }

  private parseTupleOrExpr(): Expr {
    const first = this.parseExpr();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.i++;
      if (this.tok.t === 'var_end' || this.tok.t === 'block_end') break;
      items.push(this.parseExpr());
    }
    return { k: 'list', items };
  }

  parseExpr(noCond = false): Expr {
    const expr = this.parseOr();
    if (noCond || !this.isName('if')) return expr;
    this.i++;
    const test = this.parseOr();
    let elseExpr: Expr | undefined;
    if (this.isName('else')) {
      this.i++;
      elseExpr = this.parseExpr();
    }
    return { k: 'cond', test, then: expr, else: elseExpr };
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isName('or')) {
      this.i++;
      left = { k: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isName('and')) {
      this.i++;
      left = { k: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isName('not')) {
      this.i++;
      return { k: 'unary', op: 'not', value: this.parseNot() };
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const first = this.parseMath1();
    const ops: Array<[string, Expr]> = [];
    for (;;) {
      const t = this.tok;
      if (t.t === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.v)) {
        this.i++;
        ops.push([t.v, this.parseMath1()]);
      } else if (this.isName('in')) {
        this.i++;
        ops.push(['in', this.parseMath1()]);
      } else if (this.isName('not') && this.toks[this.i + 1]?.t === 'name' && this.toks[this.i + 1]?.v === 'in') {
        this.i += 2;
        ops.push(['notin', this.parseMath1()]);
      } else break;
    }
    return ops.length ? { k: 'compare', first, ops } : first;
  }

  private parseMath1(): Expr {
    let left = this.parseConcat();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().v;
      left = { k: 'bin', op, left, right: this.parseConcat() };
    }
    return left;
  }

  private parseConcat(): Expr {
    let left = this.parseMath2();
    while (this.isOp('~')) {
      this.i++;
      left = { k: 'bin', op: '~', left, right: this.parseMath2() };
    }
    return left;
  }

  private parseMath2(): Expr {
    let left = this.parsePow();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const op = this.next().v;
      left = { k: 'bin', op, left, right: this.parsePow() };
    }
    return left;
  }

  private parsePow(): Expr {
    let left = this.parseUnary();
    while (this.isOp('**')) {
      this.i++;
      left = { k: 'bin', op: '**', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(withFilter = true): Expr {
    let node: Expr;
    if (this.isOp('-') || this.isOp('+')) {
      const op = this.next().v as '-' | '+';
      node = { k: 'unary', op, value: this.parseUnary(false) };
    } else {
      node = this.parsePostfix(this.parsePrimary());
    }
    return withFilter ? this.parseFilterExpr(node) : node;
  }

  private parsePrimary(): Expr {
    const t = this.next();
    switch (t.t) {
      case 'name':
        switch (t.v) {
          case 'True':
          case 'true':
            return { k: 'lit', v: true };
          case 'False':
          case 'false':
            return { k: 'lit', v: false };
          case 'None':
          case 'none':
            return { k: 'lit', v: null };
        }
        return { k: 'name', name: t.v };
      case 'num':
        return { k: 'lit', v: t.value };
      case 'str': {
        let s = t.v;
        while (this.tok.t === 'str') s += this.next().v;
        return { k: 'lit', v: s };
      }
      case 'op':
        if (t.v === '(') {
          if (this.isOp(')')) {
            this.i++;
            return { k: 'list', items: [] };
          }
          const first = this.parseExpr();
          if (this.isOp(')')) {
            this.i++;
            return first;
          }
          const items = [first];
          while (this.isOp(',')) {
            this.i++;
            if (this.isOp(')')) break;
            items.push(this.parseExpr());
          }
          this.expectOp(')');
          return { k: 'list', items };
        }
        if (t.v === '[') {
          const items: Expr[] = [];
          while (!this.isOp(']')) {
            items.push(this.parseExpr());
            if (!this.isOp(',')) break;
            this.i++;
          }
          this.expectOp(']');
          return { k: 'list', items };
        }
        if (t.v === '{') {
          const entries: Array<[Expr, Expr]> = [];
          while (!this.isOp('}')) {
            const key = this.parseExpr();
            this.expectOp(':');
            entries.push([key, this.parseExpr()]);
            if (!this.isOp(',')) break;
            this.i++;
          }
          this.expectOp('}');
          return { k: 'dict', entries };
        }
    }
    throw new TemplateSyntaxError(`unexpected '${t.v || t.t}'`);
  }

  private parsePostfix(node: Expr): Expr {
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const t = this.next();
        if (t.t === 'name') node = { k: 'attr', obj: node, name: t.v };
        else if (t.t === 'num' && Number.isInteger(t.value)) node = { k: 'item', obj: node, key: { k: 'lit', v: t.value } };
        else throw new TemplateSyntaxError('expected name or number after dot');
      } else if (this.isOp('[')) {
        this.i++;
        node = this.parseSubscript(node);
      } else if (this.isOp('(')) {
        node = this.parseCall(node);
      } else return node;
    }
  }

  private parseSubscript(obj: Expr): Expr {
    const parts: Array<Expr | undefined> = [undefined];
    let isSlice = false;
    while (!this.isOp(']')) {
      if (this.isOp(':')) {
        this.i++;
        isSlice = true;
        parts.push(undefined);
        continue;
      }
      parts[parts.length - 1] = this.parseExpr();
    }
    this.expectOp(']');
    if (!isSlice) {
      if (!parts[0]) throw new TemplateSyntaxError('expected subscript expression');
      return { k: 'item', obj, key: parts[0] };
    }
    return { k: 'slice', obj, start: parts[0], stop: parts[1], step: parts[2] };
  }

  private parseArgs(): { args: Expr[]; kwargs: Array<[string, Expr]> } {
    this.expectOp('(');
    const args: Expr[] = [];
    const kwargs: Array<[string, Expr]> = [];
    while (!this.isOp(')')) {
      if (this.tok.t === 'name' && this.toks[this.i + 1]?.t === 'op' && this.toks[this.i + 1]?.v === '=') {
        const name = this.next().v;
        this.i++;
        kwargs.push([name, this.parseExpr()]);
      } else {
        if (kwargs.length) throw new TemplateSyntaxError('positional argument follows keyword argument');
        args.push(this.parseExpr());
      }
      if (!this.isOp(',')) break;
      this.i++;
    }
    this.expectOp(')');
    return { args, kwargs };
  }

  private parseCall(fn: Expr): Expr {
    const { args, kwargs } = this.parseArgs();
    return { k: 'call', fn, args, kwargs };
  }

  private parseFilterExpr(node: Expr): Expr {
    for (;;) {
      if (this.isOp('|')) {
        this.i++;
        let name = this.expectName();
        while (this.isOp('.')) {
          this.i++;
          name += `.${this.expectName()}`;
        }
        const { args, kwargs } = this.isOp('(') ? this.parseArgs() : { args: [], kwargs: [] };
        node = { k: 'filter', name, value: node, args, kwargs };
      } else if (this.isName('is')) {
        this.i++;
        let negate = false;
        if (this.isName('not')) {
          this.i++;
          negate = true;
        }
        const name = this.expectName();
        let args: Expr[] = [];
        if (this.isOp('(')) args = this.parseArgs().args;
        else if (['num', 'str'].includes(this.tok.t) || (this.tok.t === 'name' && !['and', 'or', 'else', 'if', 'in', 'is', 'not'].includes(this.tok.v))) {
          args = [this.parsePostfix(this.parsePrimary())];
        }
        node = { k: 'test', name, value: node, args, negate };
      } else if (this.isOp('(')) {
        node = this.parseCall(node);
      } else return node;
    }
  }
}
