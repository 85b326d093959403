// Job files as Ferry reads them: JSON with // and /* */ comments and trailing commas. A
// highlighter (StreamLanguage) and a scanner that finds the JSON path at a position, both
// tolerant of half-typed text.
import { StreamLanguage } from "@codemirror/language";

export const jsonc = StreamLanguage.define({
  name: "jsonc",
  startState: () => ({ inComment: false }),
  token(stream, state) {
    if (state.inComment) {
      if (stream.skipTo("*/")) {
        stream.match("*/");
        state.inComment = false;
      } else {
        stream.skipToEnd();
      }
      return "blockComment";
    }
    if (stream.eatSpace()) return null;
    if (stream.match("//")) {
      stream.skipToEnd();
      return "lineComment";
    }
    if (stream.match("/*")) {
      state.inComment = true;
      return "blockComment";
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) {
      return /^\s*:/.test(stream.string.slice(stream.pos)) ? "propertyName" : "string";
    }
    if (stream.match(/^-?\d+(\.\d+)?([eE][+-]?\d+)?/)) return "number";
    if (stream.match(/^(true|false)\b/)) return "bool";
    if (stream.match(/^null\b/)) return "null";
    if (stream.match(/^[{}[\],:]/)) return "punctuation";
    stream.next();
    return "invalid";
  },
  languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } } },
});

// Where `pos` is: the path of the container it is in (keys and indices), whether it is at an
// object key (`atKey`), the key it belongs to (`key`) and the word typed so far with its start.
export function pathAt(text, pos) {
  const stack = [];  // {type: "object"|"array", key, index}
  let i = 0;
  let lastString = null;
  let tokenStart = -1;
  while (i < pos) {
    const c = text[i];
    if (c === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      if (end < 0 || end >= pos) return null;  // inside a comment
      i = end;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0 || end + 2 > pos) return null;
      i = end + 2;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === '"') {
      tokenStart = i;
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (j >= pos) break;  // the cursor is inside this string
      lastString = JSON.parse(text.slice(i, j + 1).replace(/\n/g, "\\n"));
      i = j + 1;
      continue;
    }
    tokenStart = -1;
    if (c === "{" || c === "[") {
      stack.push({ type: c === "{" ? "object" : "array", key: null, index: 0, afterColon: false });
    } else if (c === "}" || c === "]") {
      stack.pop();
    } else if (c === ":" && top && top.type === "object") {
      top.key = lastString;
      top.afterColon = true;
    } else if (c === ",") {
      if (top && top.type === "array") top.index++;
      if (top && top.type === "object") {
        top.key = null;
        top.afterColon = false;
      }
    }
    i++;
  }
  const path = [];
  for (let k = 0; k < stack.length - 1; k++) {
    const s = stack[k];
    path.push(s.type === "object" ? s.key : s.index);
  }
  const top = stack[stack.length - 1];
  if (!top) return { path, atKey: false, container: null };
  const from = tokenStart >= 0 && tokenStart < pos ? tokenStart : pos;
  return {
    path,
    container: top.type,
    atKey: top.type === "object" && !top.afterColon,
    key: top.type === "object" ? top.key : top.index,
    from,
  };
}

// The text as plain JSON (comments and trailing commas removed), or null when it does not parse.
export function parseLenient(text) {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 1;
    } else {
      out += c;
    }
  }
  try {
    return JSON.parse(out.replace(/,(\s*[}\]])/g, "$1"));
  } catch {
    return null;
  }
}
