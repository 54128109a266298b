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
// Dependencies: a `pyproject.toml` or `pylock.toml` among the files (or `requirements`) is
// resolved as the CLI resolves it. URLs are fetched with `options.fetch` (default: the global
// `fetch`), wheels cached by SHA-256 in `options.wheelCache` (default: the CLI's cache in Node,
// the Cache API in browsers; `false` for none). The result's `dependencies` lists the packages and
// holds the lock the CLI would write.
//
// Loading: ../dist holds the wasm-bindgen module and the gzip-compressed runtime artifacts
// (runtime.wasm.gz, stdlib.zip.gz). In Node they are read with fs, relative to this file; in
// browsers they are fetched relative to this file (serve ../dist next to ./). Pre-initialisation
// instantiates the runtime synchronously, so in browsers call this from a Web Worker.

import initWasm, * as wasm from "../dist/componentize_py_wasm.js";
import { Engine } from "./engine.js";
import { fetchAll } from "./fetch.js";
import { defaultWheelCache } from "./wheel-cache.js";

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

// A build needs one round per batch of requests the resolver makes; far more means a bug.
const MAX_ROUNDS = 10_000;

/**
 * Builds a component. Returns `{ component: Uint8Array, events, dependencies? }`, `events` being
 * the stages with their times (`{ stage, description, elapsedMs }`) and `dependencies`, when the
 * app has some, `{ packages: [{ name, version }], summary, elapsedMs, lock? }` (`lock`: the
 * `{ path, text }` of the lock the CLI would write).
 * `extra.engine` replaces the pre-init engine, `extra.runtime` the runtime artifacts.
 */
export async function componentize(options, extra = {}) {
  await loadWasm();
  const runtime = extra.runtime ?? (await loadRuntime());
  const engine = extra.engine ?? new Engine();
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const wheelCache = options.wheelCache === false ? null : (options.wheelCache ?? (await defaultWheelCache()));
  const answers = new wasm.Answers();
  // A cache that fails only costs downloads.
  const cached = async (sha256) => {
    try {
      return (await wheelCache?.get(sha256)) ?? undefined;
    } catch {
      return undefined;
    }
  };
  const store = async () => {
    for (const [sha256, bytes] of answers.takeCacheWrites()) {
      try {
        await wheelCache?.put(sha256, bytes);
      } catch {
        // The wheel is downloaded again next time.
      }
    }
  };
  const started = performance.now();
  let fetched = 0;
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const roundStarted = performance.now();
      const out = wasm.componentize(options, runtime, engine, answers);
      if (!out.pending) {
        if (out.dependencies) {
          // The earlier rounds and their fetches belong to the dependencies too.
          out.dependencies.elapsedMs += roundStarted - started;
          out.events.unshift({
            stage: "dependencies",
            description: "resolving dependencies",
            elapsedMs: out.dependencies.elapsedMs,
          });
        }
        return out;
      }
      const { fetch: requests, cached: lookups } = out.pending;
      options.onProgress?.({
        stage: "dependencies",
        description: `resolving dependencies (${fetched} files fetched)`,
      });
      const hits = await Promise.all(lookups.map(cached));
      lookups.forEach((sha256, i) => answers.answerCached(sha256, hits[i]));
      const fetchedAnswers = await fetchAll(fetchImpl, requests);
      requests.forEach(({ url }, i) => {
        const answer = fetchedAnswers[i];
        answers.answerFetch(url, answer?.error ?? answer);
      });
      fetched += requests.length;
    }
    throw new Error(`dependencies: still fetching after ${MAX_ROUNDS} rounds`);
  } finally {
    // Wheels verified in a build that failed later are kept too.
    await store();
    answers.free();
  }
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

/**
 * The worlds the options' WIT offers (`files`, `witPath`, `features`), read with wit-parser:
 * `[{ name, main }]`, `name` as `world` takes it, `main` for the worlds of the WIT paths' own
 * packages (those of `deps/` come qualified). The built-in WASI worlds are not listed.
 */
export async function worlds(options) {
  await loadWasm();
  return wasm.worlds(options);
}

/**
 * What `component` (a Uint8Array) exports: `{ functions: [{ name, params: [{ name, type }],
 * result }], interfaces: [name] }`, types as `{ kind, ... }` objects (see
 * crates/componentize-py-wasm/src/describe.rs).
 */
export async function componentExports(component) {
  await loadWasm();
  return wasm.componentExports(component);
}
