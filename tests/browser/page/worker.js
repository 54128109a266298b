// The test page's module worker: componentize() pre-initialises the runtime synchronously
// (WebAssembly.Module/Instance), which browsers allow for large modules only off the main
// thread. Message in: `{ run, job: { dir, world, appName, options }, files }`; out:
// `{ type: "progress", run, description }`, then `{ component, sha256, ms, events, dependencies }` or
// `{ error, ms }` (`error` is the message, which matches the CLI's after "error: ").

import { componentize } from "/web/src/index.js";

const hex = (buffer) =>
  [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

self.addEventListener("message", async ({ data: { run, job, files } }) => {
  const start = performance.now();
  try {
    const { component, events, dependencies } = await componentize({
      ...job.options,
      files,
      world: job.world,
      appName: job.appName,
      onProgress: ({ description }) => self.postMessage({ type: "progress", run, description }),
    });
    const ms = performance.now() - start;
    const sha256 = hex(await crypto.subtle.digest("SHA-256", component));
    const plainEvents = events.map(({ stage, description, elapsedMs }) => ({
      stage,
      description,
      elapsedMs,
    }));
    self.postMessage({ component, sha256, ms, events: plainEvents, dependencies });
  } catch (error) {
    const ms = performance.now() - start;
    self.postMessage({ error: error instanceof Error ? error.message : String(error), ms });
  }
});
