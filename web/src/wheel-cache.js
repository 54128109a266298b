// The wheel cache of the JS API, keyed by SHA-256: in Node the native CLI's
// (`<cache root>/wheels/<sha256>.whl`, ./node-cache.js), in browsers the Cache API. A cache is
// `{ get(sha256) -> Promise<Uint8Array | undefined>, put(sha256, bytes) -> Promise }`; failures
// only cost a download.

const isNode = typeof process !== "undefined" && !!process.versions?.node;

/** The browser's cache (the Cache API's `componentize-py-wheels`), or none without one. */
function browserCache() {
  if (typeof caches === "undefined") return null;
  const open = () => caches.open("componentize-py-wheels");
  // Cache API keys are URLs; these only name the entries and are never fetched.
  const key = (sha256) => new URL(`/componentize-py/wheels/${sha256}.whl`, self.location.href);
  return {
    async get(sha256) {
      try {
        const response = await (await open()).match(key(sha256));
        return response ? new Uint8Array(await response.arrayBuffer()) : undefined;
      } catch {
        return undefined;
      }
    },
    async put(sha256, bytes) {
      try {
        await (await open()).put(key(sha256), new Response(bytes));
      } catch {
        // Out of quota or storage disabled: the wheel is downloaded again next time.
      }
    },
  };
}

/** Node's cache, shared with the native CLI. */
async function nodeCache() {
  const { wheelPath } = await import("./node-cache.js");
  const fs = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  return {
    async get(sha256) {
      const path = wheelPath(sha256);
      try {
        return path ? new Uint8Array(await fs.readFile(path)) : undefined;
      } catch {
        return undefined;
      }
    },
    async put(sha256, bytes) {
      const path = wheelPath(sha256);
      if (!path) return;
      const partial = `${path}.partial-${process.pid}-${Math.random().toString(16).slice(2)}`;
      try {
        await fs.mkdir(dirname(path), { recursive: true });
        await fs.writeFile(partial, bytes);
        await fs.rename(partial, path);
      } catch {
        await fs.rm(partial, { force: true }).catch(() => {});
      }
    },
  };
}

/** The default wheel cache where the JS API runs (`null` where there is none). */
export function defaultWheelCache() {
  return isNode ? nodeCache() : Promise.resolve(browserCache());
}
