// The build worker: runs the componentizer (web/src/index.js) off the main thread, since
// pre-initialisation instantiates the runtime synchronously.
//
// Messages in:  { id, options }  (componentize's options, `files` as path -> string)
// Messages out: { id, type: "progress", stage, description, at }  (at: ms since the request)
//               { id, type: "done", component, events, dependencies, bindings, bindingsError }
//               { id, type: "error", message, trap }  (trap: the wasm instance may be unusable)

import { bindings, componentize, loadRuntime } from "../../web/src/index.js";

// Start fetching the runtime artifacts as soon as the worker exists.
loadRuntime().catch(() => {});

self.onmessage = async ({ data: { id, options } }) => {
  const started = performance.now();
  const post = (message) => self.postMessage({ id, ...message });
  let generated = null;
  let bindingsError = null;
  try {
    generated = await bindings({
      files: options.files,
      world: options.world,
      worldModule: options.worldModule,
    });
  } catch (error) {
    bindingsError = String(error?.message ?? error);
  }
  try {
    const { component, events, dependencies } = await componentize({
      ...options,
      onProgress: ({ stage, description }) =>
        post({ type: "progress", stage, description, at: performance.now() - started }),
    });
    post({ type: "done", component, events, dependencies, bindings: generated, bindingsError });
  } catch (error) {
    const trap = error instanceof WebAssembly.RuntimeError;
    post({ type: "error", message: String(error?.message ?? error), trap, bindings: generated });
  }
};
