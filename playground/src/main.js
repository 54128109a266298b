// The playground page: wires the editor, the examples, the build worker, the bindings view, the
// runner and share links together. Everything runs in the browser.

import "./style.css";

import { python } from "@codemirror/lang-python";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";

import { Builder } from "./builder.js";
import { renderCallForm } from "./call-form.js";
import { ProjectEditor } from "./editor.js";
import { locateError, summary } from "./errors.js";
import { DEFAULT_EXAMPLE, EXAMPLES, exampleProject } from "./examples.js";
import { Runner } from "./runner.js";
import { decodeProject, encodeProject } from "./share.js";
import { zip } from "./zip.js";

/** WASI worlds built into the componentizer, offered besides the project's own. */
const BUILTIN_WORLDS = ["wasi:cli/command@0.2.0", "wasi:http/proxy@0.2.0"];

const $ = (id) => document.getElementById(id);

const builder = new Builder();
const runner = new Runner();
const editor = new ProjectEditor({
  host: $("editor"),
  tabs: $("tabs"),
  onChange: () => scheduleWorldRefresh(),
});

/** Object URLs handed out for downloads, revoked when replaced. */
const urls = new Map();
function objectUrl(key, blob) {
  if (urls.has(key)) URL.revokeObjectURL(urls.get(key));
  const url = URL.createObjectURL(blob);
  urls.set(key, url);
  return url;
}

// ---- project state --------------------------------------------------------------------------

/** The current project, read from the UI. */
function currentProject() {
  return {
    files: editor.files(),
    world: $("world").value,
    stubWasi: $("stub-wasi").checked,
    args: $("args").value,
  };
}

/** Replaces the whole project (editors, world, flags) and clears the outputs. */
function loadProject(project) {
  editor.setFiles(project.files);
  ownWorlds = [];
  refreshWorlds(project.world);
  $("stub-wasi").checked = project.stubWasi;
  $("args").value = project.args ?? "";
  resetOutputs();
}

/** The project's worlds as the componentizer reads its WIT; kept while the WIT does not parse. */
let ownWorlds = [];
let worldsRequest = 0;

/** Fills the world picker: the project's worlds, then the built-in WASI ones. */
function renderWorlds(wanted) {
  const names = [...new Set([...ownWorlds, ...BUILTIN_WORLDS])];
  if (wanted && !names.includes(wanted)) names.unshift(wanted);
  const select = $("world");
  select.replaceChildren(
    ...names.map((name) => {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = BUILTIN_WORLDS.includes(name) ? `${name} (built in)` : name;
      return option;
    }),
  );
  select.value = wanted && names.includes(wanted) ? wanted : names[0];
  return select.value;
}

/**
 * Refreshes the world picker from the project's WIT (read by the build worker). The picker is
 * filled at once from what is known, and again when the worlds arrive, unless the user picked one
 * in between.
 */
async function refreshWorlds(wanted = $("world").value) {
  const request = ++worldsRequest;
  $("world").dataset.pending = "true";
  const shown = renderWorlds(wanted);
  const files = Object.fromEntries(editor.files().map((f) => [f.path, f.text]));
  let names = null;
  try {
    names = (await builder.worlds(files)).map((w) => w.name);
  } catch {
    // WIT being edited may not parse; the last good list stays.
  }
  if (request !== worldsRequest) return; // a newer refresh is under way
  if (names) ownWorlds = names;
  const current = $("world").value;
  renderWorlds(current !== shown ? current : wanted);
  // `data-pending` is set while an edit's refresh is waiting or running (tests wait on it).
  if (!worldTimerPending) delete $("world").dataset.pending;
}

let worldTimer = 0;
let worldTimerPending = false;
function scheduleWorldRefresh() {
  clearTimeout(worldTimer);
  worldTimerPending = true;
  $("world").dataset.pending = "true";
  worldTimer = setTimeout(() => {
    worldTimerPending = false;
    refreshWorlds();
  }, 300);
}

// ---- examples -------------------------------------------------------------------------------

for (const [id, { title }] of Object.entries(EXAMPLES)) {
  const option = document.createElement("option");
  option.value = id;
  option.textContent = title;
  $("example").append(option);
}
$("example").addEventListener("change", () => {
  loadProject(exampleProject($("example").value));
  history.replaceState(null, "", location.pathname + location.search);
});

// ---- build ----------------------------------------------------------------------------------

let building = false;
let built = null; // { component, world, bindings }
// The lock of the last build with dependencies: the next build reads it, so while the requirements
// are unchanged nothing is resolved again (the componentizer checks the lock's inputs hash).
let lastLock = null;

function setStatus(state, text) {
  $("build-status").dataset.state = state;
  $("status-text").textContent = text;
}

function resetOutputs() {
  editor.clearError();
  $("errors").hidden = true;
  $("artifact").hidden = true;
  $("bindings").hidden = true;
  $("run").hidden = true;
  $("stages").replaceChildren();
  $("packages").hidden = true;
  $("elapsed").textContent = "";
  built = null;
  if (!building) setStatus("idle", "Ready.");
}

/** The download name for a world: its last path segment, without the version. */
export function fileNameFor(world) {
  const name = world.split("/").pop().replace(/@.*$/, "").replace(/[^A-Za-z0-9_.-]/g, "_");
  return `${name || "component"}.wasm`;
}

/** One list item per stage; the running one is highlighted, finished ones show their time. */
class StageList {
  constructor(list) {
    this.list = list;
    this.items = new Map();
    this.last = null;
    list.replaceChildren();
  }
  start(stage, description, at) {
    // A stage that reports again (fetching dependencies) updates its line.
    if (this.last?.li.dataset.stage === stage) {
      this.last.li.firstChild.textContent = description;
      return;
    }
    this.finish(at);
    const li = document.createElement("li");
    li.className = "running";
    li.dataset.stage = stage;
    li.append(description, Object.assign(document.createElement("span"), { className: "ms" }));
    this.list.append(li);
    this.items.set(stage, li);
    this.last = { li, at };
  }
  finish(at) {
    if (!this.last) return;
    this.last.li.classList.remove("running");
    this.last.li.querySelector(".ms").textContent = `${Math.round(at - this.last.at)} ms`;
    this.last = null;
  }
  /** Sets the exact times the componentizer measured. */
  exact(events) {
    this.finish(0);
    for (const { stage, description, elapsedMs } of events) {
      const li = this.items.get(stage);
      if (!li) continue;
      li.firstChild.textContent = description;
      if (elapsedMs !== undefined) li.querySelector(".ms").textContent = `${Math.round(elapsedMs)} ms`;
    }
  }
}

async function build() {
  if (building) return;
  building = true;
  resetOutputs();
  $("build-status").dataset.build = String(Number($("build-status").dataset.build ?? 0) + 1);
  const project = currentProject();
  const stages = new StageList($("stages"));
  $("build").disabled = true;
  setStatus("building", "Building…");
  const started = performance.now();
  const tick = setInterval(() => {
    $("elapsed").textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`;
  }, 100);
  const options = buildOptions(project);
  try {
    const result = await builder.build(options, ({ stage, description, at }) =>
      stages.start(stage, description, at),
    );
    const seconds = (performance.now() - started) / 1000;
    stages.exact(result.events);
    if (result.dependencies?.lock) lastLock = result.dependencies.lock;
    showPackages(result.dependencies);
    $("elapsed").textContent = `${seconds.toFixed(1)} s`;
    setStatus("built", `Built ${fileNameFor(project.world)}.`);
    built = { component: result.component, world: project.world };
    showArtifact(result.component, project.world);
    showBindings(result.bindings);
    prepareRun(result.component, result.exports, project.args);
  } catch (error) {
    stages.finish(performance.now() - started);
    $("elapsed").textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    setStatus("error", "Build failed.");
    showError(error.message, project);
    if (error.bindings) showBindings(error.bindings);
  } finally {
    clearInterval(tick);
    building = false;
    $("build").disabled = false;
  }
}

/**
 * The componentize() options for `project`: its files (with the last lock), world and flags. A
 * `pyproject.toml` is found by the componentizer itself; a `requirements.txt` without one is
 * passed as `-r requirements.txt`.
 */
function buildOptions(project) {
  const files = Object.fromEntries(project.files.map((f) => [f.path, f.text]));
  const options = { files, world: project.world ? [project.world] : [], appName: "app", stubWasi: project.stubWasi };
  if (!("pyproject.toml" in files) && "requirements.txt" in files) options.requirements = ["requirements.txt"];
  if (lastLock && !(lastLock.path in files)) files[lastLock.path] = lastLock.text;
  return options;
}

/** Lists the packages a build installed, with their versions. */
function showPackages(dependencies) {
  const list = $("package-list");
  list.replaceChildren();
  $("packages").hidden = !dependencies;
  if (!dependencies) return;
  for (const { name, version } of dependencies.packages) {
    const item = document.createElement("li");
    item.dataset.package = name;
    item.append(Object.assign(document.createElement("code"), { textContent: name }), ` ${version}`);
    list.append(item);
  }
  $("packages-summary").textContent = dependencies.summary;
}

function showArtifact(component, world) {
  const name = fileNameFor(world);
  const link = $("download");
  link.href = objectUrl("component", new Blob([component], { type: "application/wasm" }));
  link.download = name;
  link.textContent = `Download ${name}`;
  $("artifact-size").textContent = `${(component.length / 1e6).toFixed(1)} MB`;
  $("artifact").hidden = false;
}

/** Shows a build error under the editor, and marks its line if it names a project file. */
function showError(message, project) {
  const where = locateError(message, project.files.map((f) => f.path));
  const short = summary(message);
  $("errors").hidden = false;
  $("error-summary").textContent = short;
  $("error-message").textContent = message;
  const button = $("error-location");
  if (where) {
    const text = `${where.path}:${where.line}${where.column ? `:${where.column}` : ""}`;
    button.hidden = false;
    button.textContent = text;
    button.dataset.path = where.path;
    button.dataset.line = String(where.line);
    button.onclick = () => editor.showError(where, short);
    editor.showError(where, short);
  } else {
    button.hidden = true;
  }
}

// ---- bindings -------------------------------------------------------------------------------

const bindingsView = new EditorView({ parent: $("bindings-view") });
let bindingsFiles = {};

function showBindings(files) {
  if (!files) return;
  bindingsFiles = files;
  const paths = Object.keys(files).sort((a, b) => {
    const rank = (p) => (p.startsWith("wit_world/") ? 0 : 1);
    return rank(a) - rank(b) || a.localeCompare(b);
  });
  const select = $("bindings-file");
  select.replaceChildren(
    ...paths.map((p) => Object.assign(document.createElement("option"), { value: p, textContent: p })),
  );
  select.value = paths.includes("wit_world/__init__.py") ? "wit_world/__init__.py" : paths[0];
  showBindingsFile(select.value);
  $("bindings-download").href = objectUrl("bindings", zip(files));
  $("bindings").hidden = false;
}

function showBindingsFile(path) {
  bindingsView.setState(
    EditorState.create({
      doc: bindingsFiles[path] ?? "",
      extensions: [basicSetup, python(), EditorState.readOnly.of(true), EditorView.editable.of(false)],
    }),
  );
}
$("bindings-file").addEventListener("change", () => showBindingsFile($("bindings-file").value));

// ---- run ------------------------------------------------------------------------------------

/** Loads the built component into the runner and shows what can be run. */
async function prepareRun(component, exports, args) {
  const status = $("run-status");
  $("run").hidden = false;
  $("command").hidden = true;
  $("exports").replaceChildren();
  $("call-output").hidden = true;
  $("run").dataset.state = "loading";
  status.textContent = "Transpiling with jco…";
  try {
    const info = await runner.load(component, exports);
    if (built?.component !== component) return; // a newer build replaced this one
    const parts = [];
    if (info.command) parts.push("a wasi:cli command");
    if (info.functions.length) parts.push(`${info.functions.length} exported function(s)`);
    const others = info.interfaces.filter((i) => !/^wasi:cli\/run@/.test(i));
    if (others.length) parts.push(`exported interface(s) ${others.join(", ")} (not callable from this form)`);
    status.textContent = `Transpiled with jco in ${(info.transpileMs / 1000).toFixed(1)} s: ${parts.join("; ") || "nothing to run"}.`;
    $("command").hidden = !info.command;
    if (info.command) {
      $("args").value = args ?? $("args").value;
      $("stdout").textContent = "";
      $("stderr").textContent = "";
      $("exit-code").textContent = "";
    }
    $("call-stdout").textContent = "";
    renderCallForm($("exports"), info.functions, (name, values) =>
      runner.call(name, values, (_, text) => {
        $("call-output").hidden = false;
        $("call-stdout").textContent += text;
      }),
    );
    $("run").dataset.state = "ready";
  } catch (error) {
    status.textContent = `Cannot run it here: ${error.message}`;
    $("run").dataset.state = "error";
  }
}

/** Splits arguments on whitespace; quotes group words. */
function splitArgs(text) {
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

$("run-command").addEventListener("click", async () => {
  const button = $("run-command");
  button.disabled = true;
  $("stdout").textContent = "";
  $("stderr").textContent = "";
  $("exit-code").textContent = "running…";
  $("command").dataset.state = "running";
  const started = performance.now();
  try {
    const { exitCode } = await runner.run(splitArgs($("args").value), (stream, text) => {
      $(stream).textContent += text;
    });
    $("exit-code").textContent = `exit code ${exitCode} · ${Math.round(performance.now() - started)} ms`;
  } catch (error) {
    $("exit-code").textContent = `trap: ${error.message}`;
  } finally {
    button.disabled = false;
    $("command").dataset.state = "done";
  }
});

// ---- share ----------------------------------------------------------------------------------

$("share").addEventListener("click", async () => {
  const hash = await encodeProject(currentProject());
  history.replaceState(null, "", hash);
  const field = $("share-url");
  field.value = location.href;
  field.hidden = false;
  field.select();
  try {
    await navigator.clipboard.writeText(location.href);
    $("share").textContent = "Link copied";
  } catch {
    $("share").textContent = "Share";
  }
});

window.addEventListener("hashchange", async () => {
  const project = await decodeProject(location.hash);
  if (project) loadProject(project);
});

// ---- start ----------------------------------------------------------------------------------

$("build").addEventListener("click", build);
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") build();
});

const shared = await decodeProject(location.hash);
if (!shared) $("example").value = DEFAULT_EXAMPLE;
loadProject(shared ?? exampleProject(DEFAULT_EXAMPLE));
builder.warmUp();
setStatus("idle", "Ready.");
// For tests and the console: the project as the page holds it.
window.playground = { project: currentProject };
document.body.dataset.ready = "true";
