// Vite configuration: a static site in dist/ with relative URLs, so it works from any static
// server and any sub-path. The componentizer comes from ../web as source files; its artifacts
// (../web/dist: the wasm-bindgen module and the gzipped runtime) are found by vite through the
// `new URL(..., import.meta.url)` in web/src/index.js and emitted as assets. Workers are ES
// modules.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const repo = fileURLToPath(new URL("..", import.meta.url));
for (const artifact of ["componentize_py_wasm.js", "runtime.wasm.gz", "stdlib.zip.gz"]) {
  if (!existsSync(new URL(`../web/dist/${artifact}`, import.meta.url))) {
    throw new Error(`web/dist/${artifact} is missing: run \`bash web/build.sh\` first`);
  }
}

export default defineConfig({
  base: "./",
  resolve: {
    // web/src/engine.js imports the WASI shim by name: take playground's copy.
    dedupe: ["@bjorn3/browser_wasi_shim"],
  },
  worker: { format: "es" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The componentizer, runtime and jco are large wasm files by nature.
    chunkSizeWarningLimit: 4096,
    assetsInlineLimit: 0,
  },
  // jco finds its wasm next to its modules (new URL(..., import.meta.url)): keep it unbundled
  // in dev so those URLs stay valid.
  optimizeDeps: {
    exclude: [
      "@bytecodealliance/jco",
      "@bytecodealliance/jco-transpile",
      "@bytecodealliance/preview2-shim",
    ],
  },
  server: { host: "127.0.0.1", fs: { allow: [repo] } },
  preview: { host: "127.0.0.1" },
});
