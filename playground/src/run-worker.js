// The run worker: hosts a built component in the page with jco's browser transpiler (itself a
// component transpiled to JS) and preview2-shim's browser WASI. Nothing here knows the
// component's world: the main thread knows its exports from the build (the componentizer reads
// them from the component).
//
// Messages in:  { id, type: "load", component }
//               { id, type: "run", args }             run `wasi:cli/run` in a fresh instance
//               { id, type: "call", name, args }      call a world-level export (jco values)
// Messages out: { id, type: "output", stream: "stdout" | "stderr", text }
//               { id, type: "done", ... } | { id, type: "error", message }

import { generate } from "@bytecodealliance/jco";
import { createCli } from "@bytecodealliance/preview2-shim/cli";
import { WASIShim } from "@bytecodealliance/preview2-shim/instantiation";

/** The loaded component: its transpiled module and core modules. */
let loaded = null;
/** The instance used for export calls (kept, so state lives across calls). */
let callInstance = null;
/** Where the current request's output goes. */
let currentId = 0;

/** jco's JS name for a WIT name (`word-count` -> `wordCount`). */
function jsName(name) {
  return name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** An output stream handler for preview2-shim that posts decoded text. */
function outputStream(stream) {
  const decoder = new TextDecoder();
  return {
    write(bytes) {
      const text = decoder.decode(bytes, { stream: true });
      if (text) self.postMessage({ id: currentId, type: "output", stream, text });
    },
    blockingFlush() {},
    flush() {},
  };
}

/** Instantiates the loaded component with browser WASI (no files, no network, no env). */
async function instantiate(args) {
  const cli = createCli({
    arguments: ["component", ...args],
    environment: {},
    stdout: outputStream("stdout"),
    stderr: outputStream("stderr"),
  });
  const shim = new WASIShim({ cli, sandbox: { preopens: {}, env: {}, enableNetwork: false } });
  const imports = shim.getImportObject();
  return loaded.module.instantiate((path) => loaded.cores.get(path), imports);
}

async function load(component) {
  const started = performance.now();
  const { files } = await generate(component, {
    name: "component",
    instantiation: { tag: "async" },
    noTypescript: true,
    noNodejsCompat: true,
  });
  const byName = new Map(files);
  const code = new TextDecoder().decode(byName.get("component.js"));
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  let module;
  try {
    module = await import(/* @vite-ignore */ url);
  } finally {
    URL.revokeObjectURL(url);
  }
  const cores = new Map();
  await Promise.all(
    [...byName.keys()]
      .filter((name) => name.endsWith(".wasm"))
      .map(async (name) => cores.set(name, await WebAssembly.compile(byName.get(name)))),
  );
  loaded = { module, cores };
  callInstance = null;
  return { transpileMs: performance.now() - started };
}

async function run(args) {
  const instance = await instantiate(args);
  const key = Object.keys(instance).find((k) => /^wasi:cli\/run@/.test(k)) ?? "run";
  try {
    instance[key].run();
    return { exitCode: 0 };
  } catch (error) {
    if (error?.exitError) return { exitCode: error.code };
    throw error;
  }
}

async function call(name, args) {
  callInstance ??= await instantiate([]);
  const f = callInstance[jsName(name)];
  if (typeof f !== "function") throw new Error(`the component exports no function ${name}`);
  const started = performance.now();
  try {
    const value = f(...args);
    return { ok: true, value, ms: performance.now() - started };
  } catch (error) {
    // jco raises a `result`'s err case as a ComponentError carrying the payload.
    if (error && "payload" in error) {
      return { ok: false, value: error.payload, ms: performance.now() - started };
    }
    callInstance = null; // a trap leaves the instance unusable
    throw error;
  }
}

self.onmessage = async ({ data }) => {
  currentId = data.id;
  try {
    let result;
    if (data.type === "load") result = await load(data.component);
    else if (data.type === "run") result = await run(data.args ?? []);
    else if (data.type === "call") result = await call(data.name, data.args);
    else throw new Error(`unknown request ${data.type}`);
    self.postMessage({ id: data.id, type: "done", ...result });
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    self.postMessage({ id: data.id, type: "error", message });
  }
};
