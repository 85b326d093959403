// The job editor: CodeMirror 6 with JSON-with-comments highlighting, completion and hover help
// from the job schema, and lint markers from the server's `ferry check`.
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, hoverTooltip }
  from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching } from "@codemirror/language";
import { autocompletion, completionKeymap } from "@codemirror/autocomplete";
import { linter, lintGutter, lintKeymap, forceLinting } from "@codemirror/lint";
import { jsonc, pathAt, parseLenient } from "./jsonc.js";
import { schemaAt, describe } from "./schema.js";

// hooks: {schema(): object|null, lint(text): Promise<[{line,col,severity,message}]>,
//         changed(): void}
export function createEditor(parent, hooks) {
  let lastDoc = null;
  const docOf = (text) => {
    const d = parseLenient(text);
    if (d) lastDoc = d;
    return lastDoc || {};
  };

  function complete(context) {
    const schema = hooks.schema();
    if (!schema) return null;
    const text = context.state.doc.toString();
    const at = pathAt(text, context.pos);
    if (!at || !at.container) return null;
    const word = context.matchBefore(/"?[\w$.-]*/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const doc = docOf(text);
    if (at.atKey) {
      const s = schemaAt(schema, doc, at.path);
      if (!s || !s.properties) return null;
      return {
        from: word.from,
        options: Object.entries(s.properties).map(([k, p]) => ({
          label: `"${k}"`, type: "property", info: describe(p) || undefined,
        })),
        validFor: /^"?[\w$.-]*"?$/,
      };
    }
    const s = schemaAt(schema, doc, [...at.path, at.key]);
    if (!s || !s.enum) return null;
    return {
      from: word.from,
      options: s.enum.map((v) => ({ label: JSON.stringify(v), type: "enum" })),
    };
  }

  const hover = hoverTooltip((view, pos) => {
    const schema = hooks.schema();
    if (!schema) return null;
    const line = view.state.doc.lineAt(pos);
    const re = /"((?:[^"\\]|\\.)*)"\s*:/g;
    let m;
    while ((m = re.exec(line.text))) {
      const from = line.from + m.index;
      const to = from + m[1].length + 2;
      if (pos < from || pos > to) continue;
      const text = view.state.doc.toString();
      const at = pathAt(text, from);
      if (!at) return null;
      const s = schemaAt(schema, docOf(text), [...at.path, m[1]]);
      const help = describe(s);
      if (!help) return null;
      return {
        pos: from, end: to, above: true,
        create() {
          const dom = document.createElement("div");
          dom.className = "cm-ferry-help";
          dom.textContent = `${m[1]}: ${help}`;
          return { dom };
        },
      };
    }
    return null;
  });

  const lint = linter(async (view) => {
    const text = view.state.doc.toString();
    const found = await hooks.lint(text);
    if (view.state.doc.toString() !== text) return [];
    const doc = view.state.doc;
    return found.map((d) => {
      const line = doc.line(Math.min(Math.max(d.line, 1), doc.lines));
      const from = Math.min(line.from + Math.max(d.col - 1, 0), line.to);
      const rest = doc.sliceString(from, line.to);
      const token = /^"(?:[^"\\]|\\.)*"|^[\w.-]+/.exec(rest);
      const to = token ? from + token[0].length : line.to;
      return { from, to: Math.max(to, from), severity: d.severity, message: d.message };
    });
  }, { delay: 600 });

  const extensions = [
    lineNumbers(), highlightActiveLine(), history(), bracketMatching(), jsonc,
    syntaxHighlighting(defaultHighlightStyle), autocompletion({ override: [complete] }), hover,
    lint, lintGutter(),
    keymap.of([...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
    EditorView.updateListener.of((u) => {
      if (!u.docChanged) return;
      // Keep the last text that parsed: completion and hover read the step types from it
      // while the user is in the middle of typing a key (the text does not parse then).
      docOf(u.state.doc.toString());
      hooks.changed();
    }),
  ];
  const view = new EditorView({ parent, state: EditorState.create({ doc: "", extensions }) });
  return {
    view,
    text: () => view.state.doc.toString(),
    load(text) {
      lastDoc = null;
      docOf(text);
      view.setState(EditorState.create({ doc: text, extensions }));
    },
    // Replaces `from`..`to` as typing or a paste would (tests use it too).
    replace(from, to, insert) {
      view.dispatch({ changes: { from, to, insert } });
    },
    // Puts the cursor at `pos` and focuses the editor; `coords` gives a position's place on the
    // page (tests point the mouse there for hover help).
    moveTo(pos) {
      view.dispatch({ selection: { anchor: pos } });
      view.focus();
    },
    coords: (pos) => view.coordsAtPos(pos),
    check: () => forceLinting(view),
  };
}
