// The main thread's side of the run worker: load a component, run it as a command, or call its
// exports. A call that runs too long is stopped by ending the worker; the component is then
// loaded again into a fresh one on the next request.

const TIMEOUT_MS = 60_000;

/** Runs components in a Web Worker. */
export class Runner {
  constructor() {
    this.worker = null;
    this.nextId = 1;
    this.pending = new Map();
    this.component = null;
    this.exports = null;
    this.loaded = null;
  }

  #worker() {
    if (this.worker) return this.worker;
    this.worker = new Worker(new URL("./run-worker.js", import.meta.url), { type: "module" });
    this.worker.onmessage = ({ data }) => {
      const request = this.pending.get(data.id);
      if (!request) return;
      if (data.type === "output") {
        request.onOutput?.(data.stream, data.text);
        return;
      }
      this.pending.delete(data.id);
      clearTimeout(request.timer);
      if (data.type === "done") request.resolve(data);
      else request.reject(new Error(data.message));
    };
    this.worker.onerror = (event) => this.#fail(new Error(event.message || "the run worker failed"));
    return this.worker;
  }

  #fail(error) {
    for (const request of this.pending.values()) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    this.pending.clear();
    this.worker?.terminate();
    this.worker = null;
    this.loaded = null;
  }

  #request(message, onOutput) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.#fail(new Error(`stopped after ${TIMEOUT_MS / 1000} s`)),
        TIMEOUT_MS,
      );
      this.pending.set(id, { resolve, reject, onOutput, timer });
      this.#worker().postMessage({ id, ...message });
    });
  }

  /**
   * Transpiles `component` (with jco) in the worker. `exports` are its exports as the build
   * described them (`{ functions, interfaces }`). Resolves to
   * `{ functions, interfaces, command, transpileMs }`: the world-level function exports with
   * their WIT types, the exported interfaces, and whether it is a `wasi:cli` command.
   */
  async load(component, exports) {
    this.component = component;
    this.exports = exports;
    const { transpileMs } = await this.#request({ type: "load", component: component.slice() });
    const command = exports.interfaces.some((i) => /^wasi:cli\/run@/.test(i));
    this.loaded = { ...exports, command, transpileMs };
    return this.loaded;
  }

  async #ensureLoaded() {
    if (!this.loaded && this.component) await this.load(this.component, this.exports);
  }

  /** Runs the command with `args`; output goes to `onOutput(stream, text)`. */
  async run(args, onOutput) {
    await this.#ensureLoaded();
    return this.#request({ type: "run", args }, onOutput);
  }

  /** Calls export `name` with jco values; resolves to `{ ok, value, ms }`. */
  async call(name, args, onOutput) {
    await this.#ensureLoaded();
    return this.#request({ type: "call", name, args }, onOutput);
  }
}
