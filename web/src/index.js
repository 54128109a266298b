// componentize-py for Node (>= 20) and browsers: the componentizer compiled to wasm
// (crates/componentize-py-wasm, built into ../dist by ../build.sh) with pre-initialisation on the
// WebAssembly API (./engine.js).
//
//   import { componentize, bindings } from "componentize-py";
//   const { component, events } = await componentize({
//     files: { "app.py": bytes, "wit/world.wit": bytes },  // path -> Uint8Array or string
//     world: ["my-world"],
//     appName: "app",
//     onProgress: ({ stage, description }) => console.log(description),
//   });
//
// Options are the CLI's flags (see crates/componentize-py-wasm/src/lib.rs for the list); errors
// throw an Error with the message the native CLI prints (without its "error: ").
//
// Loading: ../dist holds the wasm-bindgen module and the gzip-compressed runtime artifacts
// (runtime.wasm.gz, stdlib.zip.gz). In Node they are read with fs, relative to this file; in
// browsers they are fetched relative to this file (serve ../dist next to ./). Pre-initialisation
// instantiates the runtime synchronously, so in browsers call this from a Web Worker.

import initWasm, * as wasm from "../dist/componentize_py_wasm.js";
import { Engine } from "./engine.js";

export { Engine };

const isNode = typeof process !== "undefined" && !!process.versions?.node;

/** Reads a file of ../dist. */
async function readDist(name) {
  const url = new URL(`../dist/${name}`, import.meta.url);
  if (isNode) {
    const { readFile } = await import("node:fs/promises");
    return new Uint8Array(await readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetching ${url}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Gunzips `bytes` (left as is if a server already decoded them). */
async function gunzip(bytes) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

let wasmReady;
let runtimeReady;

/** Loads the componentizer's wasm module (once). */
function loadWasm() {
  wasmReady ??= (async () => {
    const module = await WebAssembly.compile(await readDist("componentize_py_wasm_bg.wasm"));
    await initWasm({ module_or_path: module });
  })();
  return wasmReady;
}

/** Loads the runtime artifacts (once): `{ module, stdlib }`. */
export function loadRuntime() {
  runtimeReady ??= Promise.all([
    readDist("runtime.wasm.gz").then(gunzip),
    readDist("stdlib.zip.gz").then(gunzip),
  ]).then(([module, stdlib]) => ({ module, stdlib }));
  return runtimeReady;
}

/**
 * Builds a component. Returns `{ component: Uint8Array, events }`, `events` being the stages
 * with their times: `{ stage, description, elapsedMs }`.
 * `extra.engine` replaces the pre-init engine, `extra.runtime` the runtime artifacts.
 */
export async function componentize(options, extra = {}) {
  await loadWasm();
  const runtime = extra.runtime ?? (await loadRuntime());
  const engine = extra.engine ?? new Engine();
  return wasm.componentize(options, runtime, engine);
}

/**
 * Runs the `componentize-py` command line (`argv` without the program name) against `host`, the
 * file system and stdio (see crates/componentize-py-wasm/src/host.rs; ./cli.js makes one from
 * Node's). Returns the exit code.
 */
export async function runCli(argv, host, extra = {}) {
  await loadWasm();
  const runtime = extra.runtime ?? (await loadRuntime());
  const engine = extra.engine ?? new Engine();
  return wasm.runCli(["componentize-py", ...argv], host, runtime, engine);
}

/** Generates the Python bindings: `{ path: contents }`. */
export async function bindings(options) {
  await loadWasm();
  return wasm.bindings(options);
}
