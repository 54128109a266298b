// The componentizer on Node (web/src/index.js) must build the same bytes as the native CLI.
//
// Needs: `bash web/build.sh` (web/dist) and `cargo build -p componentize-py` (the native CLI at
// target/debug/componentize-py, or $COMPONENTIZE_PY_CLI). Run: `node --test web/test/`.
//
// Each case of tests/cases is built natively the way tests/host/src/cases.rs does (in the case
// directory: `-q [-w WORLD]... componentize app -o OUT [--stub-wasi]`) and with `componentize()`
// from the same files, and the outputs are compared byte for byte; error cases compare the
// error message with the CLI's stderr (without its "error: ").

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { componentize } from "../src/index.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const cli = process.env.COMPONENTIZE_PY_CLI ?? join(repo, "target/debug/componentize-py");
const cases = join(repo, "tests/cases");

/** Every file under `dir`: relative path -> bytes. */
async function readTree(dir, prefix = "", files = {}) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = prefix + entry.name;
    if (entry.isDirectory()) await readTree(join(dir, entry.name), `${path}/`, files);
    else if (entry.isFile()) files[path] = new Uint8Array(await readFile(join(dir, entry.name)));
  }
  return files;
}

/** The `world` and `stub-wasi` directives of a case. */
async function directives(dir) {
  const worlds = [];
  let stubWasi = false;
  for (const raw of (await readFile(join(dir, "case.txt"), "utf8")).split("\n")) {
    const line = raw.trim();
    const [word, ...rest] = line.split(" ");
    if (word === "world") worlds.push(rest.join(" ").trim());
    if (word === "stub-wasi") stubWasi = true;
  }
  return { worlds, stubWasi };
}

/** Builds a case with the native CLI: `{ bytes }` or `{ stderr }`. */
async function buildNative(dir, { worlds, stubWasi }) {
  const out = await mkdtemp(join(tmpdir(), "componentize-py-web-"));
  const output = join(out, "out.wasm");
  const args = ["-q", ...worlds.flatMap((w) => ["-w", w]), "componentize", "app", "-o", output];
  if (stubWasi) args.push("--stub-wasi");
  const env = { ...process.env };
  delete env.VIRTUAL_ENV;
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
async function buildWeb(dir, { worlds, stubWasi }) {
  const stages = [];
  try {
    const { component, events } = await componentize({
      files: await readTree(dir),
      world: worlds,
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
    const dir = join(cases, name);
    const how = await directives(dir);
    const [native, web] = await Promise.all([buildNative(dir, how), buildWeb(dir, how)]);
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
    const dir = join(cases, name);
    const how = await directives(dir);
    const [native, web] = await Promise.all([buildNative(dir, how), buildWeb(dir, how)]);
    assert.ok(native.stderr !== undefined, "the native build should fail");
    assert.ok(web.message !== undefined, "the web build should fail");
    const expected = native.stderr.replace(/^error: /, "").replace(/\n$/, "");
    assert.equal(web.message, expected);
  });
}
