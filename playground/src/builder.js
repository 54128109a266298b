// The main thread's side of the build worker: one build at a time, progress callbacks, and a
// fresh worker after a trap (a wasm instance that trapped mid-call is not reused).

/** Builds components in a Web Worker. */
export class Builder {
  constructor() {
    this.worker = null;
    this.nextId = 1;
    this.pending = new Map();
  }

  /** Starts the worker now, so the componentizer and runtime load before the first build. */
  warmUp() {
    this.#worker();
  }

  #worker() {
    if (this.worker) return this.worker;
    this.worker = new Worker(new URL("./build-worker.js", import.meta.url), { type: "module" });
    this.worker.onmessage = ({ data }) => {
      const request = this.pending.get(data.id);
      if (!request) return;
      if (data.type === "progress") {
        request.onProgress?.(data);
        return;
      }
      this.pending.delete(data.id);
      if (data.type === "done") {
        request.resolve(data);
      } else {
        if (data.trap) this.#restart();
        const error = new Error(data.message);
        error.bindings = data.bindings;
        request.reject(error);
      }
    };
    this.worker.onerror = (event) => {
      const error = new Error(event.message || "the build worker failed");
      for (const request of this.pending.values()) request.reject(error);
      this.pending.clear();
      this.#restart();
    };
    return this.worker;
  }

  #restart() {
    this.worker?.terminate();
    this.worker = null;
  }

  #request(type, options, onProgress) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.#worker().postMessage({ id, type, options });
    });
  }

  /**
   * Builds a component. `options` are componentize's (files as path -> string). Resolves to
   * `{ component, exports, events, dependencies, bindings }`; rejects with the CLI's error
   * message (and `bindings` when the build got that far).
   */
  build(options, onProgress) {
    return this.#request("build", options, onProgress);
  }

  /** The worlds of the WIT in `files` (path -> string): `[{ name, main }]`; rejects on bad WIT. */
  async worlds(files) {
    const { worlds } = await this.#request("worlds", { files });
    return worlds;
  }
}
