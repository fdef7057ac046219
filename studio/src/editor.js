/** The manifest editor: CodeMirror 6 with YAML, inline problems from the server's validator, and completion from the manifest schema. */
import { EditorView, basicSetup } from 'codemirror';
import { keymap } from '@codemirror/view';
import { EditorSelection } from '@codemirror/state';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter } from '@codemirror/lint';
import { autocompletion } from '@codemirror/autocomplete';

export function createEditor(parent, { text, validate, onChange, onSave, editorSchema }) {
  const lint = linter(
    async (view) => {
      const doc = view.state.doc;
      const problems = await validate(doc.toString());
      return problems
        .filter((p) => p.line !== undefined)
        .map((p) => {
          const { from, to } = rangeOf(doc, p.line, p.column);
          return { from, to, severity: p.severity === 'warning' ? 'warning' : 'error', message: p.path ? `${p.message} (${p.path})` : p.message };
        });
    },
    { delay: 300 },
  );
  const view = new EditorView({
    parent,
    doc: text,
    extensions: [
      basicSetup,
      yaml(),
      lintGutter(),
      lint,
      autocompletion({ override: [completeFrom(editorSchema)] }),
      keymap.of([{ key: 'Mod-s', preventDefault: true, run: () => (onSave(), true) }]),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onChange(u.state.doc.toString());
      }),
    ],
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(next) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } });
    },
    jumpTo(line, column = 1) {
      const doc = view.state.doc;
      const { from } = rangeOf(doc, line, column);
      view.dispatch({ selection: EditorSelection.cursor(from), effects: EditorView.scrollIntoView(from, { y: 'center' }) });
      view.focus();
    },
    cursorLine: () => view.state.doc.lineAt(view.state.selection.main.head).number,
  };
}

/** line:column (1-based) → the token there: up to the end of the word or line. */
export function rangeOf(doc, line, column = 1) {
  const l = doc.line(Math.min(Math.max(1, line), doc.lines));
  const from = Math.min(l.from + Math.max(0, (column ?? 1) - 1), l.to);
  const rest = doc.sliceString(from, l.to);
  const word = /^[^\s,\]}]+/.exec(rest);
  const to = word ? from + word[0].length : l.to > from ? l.to : from;
  return { from, to };
}

/**
 * Completion: component type names after `type:`, and the fields of the component a key belongs
 * to (found from its sibling `type:` line), with the schema's descriptions.
 */
function completeFrom(editorSchema) {
  return async (context) => {
    const schema = await editorSchema();
    if (!schema) return null;
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const typeValue = /^(\s*(?:-\s+)?type:\s*)(\w*)$/.exec(before);
    if (typeValue) {
      return { from: context.pos - typeValue[2].length, options: schema.types.map((t) => ({ label: t, type: 'class', info: schema.schema.definitions?.[t]?.description })) };
    }
    const key = /^(\s*)(-\s+)?(\w*)$/.exec(before);
    if (!key || (!context.explicit && key[3] === '')) return null;
    const indent = key[1].length + (key[2] ? key[2].length : 0);
    const component = indent === 0 ? 'DeclarativeSource' : siblingType(context.state.doc, line.number, indent);
    const props = component ? schema.schema.definitions?.[component]?.properties : undefined;
    if (!props) return null;
    return {
      from: context.pos - key[3].length,
      options: Object.entries(props).map(([name, p]) => ({ label: name, apply: `${name}: `, type: 'property', info: p?.description })),
    };
  };
}

/** The `type:` of the mapping whose keys sit at `indent` around `lineNo`. */
function siblingType(doc, lineNo, indent) {
  const at = (n) => {
    const text = doc.line(n).text;
    const m = /^(\s*)(-\s+)?(\S.*)?$/.exec(text);
    const keyIndent = m[1].length + (m[2] ? m[2].length : 0);
    return { keyIndent, startsItem: Boolean(m[2]), body: m[3] ?? '', blank: !m[3] };
  };
  for (const dir of [-1, 1]) {
    for (let n = lineNo + dir; n >= 1 && n <= doc.lines; n += dir) {
      const l = at(n);
      if (l.blank) continue;
      if (l.keyIndent < indent) break;
      if (l.keyIndent === indent) {
        const t = /^type:\s*(\w+)/.exec(l.body);
        if (t) return t[1];
        if (dir === -1 && l.startsItem) break;
      }
    }
  }
  return undefined;
}
