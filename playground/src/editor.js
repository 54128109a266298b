// The project editor: one CodeMirror 6 view whose state is swapped per file, file tabs with
// add, rename (double-click) and delete, Python and WIT highlighting, and error diagnostics
// shown in the gutter and under the line.

import { basicSetup } from "codemirror";
import { python } from "@codemirror/lang-python";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";

import { witLanguage } from "./wit-language.js";

/** Whether `path` is a usable project path (relative, `/`-separated, no `..`). */
export function validPath(path) {
  return (
    /^[A-Za-z0-9_.\-/]+$/.test(path) &&
    !path.startsWith("/") &&
    !path.endsWith("/") &&
    !path.split("/").some((part) => part === "" || part === "." || part === "..")
  );
}

/** The language extension for a file name. */
function languageFor(path) {
  if (path.endsWith(".py") || path.endsWith(".pyi")) return [python()];
  if (path.endsWith(".wit")) return [witLanguage];
  return [];
}

/** Files sorted for the tabs: WIT first, then Python, by path. */
function order(a, b) {
  const rank = (p) => (p.endsWith(".wit") ? 0 : p.endsWith(".py") ? 1 : 2);
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** The multi-file editor. `onChange()` is called after any edit to the project. */
export class ProjectEditor {
  constructor({ host, tabs, onChange }) {
    this.tabs = tabs;
    this.onChange = onChange;
    this.states = new Map(); // path -> EditorState
    this.current = null;
    this.diagnostic = null; // { path, line, column, message }
    this.view = new EditorView({ parent: host });
  }

  #state(path, text) {
    return EditorState.create({
      doc: text,
      extensions: [
        basicSetup,
        keymap.of([indentWithTab]),
        languageFor(path),
        lintGutter(),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) this.onChange();
        }),
      ],
    });
  }

  /** Replaces every file (`[{ path, text }]`) and shows the first Python file. */
  setFiles(files) {
    this.states.clear();
    for (const { path, text } of files) this.states.set(path, this.#state(path, text));
    this.diagnostic = null;
    const paths = this.paths();
    this.current = null;
    this.select(paths.find((p) => p.endsWith(".py")) ?? paths[0] ?? null);
  }

  /** The paths in tab order. */
  paths() {
    return [...this.states.keys()].sort(order);
  }

  /** The project's files: `[{ path, text }]`. */
  files() {
    this.#save();
    return this.paths().map((path) => ({ path, text: this.states.get(path).doc.toString() }));
  }

  #save() {
    if (this.current && this.states.has(this.current)) {
      this.states.set(this.current, this.view.state);
    }
  }

  /** Shows file `path`. */
  select(path) {
    this.#save();
    this.current = path;
    if (path && this.states.has(path)) {
      this.view.setState(this.states.get(path));
      this.#applyDiagnostic();
    } else {
      this.view.setState(EditorState.create({ doc: "", extensions: [EditorState.readOnly.of(true)] }));
    }
    this.renderTabs();
  }

  /** Adds a file and shows it. Throws on an invalid or taken path. */
  add(path, text = "") {
    this.#check(path);
    this.states.set(path, this.#state(path, text));
    this.select(path);
    this.onChange();
  }

  /** Renames a file (its contents and undo history stay, the language follows the name). */
  rename(from, to) {
    if (from === to) return;
    this.#check(to);
    this.#save();
    const text = this.states.get(from).doc.toString();
    this.states.delete(from);
    this.states.set(to, this.#state(to, text));
    if (this.diagnostic?.path === from) this.diagnostic.path = to;
    this.current = null;
    this.select(to);
    this.onChange();
  }

  /** Deletes a file. */
  remove(path) {
    this.states.delete(path);
    if (this.diagnostic?.path === path) this.diagnostic = null;
    if (this.current === path) {
      this.current = null;
      this.select(this.paths()[0] ?? null);
    } else {
      this.renderTabs();
    }
    this.onChange();
  }

  #check(path) {
    if (!validPath(path)) throw new Error(`not a valid relative path: "${path}"`);
    if (this.states.has(path)) throw new Error(`${path} exists already`);
  }

  /** Marks an error at `line` (and `column`) of `path`, and shows that file there. */
  showError({ path, line, column }, message) {
    this.diagnostic = { path, line, column, message };
    if (this.current !== path) this.select(path);
    else this.#applyDiagnostic();
    const doc = this.view.state.doc;
    const at = doc.line(Math.min(Math.max(line, 1), doc.lines));
    this.view.dispatch({
      selection: { anchor: Math.min(at.from + Math.max((column ?? 1) - 1, 0), at.to) },
      effects: EditorView.scrollIntoView(at.from, { y: "center" }),
    });
    this.renderTabs();
  }

  /** Removes the error marks. */
  clearError() {
    this.diagnostic = null;
    this.#applyDiagnostic();
    this.renderTabs();
  }

  #applyDiagnostic() {
    const d = this.diagnostic;
    const diagnostics = [];
    if (d && d.path === this.current) {
      const doc = this.view.state.doc;
      const line = doc.line(Math.min(Math.max(d.line, 1), doc.lines));
      const from = Math.min(line.from + Math.max((d.column ?? 1) - 1, 0), line.to);
      diagnostics.push({
        from: d.column ? from : line.from,
        to: d.column ? Math.min(from + 1, line.to) : line.to,
        severity: "error",
        message: d.message,
      });
    }
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
  }

  /** Redraws the tabs: one per file, then the add button. */
  renderTabs() {
    const tabs = this.paths().map((path) => {
      const tab = document.createElement("div");
      tab.className = "tab";
      tab.dataset.path = path;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-selected", String(path === this.current));
      if (this.diagnostic?.path === path) tab.classList.add("has-error");
      const label = document.createElement("button");
      label.type = "button";
      label.className = "tab-label";
      label.textContent = path;
      label.title = "double-click to rename";
      label.addEventListener("click", () => path !== this.current && this.select(path));
      label.addEventListener("dblclick", () => this.#inlineName(tab, path, (name) => this.rename(path, name)));
      const close = document.createElement("button");
      close.type = "button";
      close.className = "tab-close";
      close.title = `delete ${path}`;
      close.setAttribute("aria-label", `delete ${path}`);
      close.textContent = "×";
      close.addEventListener("click", () => this.remove(path));
      tab.append(label, close);
      return tab;
    });
    const add = document.createElement("button");
    add.type = "button";
    add.className = "tab-add";
    add.title = "add a file (e.g. helper.py or wit/deps/x.wit)";
    add.textContent = "+";
    add.addEventListener("click", () => {
      const tab = document.createElement("div");
      tab.className = "tab";
      this.tabs.insertBefore(tab, add);
      this.#inlineName(tab, "", (name) => this.add(name, name.endsWith(".py") ? `"""${name}"""\n` : ""));
    });
    this.tabs.replaceChildren(...tabs, add);
  }

  /** Edits a name in place; `commit(name)` may throw to keep the field open. */
  #inlineName(tab, initial, commit) {
    const input = document.createElement("input");
    input.className = "tab-name";
    input.value = initial;
    input.placeholder = "path, e.g. helper.py";
    input.setAttribute("aria-label", "file name");
    tab.replaceChildren(input);
    input.focus();
    input.select();
    let done = false;
    const finish = (save) => {
      if (done) return;
      const name = input.value.trim();
      if (save && name && name !== initial) {
        try {
          commit(name);
        } catch (error) {
          input.setCustomValidity(error.message);
          input.reportValidity();
          input.title = error.message;
          return;
        }
      }
      done = true;
      this.renderTabs();
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") finish(true);
      if (event.key === "Escape") finish(false);
      input.setCustomValidity("");
    });
    input.addEventListener("blur", () => finish(true));
  }
}
