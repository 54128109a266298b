// Transpiles a component with jco, imports it on Node and runs checks against its exports.
//
//   node run.mjs COMPONENT.wasm [ARG]... < CHECKS.js
//
// CHECKS.js (read from stdin) is the body of an async function called with:
//   component  the transpiled component's ES module (its exports, as jco names them)
//   assert     node:assert/strict
//   shim       the preview2-shim modules: { cli, http }
// The component's WASI arguments are ARG... (after the program name "component"); what it prints
// goes to this process's stdout and stderr. The transpiled files live in a temporary directory
// that is removed afterwards. Timings go to stderr.
//
// Install the packages with `npm install --no-save`, which follows package-lock.json: `npm ci`
// rejects that lockfile, because the registry lacks some of the other platforms' optional
// binaries that jco's dependencies list.

import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { transpile } from "@bytecodealliance/jco";
import * as cli from "@bytecodealliance/preview2-shim/cli";
import * as http from "@bytecodealliance/preview2-shim/http";

const [componentPath, ...args] = process.argv.slice(2);
if (!componentPath) {
  console.error("usage: node run.mjs COMPONENT.wasm [ARG]... < CHECKS.js");
  process.exit(2);
}

const checks = await new Promise((resolve, reject) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
  process.stdin.on("error", reject);
});

// A component that never returns must fail the test, not hang it.
setTimeout(() => {
  console.error("[jco] timed out after 120 s");
  process.exit(1);
}, 120_000).unref();

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(2)} s`;

const { files } = await transpile(await readFile(componentPath), {
  name: "component",
  noTypescript: true,
  quiet: true,
});
console.error(`[jco] transpiled ${componentPath} in ${elapsed()}`);

const dir = await mkdtemp(join(tmpdir(), "componentize-py-jco-"));
try {
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), bytes);
  }
  // The output is ES modules importing the shim by package name: resolve it from here.
  await writeFile(join(dir, "package.json"), '{ "type": "module" }\n');
  const here = dirname(fileURLToPath(import.meta.url));
  await symlink(join(here, "node_modules"), join(dir, "node_modules"), "dir");

  cli._setArgs(["component", ...args]);
  const component = await import(pathToFileURL(join(dir, "component.js")).href);
  console.error(`[jco] instantiated in ${elapsed()}`);

  const AsyncFunction = (async () => {}).constructor;
  await new AsyncFunction("component", "assert", "shim", checks)(component, assert, { cli, http });
  console.error(`[jco] checks passed in ${elapsed()}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
