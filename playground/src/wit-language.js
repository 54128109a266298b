// A CodeMirror 6 mode for WIT (a stream parser): keywords, built-in types, doc and line
// comments, package paths, versions and numbers.

import { StreamLanguage } from "@codemirror/language";

const KEYWORDS = new Set([
  "package", "world", "interface", "import", "export", "use", "include", "with", "as", "type",
  "record", "variant", "enum", "flags", "resource", "func", "static", "constructor", "async",
]);
const TYPES = new Set([
  "bool", "s8", "s16", "s32", "s64", "u8", "u16", "u32", "u64", "f32", "f64", "char", "string",
  "list", "option", "result", "tuple", "borrow", "own", "future", "stream", "_",
]);

/** The WIT language, for `@codemirror/language`. */
export const witLanguage = StreamLanguage.define({
  name: "wit",
  startState: () => ({ inBlockComment: false, afterKeyword: null }),
  token(stream, state) {
    if (state.inBlockComment) {
      if (stream.skipTo("*/")) {
        stream.next();
        stream.next();
        state.inBlockComment = false;
      } else {
        stream.skipToEnd();
      }
      return "comment";
    }
    if (stream.eatSpace()) return null;
    if (stream.match("///")) {
      stream.skipToEnd();
      return "docComment";
    }
    if (stream.match("//")) {
      stream.skipToEnd();
      return "lineComment";
    }
    if (stream.match("/*")) {
      state.inBlockComment = true;
      return "comment";
    }
    if (stream.match(/^@[0-9][0-9A-Za-z.+-]*/)) return "number";
    if (stream.match(/^[0-9]+/)) return "number";
    if (stream.match("->")) return "operator";
    if (stream.match(/^%?[a-zA-Z][a-zA-Z0-9-]*/)) {
      const word = stream.current().replace(/^%/, "");
      const after = state.afterKeyword;
      state.afterKeyword = null;
      if (KEYWORDS.has(word) && !stream.current().startsWith("%")) {
        state.afterKeyword = word;
        return "keyword";
      }
      if (TYPES.has(word)) return "typeName";
      if (after && after !== "use" && after !== "import" && after !== "export") {
        return "definition";
      }
      if (stream.peek() === ":" && /^[a-z]/.test(word) && after !== null) return "namespace";
      if (stream.peek() === ":") return "propertyName";
      return "variableName";
    }
    stream.next();
    state.afterKeyword = null;
    return "punctuation";
  },
  languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } } },
});
