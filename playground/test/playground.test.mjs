// The playground in a real browser: Debian's chromium driven by playwright-core, headless, the
// built site (dist/, from `npm run build`) served from 127.0.0.1 by ../scripts/serve.mjs.
//
//   npm run build && COMPONENTIZE_PY_CHROMIUM=$(command -v chromium) node --test test/
//
// Checks: every example builds and its download is a valid component (validated with jco's
// transpile, which runs wasmparser's validator); the hello world runs and prints; exports of the
// custom world are called through the form; a WIT error and a Python SyntaxError are reported
// with their lines; a share link reopens the same project; files can be added, renamed and
// deleted; the packages example resolves its pyproject.toml against a local index (the case
// deps-pypi-packages's, by target/debug/index-server: every https request of the browser is
// answered from it), lists its packages, runs, and builds again from its lock and the Cache API
// without a request. Screenshots go to test-results/; with PLAYGROUND_README_SCREENSHOT=1 the built state
// also replaces the README's screenshot.png.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { componentWit, transpile } from "@bytecodealliance/jco";
import { strFromU8, unzipSync } from "fflate";
import { chromium } from "playwright-core";

import { serve } from "../scripts/serve.mjs";
import { CHROMIUM_ARGS, chromiumPath } from "../../tests/chromium.mjs";
import { corpus, startIndex } from "../../tests/cases.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const results = join(root, "test-results");

const BUILD_TIMEOUT = 180_000;

let server;
let context;
let page;
let baseUrl;
let userDataDir;
const pageErrors = [];

before(async () => {
  assert.ok(existsSync(join(dist, "index.html")), "dist/ is missing: run `npm run build` first");
  await mkdir(results, { recursive: true });
  ({ server, url: baseUrl } = await serve(dist));
  userDataDir = await mkdtemp(join(tmpdir(), "playground-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1440, height: 960 },
    args: CHROMIUM_ARGS,
  });
  page = await openPage(baseUrl);
});

after(async () => {
  await context?.close();
  server?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

/** A new page at `url`, ready for input; page errors are collected. */
async function openPage(url) {
  const p = context.pages().find((x) => x.url() === "about:blank") ?? (await context.newPage());
  p.on("pageerror", (error) => pageErrors.push(error.message));
  await p.goto(url);
  await p.waitForSelector("body[data-ready=true]");
  return p;
}

/** Loads an example through the picker. */
async function loadExample(id) {
  await page.selectOption("#example", id);
  await page.waitForFunction(
    () => document.querySelector("#build-status").dataset.state === "idle",
  );
}

/** Clicks Build and waits for the outcome: "built" or "error". */
async function build() {
  const started = Date.now();
  const count = Number((await page.getAttribute("#build-status", "data-build")) ?? 0);
  await page.click("#build");
  await page.waitForFunction(
    (n) => {
      const status = document.querySelector("#build-status");
      return Number(status.dataset.build) > n && /^(built|error)$/.test(status.dataset.state);
    },
    count,
    { timeout: BUILD_TIMEOUT },
  );
  const state = await page.getAttribute("#build-status", "data-state");
  console.log(`  build: ${state} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return state;
}

/** Waits for the built component to be loaded by the runner. */
async function runReady() {
  await page.waitForSelector("#run:is([data-state=ready], [data-state=error])", {
    timeout: BUILD_TIMEOUT,
  });
  assert.equal(await page.getAttribute("#run", "data-state"), "ready", await page.textContent("#run-status"));
}

/** Replaces the contents of file `path` by typing into its editor. */
async function setFile(path, text) {
  await page.click(`.tab[data-path="${path}"] .tab-label`);
  await page.click(".editor .cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}

/** The page's project: `{ files: [{ path, text }], world, stubWasi, args }`. */
function project(p = page) {
  return p.evaluate(() => window.playground.project());
}

/** Downloads the built component and checks that it is a valid component. */
async function downloadAndValidate(expectedName) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  assert.equal(download.suggestedFilename(), expectedName);
  const bytes = new Uint8Array(await readFile(await download.path()));
  // The component binary's preamble: \0asm, version 0x0d, layer 1.
  assert.deepEqual([...bytes.subarray(0, 8)], [0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
  // transpile validates the whole component (and its core modules) with wasmparser.
  const { exports } = await transpile(bytes, { name: "component", noTypescript: true, quiet: true });
  const wit = await componentWit(bytes);
  return { bytes, exports: exports.map(([name]) => name), wit };
}

const EXPECTED = {
  hello: { file: "command.wasm", exports: ["wasi:cli/run@0.2.12"], stubWasi: false },
  shapes: { file: "shapes.wasm", exports: ["area", "scale", "describe", "example:shapes/tally"], stubWasi: false },
  pure: { file: "pure.wasm", exports: ["word-count", "fib", "unique-sorted"], stubWasi: true },
};

for (const [id, expected] of Object.entries(EXPECTED)) {
  test(`example "${id}" builds into a valid component`, { timeout: 2 * BUILD_TIMEOUT }, async () => {
    await loadExample(id);
    assert.equal((await project()).stubWasi, expected.stubWasi);
    assert.equal(await build(), "built", await page.textContent("#error-message"));
    // Progress: every stage listed with its time, and the total.
    const stages = await page.$$eval("#stages li", (lis) => lis.map((li) => [li.dataset.stage, li.querySelector(".ms").textContent]));
    assert.deepEqual(
      stages.map(([stage]) => stage),
      ["wit", "bindings", "bundle", "instrument", "initialize", "snapshot", "link", "component"],
    );
    for (const [, ms] of stages) assert.match(ms, /^\d+ ms$/);
    assert.match(await page.textContent("#elapsed"), /^\d+\.\d s$/);
    const { exports, wit } = await downloadAndValidate(expected.file);
    for (const name of expected.exports) {
      assert.ok(exports.includes(name) || wit.includes(`export ${name}`), `${name} in ${exports}`);
    }
    if (expected.stubWasi) assert.doesNotMatch(wit, /import wasi:/, "a --stub-wasi component imports no WASI");
    // The bindings can be viewed and downloaded.
    assert.ok(await page.isVisible("#bindings"));
    const files = await page.$$eval("#bindings-file option", (os) => os.map((o) => o.value));
    assert.ok(files.includes("wit_world/__init__.py"), files.join(", "));
    assert.match(await page.textContent("#bindings-view .cm-content"), /Generated by componentize-py/);
    const [zip] = await Promise.all([page.waitForEvent("download"), page.click("#bindings-download")]);
    assert.equal(zip.suggestedFilename(), "bindings.zip");
    const zipBytes = await readFile(await zip.path());
    assert.equal(zipBytes.readUInt32LE(0), 0x04034b50);
    // The zip holds every file of the panel, as shown there.
    const unzipped = unzipSync(zipBytes);
    assert.deepEqual(Object.keys(unzipped).sort(), [...files].sort());
    assert.match(strFromU8(unzipped["wit_world/__init__.py"]), /Generated by componentize-py/);
    await runReady();
  });
}

test("the hello world runs in the page", { timeout: 2 * BUILD_TIMEOUT }, async () => {
  await loadExample("hello");
  assert.equal(await build(), "built");
  await runReady();
  assert.ok(await page.isVisible("#command"));
  await page.fill("#args", "playground");
  await page.click("#run-command");
  await page.waitForSelector("#command[data-state=done]");
  assert.equal(await page.textContent("#stdout"), "Hello, playground!\n");
  assert.equal(await page.textContent("#stderr"), "(this line goes to stderr)\n");
  assert.match(await page.textContent("#exit-code"), /^exit code 0/);
});

/** Calls export `name` through its form and returns the printed result. */
async function callExport(name) {
  const form = `form[data-function="${name}"]`;
  await page.click(`${form} button.call`);
  await page.waitForFunction(
    (sel) => {
      const out = document.querySelector(`${sel} output`);
      return out.textContent && out.textContent !== "calling…";
    },
    form,
  );
  return page.textContent(`${form} output`);
}

test("the custom world's exports are called from the form", { timeout: 2 * BUILD_TIMEOUT }, async () => {
  await loadExample("shapes");
  assert.equal(await build(), "built");
  await runReady();
  assert.ok(await page.isHidden("#command"), "not a command");
  const forms = await page.$$eval("form.call-form", (fs) => fs.map((f) => f.dataset.function));
  assert.deepEqual(forms.sort(), ["area", "describe", "scale"]);

  // area(circle(2.0)): a variant with a payload.
  await page.selectOption('form[data-function="area"] select[aria-label="area.s"]', "circle");
  await page.fill('form[data-function="area"] input[aria-label="area.s.circle"]', "2");
  assert.equal(await callExport("area"), String(Math.PI * 4));

  // scale({x: 1.5, y: -2.0}, 3.0): a record in and out; invalid input is refused first.
  await page.fill('input[aria-label="scale.p.x"]', "1.5");
  await page.fill('input[aria-label="scale.p.y"]', "-2");
  await page.fill('input[aria-label="scale.factor"]', "three");
  assert.match(await callExport("scale"), /not a number/);
  await page.fill('input[aria-label="scale.factor"]', "3");
  assert.equal(await callExport("scale"), "{x: 4.5, y: -6.0}");

  // describe(rectangle({x: 2, y: 3}), feet) -> ok(...); describe(circle(-1), metres) -> err(...).
  const d = 'form[data-function="describe"]';
  await page.selectOption(`${d} select[aria-label="describe.s"]`, "rectangle");
  await page.fill('input[aria-label="describe.s.rectangle.x"]', "2");
  await page.fill('input[aria-label="describe.s.rectangle.y"]', "3");
  await page.selectOption(`${d} select[aria-label="describe.u"]`, "feet");
  assert.equal(await callExport("describe"), 'ok("a rectangle of 6.00 ft²")');
  await page.selectOption(`${d} select[aria-label="describe.s"]`, "circle");
  await page.fill('input[aria-label="describe.s.circle"]', "-1");
  assert.equal(await callExport("describe"), 'err("sizes must not be negative")');
  assert.ok(await page.$eval(`${d} output`, (o) => o.classList.contains("err")));

  await page.$eval(".side", (side) => (side.scrollTop = 0));
  await page.click('.tab[data-path="wit/world.wit"] .tab-label');
  const shot = await page.screenshot();
  // The README's screenshot is refreshed only on request, so test runs leave the tree clean.
  const targets = [join(results, "playground-built.png")];
  if (process.env.PLAYGROUND_README_SCREENSHOT) targets.push(join(root, "screenshot.png"));
  await import("node:fs/promises").then(({ writeFile }) =>
    Promise.all(targets.map((path) => writeFile(path, shot))),
  );
});

test("the pure example's list export", { timeout: 2 * BUILD_TIMEOUT }, async () => {
  await loadExample("pure");
  assert.equal(await build(), "built");
  await runReady();
  const f = 'form[data-function="unique-sorted"]';
  for (const value of ["3", "-1", "3", "2"]) {
    await page.click(`${f} button.add-item`);
    const inputs = await page.$$(`${f} .items input`);
    await inputs[inputs.length - 1].fill(value);
  }
  assert.equal(await callExport("unique-sorted"), "[-1, 2, 3]");
  await page.fill('input[aria-label="fib.n"]', "90");
  assert.equal(await callExport("fib"), "2880067194370816120");
});

test("a WIT error is reported with its line", { timeout: 2 * BUILD_TIMEOUT }, async () => {
  await loadExample("pure");
  const wit = (await project()).files.find((f) => f.path === "wit/world.wit").text;
  const lines = wit.split("\n");
  const at = lines.findIndex((l) => l.includes("export fib"));
  lines[at] = lines[at].replace("u64", "u46");
  await setFile("wit/world.wit", lines.join("\n"));
  assert.equal(await build(), "error");
  const location = await page.textContent("#error-location");
  assert.match(location, new RegExp(`^wit/world\\.wit:${at + 1}:\\d+$`));
  assert.match(await page.textContent("#error-message"), /u46/);
  // Shown in the editor too: the file is opened, its tab and line marked.
  assert.equal(await page.getAttribute(".tab.has-error", "data-path"), "wit/world.wit");
  await page.waitForSelector(".editor .cm-lint-marker-error");
  await page.screenshot({ path: join(results, "wit-error.png") });
});

test("the world picker lists the worlds the componentizer reads from the WIT", { timeout: BUILD_TIMEOUT }, async () => {
  const options = () => page.$$eval("#world option", (os) => os.map((o) => o.value));
  // Waits until no refresh of the picker is waiting or running.
  const settled = () =>
    page.waitForFunction(() => !("pending" in document.querySelector("#world").dataset), null, {
      timeout: BUILD_TIMEOUT,
    });
  await loadExample("shapes");
  await settled();
  assert.ok((await options()).includes("shapes"));
  const wit = (await project()).files.find((f) => f.path === "wit/world.wit").text;
  await setFile("wit/world.wit", `${wit}\nworld extra-world {\n  export ping: func();\n}\n`);
  await settled();
  let names = await options();
  assert.ok(names.includes("extra-world") && names.includes("shapes"), names.join(", "));
  // WIT that does not parse keeps the last good list, and the chosen world stays.
  await setFile("wit/world.wit", `${wit}\nworld broken {\n`);
  await settled();
  names = await options();
  assert.ok(names.includes("extra-world") && !names.includes("broken"), names.join(", "));
  assert.equal(await page.inputValue("#world"), "shapes");
});

test("a Python SyntaxError is reported with its line", { timeout: 2 * BUILD_TIMEOUT }, async () => {
  await loadExample("hello");
  const app = ["import sys", "", "", "def broken(:", "    pass", ""].join("\n");
  await setFile("app.py", app);
  assert.equal(await build(), "error");
  assert.match(await page.textContent("#error-location"), /^app\.py:4(:\d+)?$/);
  assert.match(await page.textContent("#error-summary"), /SyntaxError/);
  assert.match(await page.textContent("#error-message"), /File ".*app\.py", line 4/);
  assert.equal(await page.getAttribute(".tab.has-error", "data-path"), "app.py");
  await page.waitForSelector(".editor .cm-lint-marker-error");
  await page.screenshot({ path: join(results, "python-error.png") });
});

test("files can be added, renamed and deleted", async () => {
  await loadExample("hello");
  await page.click(".tab-add");
  await page.fill("input.tab-name", "helper.py");
  await page.press("input.tab-name", "Enter");
  await page.waitForSelector('.tab[data-path="helper.py"][aria-selected="true"]');
  await page.dblclick('.tab[data-path="helper.py"] .tab-label');
  await page.fill("input.tab-name", "util/greet.py");
  await page.press("input.tab-name", "Enter");
  await page.waitForSelector('.tab[data-path="util/greet.py"]');
  assert.deepEqual((await project()).files.map((f) => f.path), ["app.py", "util/greet.py"]);
  await page.click('.tab[data-path="util/greet.py"] .tab-close');
  assert.deepEqual((await project()).files.map((f) => f.path), ["app.py"]);
});

test("a share link reopens the same project", async () => {
  await loadExample("shapes");
  await page.click(".tab-add");
  await page.fill("input.tab-name", "notes.py");
  await page.press("input.tab-name", "Enter");
  await setFile("notes.py", "# shared ✓\nNOTES = ['a', \"b\"]\n");
  await page.check("#stub-wasi");
  const before = await project();
  await page.click("#share");
  await page.waitForSelector("#share-url:not([hidden])");
  const link = await page.inputValue("#share-url");
  assert.match(link, /#project=[A-Za-z0-9_-]+$/);
  assert.equal(page.url(), link);

  const other = await openPage(link);
  try {
    assert.deepEqual(await project(other), before);
    const tabs = await other.$$eval(".tab", (ts) => ts.map((t) => t.dataset.path));
    assert.deepEqual(tabs, before.files.map((f) => f.path));
    assert.equal(await other.inputValue("#world"), "shapes");
    // A reload keeps it too.
    await other.reload();
    await other.waitForSelector("body[data-ready=true]");
    assert.deepEqual(await project(other), before);
  } finally {
    await other.close();
  }
});

test("the packages example resolves, fetches, runs and rebuilds from its lock", { timeout: 4 * BUILD_TIMEOUT }, async () => {
  const index = await startIndex(corpus().get("deps-pypi-packages"));
  const local = new URL(index.url).origin;
  // The default index is public; here every https request goes to the local index, same path.
  const toLocal = async (route) => {
    const { pathname, search } = new URL(route.request().url());
    const response = await route.fetch({ url: `${local}${pathname}${search}` });
    await route.fulfill({ response });
  };
  const https = (url) => url.protocol === "https:";
  await context.route(https, toLocal);
  try {
    await loadExample("packages");
    assert.ok((await project()).files.some((f) => f.path === "pyproject.toml"));
    assert.equal(await build(), "built", await page.textContent("#error-message"));
    const stages = await page.$$eval("#stages li", (lis) => lis.map((li) => li.dataset.stage));
    assert.equal(stages[0], "dependencies");
    const packages = await page.$$eval("#package-list li", (lis) => lis.map((li) => li.textContent));
    assert.deepEqual(packages, ["attrs 26.1.0", "humanize 4.17.0"]);
    assert.match(await page.textContent("#packages-summary"), /^2 packages \(0 wheels from the cache, 2 downloaded\)/);
    const first = await index.settled();
    assert.ok(first.some((path) => path.endsWith(".whl")), `requests: ${first}`);
    await runReady();
    await page.click("#run-command");
    await page.waitForSelector("#command[data-state=done]");
    assert.equal(
      await page.textContent("#stdout"),
      "runtime.wasm: 13.8 MB\nstdlib.zip: 2.7 MB\nin all 16,548,631 bytes\nattrs 26.1.0, humanize 4.17.0\n",
    );

    // Again: the lock of the first build is read and the wheels come from the Cache API.
    await index.clear();
    assert.equal(await build(), "built", await page.textContent("#error-message"));
    assert.deepEqual(await index.settled(), []);
    assert.match(await page.textContent("#packages-summary"), /^2 packages \(2 wheels from the cache, 0 downloaded\); 0 requests/);

    // Changed requirements are resolved again (the lock is stale); the wheels come from the cache.
    await setFile("pyproject.toml", '[project]\nname = "p"\nversion = "1"\ndependencies = ["attrs>=26", "humanize>=4.17"]\n');
    assert.equal(await build(), "built", await page.textContent("#error-message"));
    const third = await index.settled();
    assert.ok(third.some((path) => path.startsWith("/simple/")), `requests: ${third}`);
    assert.deepEqual(third.filter((path) => path.endsWith(".whl")), []);
    assert.match(await page.textContent("#packages-summary"), /^2 packages \(2 wheels from the cache, 0 downloaded\)/);
    await page.screenshot({ path: join(results, "packages.png"), fullPage: true });
  } finally {
    await context.unroute(https, toLocal);
    index.stop();
  }
});

test("no uncaught page errors", () => {
  assert.deepEqual(pageErrors, []);
});
