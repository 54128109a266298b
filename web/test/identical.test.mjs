// The componentizer on Node (web/src/index.js) must build the same bytes as the native CLI.
//
// Needs: `bash web/build.sh` (web/dist) and `cargo build --workspace` (the native CLI at
// target/debug/componentize-py, or $COMPONENTIZE_PY_CLI, and the harness's target/debug/cases-json).
// Run: `node --test web/test/`.
//
// Each case of tests/cases is built natively with the command line tests/host/src/cases.rs uses
// (read from its parse of case.txt, tests/cases.mjs) and with `componentize()` from the same
// files, and the outputs are compared byte for byte; error cases compare the error message with
// the CLI's stderr (without its "error: ").

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { componentize } from "../src/index.js";
import { componentizeOptions, corpus } from "../../tests/cases.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const cli = process.env.COMPONENTIZE_PY_CLI ?? join(repo, "target/debug/componentize-py");
const cases = corpus();

/** Every file under `dir`: relative path -> bytes. */
async function readTree(dir, prefix = "", files = {}) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = prefix + entry.name;
    if (entry.isDirectory()) await readTree(join(dir, entry.name), `${path}/`, files);
    else if (entry.isFile()) files[path] = new Uint8Array(await readFile(join(dir, entry.name)));
  }
  return files;
}

/** Builds a case with the native CLI as the harness does: `{ bytes }` or `{ stderr }`. */
async function buildNative({ dir, build }) {
  const out = await mkdtemp(join(tmpdir(), "componentize-py-web-"));
  const output = join(out, "out.wasm");
  const args = ["-q", ...build.global, "componentize", "app", "-o", output, ...build.componentize];
  const env = { ...process.env };
  delete env.VIRTUAL_ENV;
  Object.assign(env, Object.fromEntries(build.env));
  try {
    await promisify(execFile)(cli, args, { cwd: dir, env, maxBuffer: 1 << 26 });
    return { bytes: new Uint8Array(await readFile(output)) };
  } catch (error) {
    if (error.code === undefined || typeof error.code !== "number") throw error;
    return { stderr: error.stderr };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Builds a case with the wasm componentizer: `{ bytes, events }` or `{ message }`. */
async function buildWeb(c) {
  const { world, stubWasi } = componentizeOptions(c);
  const stages = [];
  try {
    const { component, events } = await componentize({
      files: await readTree(c.dir),
      world,
      appName: "app",
      stubWasi,
      onProgress: ({ stage }) => stages.push(stage),
    });
    assert.deepEqual(
      events.map((e) => e.stage),
      stages,
    );
    return { bytes: component, events };
  } catch (error) {
    return { message: error.message, error };
  }
}

function firstDifference(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

for (const name of [
  "scalars",
  "compound",
  "resources",
  "stub-wasi",
  "imports",
  "lazy-imports",
  "cli-hello",
]) {
  test(`${name}: byte-identical to the native CLI`, async () => {
    const c = cases.get(name);
    const [native, web] = await Promise.all([buildNative(c), buildWeb(c)]);
    assert.ok(native.bytes, `native build failed: ${native.stderr}`);
    assert.ok(web.bytes, `web build failed: ${web.message}\n${web.error?.stack}`);
    assert.ok(
      Buffer.from(native.bytes).equals(Buffer.from(web.bytes)),
      `outputs differ: native ${native.bytes.length} bytes, web ${web.bytes.length} bytes, ` +
        `first difference at ${firstDifference(native.bytes, web.bytes)}`,
    );
  });
}

for (const name of ["error-wit-syntax", "error-python-exception"]) {
  test(`${name}: the native CLI's error message`, async () => {
    const c = cases.get(name);
    const [native, web] = await Promise.all([buildNative(c), buildWeb(c)]);
    assert.ok(native.stderr !== undefined, "the native build should fail");
    assert.ok(web.message !== undefined, "the web build should fail");
    const expected = native.stderr.replace(/^error: /, "").replace(/\n$/, "");
    assert.equal(web.message, expected);
  });
}
