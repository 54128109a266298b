// Browser acceptance test (issue #4): web/src/index.js's componentize() in headless chromium,
// driven by playwright-core, must build the native CLI's bytes, show its build times in the page,
// and report bad input with the native CLI's error message.
//
// Needs (the test fails, never skips, and says which is missing):
//   bash web/build.sh                  web/dist and web/node_modules
//   cargo build --workspace            the native CLI (target/debug/componentize-py, or
//                                      $COMPONENTIZE_PY_CLI) and the corpus as JSON
//                                      (target/debug/cases-json, tests/cases.mjs)
//   source tests/chromium.sh           Debian's chromium ($COMPONENTIZE_PY_CHROMIUM, else
//                                      `command -v chromium`); a browser is never downloaded
//   (cd tests/browser && npm ci)       playwright-core
// Run: `node --test tests/browser/`. Screenshots go to target/browser-test/ (or
// $COMPONENTIZE_PY_BROWSER_OUT).
//
// The page (page/index.html, served with web/ by server.mjs on 127.0.0.1) builds the files of one
// directory in a module worker, a cold build then a second one in the same page, and shows their
// times and SHA-256s. Each input is built natively the way tests/host/src/cases.rs does (in the
// directory: `-q [-w WORLD]... componentize app -o OUT [FLAGS]`, a case's worlds and `componentize`
// flags from the harness's parse of its case.txt) and the bytes compared.
//
// Dependencies: a case with an `index` line is built against its local index, served by
// target/debug/index-server on a second port (so cross-origin, with CORS headers, as PyPI sends
// them), natively in a copy of the case (the CLI writes its lock there). The second build in the
// page must take every wheel from the Cache API, and the lock must be the CLI's. Served without
// CORS headers, the build must fail with a message that names the URL and says CORS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { componentizeOptions, corpus, startIndex } from "../cases.mjs";
import { CHROMIUM_ARGS, chromiumPath } from "../chromium.mjs";
import { repo, startServer } from "./server.mjs";

const cli = process.env.COMPONENTIZE_PY_CLI ?? join(repo, "target/debug/componentize-py");
const screenshots = process.env.COMPONENTIZE_PY_BROWSER_OUT ?? join(repo, "target/browser-test");


// Time limits: loading a page, one build in the browser (the cold one loads ~10 MB of wasm and
// the runtime), one native build.
const LOAD_TIMEOUT = 60_000;
const BUILD_TIMEOUT = 5 * 60_000;
const NATIVE_TIMEOUT = 5 * 60_000;

// An input is an example (with its world) or a corpus case (`case`: its name).
const INPUTS = [
  { name: "example-cli", dir: "examples/cli", world: ["wasi:cli/command@0.2.0"] },
  { name: "case-compound", dir: "tests/cases/compound", case: "compound" },
  { name: "case-deps-pyproject", dir: "tests/cases/deps-pyproject", case: "deps-pyproject" },
];
const ERROR_INPUTS = [{ name: "error-wit-syntax", dir: "tests/cases/error-wit-syntax", case: "error-wit-syntax" }];

/** Checks the prerequisites; returns `{ chromium, playwright }`. */
async function prerequisites() {
  const missing = [];
  for (const file of [
    "componentize_py_wasm.js",
    "componentize_py_wasm_bg.wasm",
    "runtime.wasm.gz",
    "stdlib.zip.gz",
  ]) {
    if (!existsSync(join(repo, "web/dist", file))) missing.push(`web/dist/${file}`);
  }
  if (missing.length) assert.fail(`missing ${missing.join(", ")}: run \`bash web/build.sh\``);
  assert.ok(
    existsSync(join(repo, "web/node_modules/@bjorn3/browser_wasi_shim/package.json")),
    "missing web/node_modules/@bjorn3/browser_wasi_shim: run `bash web/build.sh` (or `(cd web && npm ci)`)",
  );
  assert.ok(existsSync(cli), `missing the native CLI ${cli}: run \`cargo build -p componentize-py\``);
  let chromium;
  try {
    chromium = chromiumPath();
  } catch (error) {
    assert.fail(error.message);
  }
  let playwright;
  try {
    playwright = await import("playwright-core");
  } catch (error) {
    assert.fail(`playwright-core is not installed: run \`(cd tests/browser && npm ci)\` (${error.message})`);
  }
  return { chromium, playwright };
}

/**
 * How `input` is built: `{ world, options, args }`, `options` being the other `componentize()`
 * options and `args` the same as `componentize` flags (a case's from the harness's parse of
 * case.txt).
 */
function buildOptions(input) {
  if (!input.case) return { world: input.world, options: {}, args: [] };
  const c = corpus().get(input.case);
  const { world, ...options } = componentizeOptions(c);
  return { world, options, args: c.build.componentize };
}

/**
 * Builds natively like tests/host/src/cases.rs, in a copy of `dir` when there is an index:
 * `{ bytes, ms, lock }` or `{ stderr }`.
 */
async function buildNative(dir, how, index) {
  const out = await mkdtemp(join(tmpdir(), "componentize-py-browser-"));
  const output = join(out, "out.wasm");
  const args = ["-q", ...how.world.flatMap((w) => ["-w", w]), "componentize", "app", "-o", output, ...how.args];
  if (index) {
    args.push("--index-url", index.url);
    await cp(dir, join(out, "app"), { recursive: true });
    dir = join(out, "app");
  }
  const env = { ...process.env };
  delete env.VIRTUAL_ENV;
  const start = performance.now();
  try {
    await promisify(execFile)(cli, args, { cwd: dir, env, maxBuffer: 1 << 26, timeout: NATIVE_TIMEOUT });
    const lock = index ? await readFile(join(dir, "pylock.componentize-py.toml"), "utf8") : null;
    return { bytes: await readFile(output), ms: performance.now() - start, lock };
  } catch (error) {
    if (typeof error.code !== "number") throw new Error(`running ${cli}: ${error.message}`);
    return { stderr: error.stderr };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** The page's URL for `dir` built with `how` (and against `index`). */
function pageUrl(base, dir, how, runs, index) {
  const query = new URLSearchParams({ dir, runs: String(runs) });
  for (const w of how.world) query.append("world", w);
  const options = { ...how.options, ...(index && { indexUrl: index.url }) };
  query.set("options", JSON.stringify(options));
  return new URL(`tests/browser/page/index.html?${query}`, base).href;
}

/** The case's local index if it has one (a second origin), else `null`. */
function startInputIndex(input, options) {
  const c = input.case && corpus().get(input.case);
  return c?.directives.some((d) => d.kind === "index") ? startIndex(c, options) : null;
}

/** Opens the page and waits until its builds are over; returns `{ page, results, diagnostics }`. */
async function runPage(context, url, runs) {
  const page = await context.newPage();
  const diagnostics = [];
  page.on("console", (m) => diagnostics.push(`console.${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => diagnostics.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => diagnostics.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => r.status() >= 400 && diagnostics.push(`HTTP ${r.status()}: ${r.url()}`));
  const explain = async () => {
    const status = await page.locator("#status").textContent({ timeout: 5_000 }).catch(() => "?");
    const log = await page.locator("#log").innerText({ timeout: 5_000 }).catch(() => "");
    return `page status: ${status}\npage log:\n${log}\n${diagnostics.join("\n")}`;
  };
  try {
    await page.goto(url, { timeout: LOAD_TIMEOUT, waitUntil: "load" });
  } catch (error) {
    throw new Error(`loading ${url} failed: ${error.message}\n${await explain()}`);
  }
  try {
    await page.waitForFunction(() => window.pageResults && window.pageResults.state !== "running", null, {
      timeout: BUILD_TIMEOUT * runs,
      polling: 250,
    });
  } catch (error) {
    throw new Error(`the page did not finish its ${runs} build(s) within ${(BUILD_TIMEOUT * runs) / 1000} s: ` +
      `${error.message.split("\n")[0]}\n${await explain()}`);
  }
  const results = await page.evaluate(() => {
    const { state, builds, error } = window.pageResults;
    return { state, builds, error };
  });
  if (results.state === "broken") assert.fail(`the page failed: ${results.error}\n${await explain()}`);
  return { page, results, explain };
}

async function screenshot(page, name) {
  await mkdir(screenshots, { recursive: true });
  const path = join(screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: true, timeout: 30_000 });
  return path;
}

function firstDifference(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

test("componentize() in chromium", { timeout: 30 * 60_000 }, async (t) => {
  const { chromium, playwright } = await prerequisites();
  const userDataDir = await mkdtemp(join(tmpdir(), "componentize-py-chromium-"));
  let server;
  let context;
  try {
    server = await startServer();
    t.diagnostic(`serving ${server.url}; chromium ${chromium}`);
    context = await playwright.chromium.launchPersistentContext(userDataDir, {
      executablePath: chromium,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: LOAD_TIMEOUT,
    });
    context.setDefaultTimeout(LOAD_TIMEOUT);

    for (const input of INPUTS) {
      await t.test(`${input.dir}: same bytes as the native CLI, build times shown`, async (t) => {
        const dir = join(repo, input.dir);
        const how = buildOptions(input);
        const index = await startInputIndex(input);
        const native = await buildNative(dir, how, index).finally(() => index?.clear());
        assert.ok(native.bytes, `the native build failed:\n${native.stderr}`);
        const nativeSha = createHash("sha256").update(native.bytes).digest("hex");

        const url = pageUrl(server.url, input.dir, how, 2, index);
        let requested = [];
        const { page, results, explain } = await runPage(context, url, 2).finally(async () => {
          if (!index) return;
          requested = await index.settled();
          index.stop();
        });
        try {
          assert.equal(results.state, "done", `componentize failed in the browser: ${results.error}\n${await explain()}`);
          assert.deepEqual(results.builds.map((b) => b.label), ["cold", "second"]);

          // The times are in the page.
          for (const label of ["cold", "second"]) {
            const shown = await page.locator(`tr[data-label="${label}"] td.ms`).textContent();
            assert.match(shown ?? "", /^\d+$/, `the page shows no build time for the ${label} build`);
            assert.ok(Number(shown) > 0, `the ${label} build time shown is ${shown}`);
          }
          for (const [i, build] of results.builds.entries()) {
            const bytes = Buffer.from(await page.evaluate((i) => window.componentBase64(i), i), "base64");
            assert.ok(
              bytes.equals(native.bytes),
              `${build.label} build: the browser's ${bytes.length} bytes differ from the native ` +
                `${native.bytes.length} bytes at ${firstDifference(bytes, native.bytes)} (is web/dist ` +
                "older than the native CLI? rerun `bash web/build.sh` and `cargo build -p componentize-py`)",
            );
            assert.equal(build.sha256, nativeSha, `${build.label} build: the SHA-256 shown in the page`);
            if (index) assert.equal(build.lock, native.lock, `${build.label} build: the lock`);
          }
          if (index) {
            const packages = results.builds[0].packages.map((p) => `${p.name} ${p.version}`).join(", ");
            assert.ok(packages, "the page lists no packages");
            assert.match(await page.locator("#log").innerText(), new RegExp(`packages ${packages}`));
            // The local index is the only origin serving wheels: the second build found them all
            // in the Cache API.
            const wheels = requested.filter((path) => path.endsWith(".whl"));
            assert.equal(wheels.length, results.builds[0].packages.length, `wheels fetched: ${wheels}`);
          }
          const path = await screenshot(page, input.name);
          const [cold, second] = results.builds;
          t.diagnostic(
            `${input.dir}: ${native.bytes.length} bytes, sha256 ${nativeSha.slice(0, 16)}…; browser cold ` +
              `${cold.ms.toFixed(0)} ms, second ${second.ms.toFixed(0)} ms; native (debug CLI) ` +
              `${native.ms.toFixed(0)} ms; screenshot ${path}`,
          );
        } finally {
          await page.close();
        }
      });
    }

    await t.test("an index without CORS headers: the error names the URL and CORS", async () => {
      const input = INPUTS.find((i) => i.case === "deps-pyproject");
      const index = await startInputIndex(input, { cors: false });
      const url = pageUrl(server.url, input.dir, buildOptions(input), 1, index);
      const { page, results, explain } = await runPage(context, url, 1).finally(() => index.stop());
      try {
        assert.equal(results.state, "failed", `the browser build should fail\n${await explain()}`);
        assert.match(results.error, new RegExp(`fetching ${index.url}/greet/: .*CORS`));
        assert.match(await page.locator("#error").textContent(), /Access-Control-Allow-Origin/);
        await screenshot(page, "error-no-cors");
      } finally {
        await page.close();
      }
    });

    for (const input of ERROR_INPUTS) {
      await t.test(`${input.dir}: the native CLI's error message`, async (t) => {
        const dir = join(repo, input.dir);
        const how = buildOptions(input);
        const native = await buildNative(dir, how);
        assert.ok(native.stderr !== undefined, "the native build should fail");
        const expected = native.stderr.replace(/^error: /, "").replace(/\n$/, "");

        const { page, results, explain } = await runPage(context, pageUrl(server.url, input.dir, how, 1), 1);
        try {
          assert.equal(results.state, "failed", `the browser build should fail\n${await explain()}`);
          assert.equal(results.error, expected);
          const shown = await page.locator("#error").textContent();
          assert.equal(shown, expected, "the message shown in the page");
          assert.ok(await page.locator("#error").isVisible(), "the error is visible in the page");
          const path = await screenshot(page, input.name);
          t.diagnostic(`${input.dir}: shown in the page: ${JSON.stringify(expected.split("\n")[0])}…; screenshot ${path}`);
        } finally {
          await page.close();
        }
      });
    }
  } finally {
    await context?.close().catch((error) => console.error(`closing chromium: ${error.message}`));
    await server?.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
});
