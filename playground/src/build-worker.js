// The build worker: runs the componentizer (web/src/index.js) off the main thread, since
// pre-initialisation instantiates the runtime synchronously. What the UI shows of WIT (the
// project's worlds, the component's exports) comes from the componentizer's wit-parser too.
//
// Messages in:  { id, type: "build", options }  (componentize's options, `files` as path -> string)
//               { id, type: "worlds", options }  (files and witPath)
// Messages out: { id, type: "progress", stage, description, at }  (at: ms since the request)
//               { id, type: "done", component, exports, events, dependencies, bindings }
//               { id, type: "done", worlds }
//               { id, type: "error", message, trap, bindings }  (trap: the wasm instance may be
//               unusable; bindings: when the build got that far)

import { componentExports, componentize, loadRuntime, worlds } from "../../web/src/index.js";

// Start fetching the runtime artifacts as soon as the worker exists.
loadRuntime().catch(() => {});

async function build(options, post) {
  const started = performance.now();
  let bindings = null;
  try {
    const { component, events, dependencies } = await componentize({
      ...options,
      onProgress: ({ stage, description }) =>
        post({ type: "progress", stage, description, at: performance.now() - started }),
      onBindings: (generated) => {
        bindings = generated;
      },
    });
    const exports = await componentExports(component);
    post({ type: "done", component, exports, events, dependencies, bindings });
  } catch (error) {
    const trap = error instanceof WebAssembly.RuntimeError;
    post({ type: "error", message: String(error?.message ?? error), trap, bindings });
  }
}

self.onmessage = async ({ data: { id, type, options } }) => {
  const post = (message) => self.postMessage({ id, ...message });
  if (type === "build") {
    await build(options, post);
    return;
  }
  try {
    if (type !== "worlds") throw new Error(`unknown request ${type}`);
    post({ type: "done", worlds: await worlds(options) });
  } catch (error) {
    post({ type: "error", message: String(error?.message ?? error), trap: false });
  }
};
