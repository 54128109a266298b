// The JS API resolves and fetches dependencies like the native CLI: for each corpus case with an
// `index` line, both build against the same local index (target/debug/index-server) and must give
// the same component bytes and the same lock, or the same error. A second build with the lock
// among the files must fetch nothing (wheels from the cache) and give the same bytes.
//
// Needs what identical.test.mjs needs, plus the PyPI wheels of tests/pypi (`bash tests/pypi/fetch.sh`).
// Run: `node --test web/test/`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { componentize } from "../src/index.js";
import { componentizeOptions, corpus, startIndex } from "../../tests/cases.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const cli = process.env.COMPONENTIZE_PY_CLI ?? join(repo, "target/debug/componentize-py");
const cases = corpus();
const LOCK = "pylock.componentize-py.toml";

/** Every file under `dir` but golden-bindings/ (the harness leaves it out too): path -> bytes. */
async function readTree(dir, prefix = "", files = {}) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = prefix + entry.name;
    if (path === "golden-bindings") continue;
    if (entry.isDirectory()) await readTree(join(dir, entry.name), `${path}/`, files);
    else if (entry.isFile()) files[path] = new Uint8Array(await readFile(join(dir, entry.name)));
  }
  return files;
}

/** A wheel cache in memory that counts its hits. */
function memoryCache() {
  const wheels = new Map();
  const cache = {
    hits: 0,
    async get(sha256) {
      const bytes = wheels.get(sha256);
      if (bytes) cache.hits++;
      return bytes;
    },
    async put(sha256, bytes) {
      wheels.set(sha256, bytes);
    },
  };
  return cache;
}

/** Builds `c` natively in `dir` against `url`: `{ bytes, lock }` or `{ stderr }`. */
async function buildNative(c, dir, url) {
  const output = join(dir, "..", "out.wasm");
  const args = ["-q", ...c.build.global, "componentize", "app", "-o", output, ...c.build.componentize];
  args.push("--index-url", url);
  const env = { ...process.env };
  delete env.VIRTUAL_ENV;
  try {
    await promisify(execFile)(cli, args, { cwd: dir, env, maxBuffer: 1 << 26 });
    return {
      bytes: new Uint8Array(await readFile(output)),
      lock: await readFile(join(dir, LOCK), "utf8"),
    };
  } catch (error) {
    if (typeof error.code !== "number") throw error;
    return { stderr: error.stderr };
  }
}

/** Builds `files` with the JS API: the result, or `{ message }`. */
async function buildWeb(c, files, url, wheelCache) {
  const stages = [];
  try {
    const result = await componentize({
      ...componentizeOptions(c),
      files,
      appName: "app",
      indexUrl: url,
      wheelCache,
      onProgress: ({ stage }) => stages.at(-1) !== stage && stages.push(stage),
    });
    assert.deepEqual(
      result.events.map((e) => e.stage),
      stages,
    );
    return result;
  } catch (error) {
    return { message: error.message, error };
  }
}

/** Starts the case's index and copies the case (the native build writes its lock there). */
async function setUp(name, access) {
  const c = cases.get(name);
  const index = await startIndex(c, access);
  const scratch = await mkdtemp(join(tmpdir(), "componentize-py-web-deps-"));
  const dir = join(scratch, "app");
  await cp(c.dir, dir, { recursive: true, filter: (src) => !src.endsWith("/golden-bindings") });
  const files = await readTree(dir);
  return {
    c,
    index,
    dir,
    files,
    async tearDown() {
      index.stop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

for (const name of ["deps-pyproject", "deps-requirements", "deps-pypi-packages"]) {
  test(`${name}: the native CLI's bytes and lock, then nothing fetched with the lock`, async () => {
    const { c, index, dir, files, tearDown } = await setUp(name);
    try {
      const cache = memoryCache();
      const web = await buildWeb(c, files, index.url, cache);
      const native = await buildNative(c, dir, index.url);
      assert.ok(native.bytes, `native build failed: ${native.stderr}`);
      assert.ok(web.component, `web build failed: ${web.message}\n${web.error?.stack}`);
      assert.ok(Buffer.from(native.bytes).equals(Buffer.from(web.component)), "the components differ");
      assert.equal(web.dependencies.lock.path, LOCK);
      assert.equal(web.dependencies.lock.text, native.lock);
      assert.equal(web.events[0].stage, "dependencies");
      for (const { name, version } of web.dependencies.packages) {
        assert.ok(native.lock.includes(`name = "${name}"\nversion = "${version}"`), `${name} ${version}`);
      }

      await index.clear();
      const again = await buildWeb(c, { ...files, [LOCK]: native.lock }, index.url, cache);
      assert.ok(again.component, `the build with the lock failed: ${again.message}`);
      assert.deepEqual(await index.settled(), [], "the build with the lock fetched");
      assert.equal(cache.hits, web.dependencies.packages.length);
      assert.equal(again.dependencies.lock, undefined, "an up-to-date lock is not rewritten");
      assert.ok(Buffer.from(again.component).equals(Buffer.from(web.component)), "the rebuild differs");
    } finally {
      await tearDown();
    }
  });
}

for (const name of ["deps-conflict", "deps-native-only", "deps-compiled-in-pure", "deps-hash-pins"]) {
  test(`${name}: the native CLI's error message`, async () => {
    const { c, index, dir, files, tearDown } = await setUp(name);
    try {
      const web = await buildWeb(c, files, index.url, false);
      const native = await buildNative(c, dir, index.url);
      assert.ok(native.stderr !== undefined, "the native build should fail");
      assert.ok(web.message !== undefined, "the web build should fail");
      assert.equal(web.message, native.stderr.replace(/^error: /, "").replace(/\n$/, ""));
    } finally {
      await tearDown();
    }
  });
}

test("an index behind basic authentication: credentials sent, kept out of the lock", async () => {
  const authorization = `Basic ${Buffer.from("reader:s3cr@t").toString("base64")}`;
  const { c, index, dir, files, tearDown } = await setUp("deps-pyproject", { authorization });
  try {
    const url = index.url.replace("http://", "http://reader:s3cr%40t@");
    const web = await buildWeb(c, files, url, false);
    const native = await buildNative(c, dir, url);
    assert.ok(native.bytes, `native build failed: ${native.stderr}`);
    assert.ok(web.component, `web build failed: ${web.message}`);
    assert.equal(web.dependencies.lock.text, native.lock);
    assert.doesNotMatch(native.lock, /reader|s3cr/);
    assert.match(native.lock, new RegExp(`index = "${index.url}"`));
    // From the lock: the wheels' URLs get the index's credentials back.
    const again = await buildWeb(c, { ...files, [LOCK]: native.lock }, url, false);
    assert.ok(again.component, `the build with the lock failed: ${again.message}`);
    // Without credentials the index refuses.
    const refused = await buildWeb(c, files, index.url, false);
    assert.match(refused.message ?? "", /HTTP status 401/);
  } finally {
    await tearDown();
  }
});

test("credentials never appear in messages", async () => {
  const c = cases.get("deps-pyproject");
  const files = await readTree(c.dir);
  const url = "http://reader:s3cr%40t@127.0.0.1:9/simple";
  const web = await buildWeb(c, files, url, false);
  const scratch = await mkdtemp(join(tmpdir(), "componentize-py-web-deps-"));
  try {
    await cp(c.dir, join(scratch, "app"), { recursive: true });
    const native = await buildNative(c, join(scratch, "app"), url);
    for (const message of [web.message, native.stderr]) {
      assert.match(message ?? "", /fetching http:\/\/127\.0\.0\.1:9\/simple\/greet\/: /);
      assert.doesNotMatch(message, /reader|s3cr/);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});

test("a wheel cache that fails only costs downloads; verified wheels are kept when a build fails", async () => {
  const { c, index, files, tearDown } = await setUp("deps-pyproject");
  try {
    const failing = { get: () => { throw new Error("get"); }, put: async () => { throw new Error("put"); } };
    const built = await buildWeb(c, files, index.url, failing);
    assert.ok(built.component, `the build failed: ${built.message}`);
    // The app fails at initialisation, after the wheels were installed: they are cached anyway.
    const cache = memoryCache();
    const broken = await buildWeb(c, { ...files, "app.py": "raise RuntimeError('boom')\n" }, index.url, cache);
    assert.match(broken.message ?? "", /boom/);
    await index.clear();
    const again = await buildWeb(c, files, index.url, cache);
    assert.ok(again.component, `the build failed: ${again.message}`);
    assert.deepEqual((await index.settled()).filter((path) => path.endsWith(".whl")), []);
  } finally {
    await tearDown();
  }
});

test("an unreachable index: the error names the URL", async () => {
  const c = cases.get("deps-pyproject");
  const files = await readTree(c.dir);
  const web = await buildWeb(c, files, "http://127.0.0.1:9/simple", false);
  assert.match(web.message ?? "", /fetching http:\/\/127\.0\.0\.1:9\/simple\/greet\/: /);
});
