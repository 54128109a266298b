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

import { bindings, componentExports, componentize, worlds } from "../src/index.js";
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
    assert.ok(component instanceof Uint8Array, "the component comes as a Uint8Array");
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

test("worlds, componentExports and onBindings read WIT with the componentizer", async () => {
  const c = cases.get("many-params");
  const files = await readTree(c.dir);
  assert.deepEqual(await worlds({ files }), [{ name: "many-params", main: true }]);
  let fromBuild = null;
  const { component } = await componentize({
    files,
    appName: "app",
    onBindings: (generated) => {
      fromBuild = generated;
    },
  });
  // The build hands over the bindings it generated: those `bindings` gives.
  assert.deepEqual(fromBuild, await bindings({ files }));
  const { functions, interfaces } = await componentExports(component);
  assert.deepEqual(
    functions.map((f) => f.name),
    ["digits8", "digits9", "spread", "fail9"],
  );
  const spread = functions[2];
  assert.equal(spread.params.length, 17);
  assert.deepEqual(spread.params[9], { name: "j", type: { kind: "string" } });
  assert.deepEqual(spread.result, { kind: "string" });
  assert.deepEqual(functions[3].result, {
    kind: "result",
    ok: { kind: "u8" },
    err: { kind: "string" },
  });
  assert.deepEqual(interfaces, []);
  // The built-in WASI command world exports wasi:cli/run.
  const command = await componentize({
    files: await readTree(cases.get("cli-hello").dir),
    world: ["wasi:cli/command@0.2.0"],
    appName: "app",
  });
  const exported = await componentExports(command.component);
  assert.ok(exported.interfaces.some((i) => /^wasi:cli\/run@/.test(i)), exported.interfaces.join(", "));
  await assert.rejects(worlds({ files: { "wit/world.wit": "package a:b;\nworld w {" } }), /wit\/world\.wit/);
});
