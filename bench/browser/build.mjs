// Build time in headless chromium: web/src/index.js's componentize() in a module worker, through
// the browser test's server and page (tests/browser/server.mjs, tests/browser/page/), which build
// the files of one directory twice in the same page ("cold" then "second") and report each
// componentize() call's time in window.pageResults. The bench apps are not under the server's
// served paths, so the page's two requests for them (`/files?dir=bench-app/NAME` and
// `/bench-app/NAME/...`) are answered by playwright from the prepared app directories.
//
//   node bench/browser/build.mjs RUNS NAME=DIR[:WORLD] ...
//
// For each app, RUNS fresh pages (a new browser profile each, so nothing is cached between
// them). Prints one JSON object: { NAME: { cold_ms: [...], second_ms: [...], sizes: [...] } }.
// Needs: web/dist (bash web/build.sh), Debian's chromium ($COMPONENTIZE_PY_CHROMIUM or `command
// -v chromium`), playwright-core in tests/browser/node_modules.

import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const repo = new URL("../../", import.meta.url).pathname;
const { CHROMIUM_ARGS, chromiumPath } = await import(
  pathToFileURL(join(repo, "tests/chromium.mjs")).href
);
const { startServer } = await import(pathToFileURL(join(repo, "tests/browser/server.mjs")).href);
const { chromium } = createRequire(join(repo, "tests/browser/package.json"))("playwright-core");


const [runsArg, ...appArgs] = process.argv.slice(2);
const runs = Number(runsArg);
const apps = appArgs.map((arg) => {
  const [name, rest] = arg.split("=");
  const [dir, world] = rest.split(":");
  return { name, dir, world };
});
const executablePath = chromiumPath();

async function listTree(dir, prefix = "", out = []) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = prefix + entry.name;
    if (entry.isDirectory()) await listTree(join(dir, entry.name), `${path}/`, out);
    else if (entry.isFile() && !entry.name.endsWith(".wasm")) out.push(path);
  }
  return out.sort();
}

const server = await startServer();
const results = {};
try {
  for (const app of apps) {
    const files = (await listTree(app.dir)).filter((p) => p === "app.py" || p.endsWith(".py") || p.startsWith("wit/"));
    results[app.name] = { cold_ms: [], second_ms: [], sizes: [] };
    for (let run = 0; run < runs; run++) {
      const profile = await mkdtemp(join(tmpdir(), "componentize-py-bench-chromium-"));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: 60_000,
      });
      try {
        await context.route(/\/files\?dir=bench-app%2F|\/files\?dir=bench-app\//, (route) =>
          route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(files) }),
        );
        await context.route(/\/bench-app\//, async (route) => {
          const path = new URL(route.request().url()).pathname.replace(/^\/bench-app\/[^/]+\//, "");
          route.fulfill({ status: 200, contentType: "text/plain", body: await readFile(join(app.dir, decodeURIComponent(path))) });
        });
        const page = await context.newPage();
        const query = new URLSearchParams({ dir: `bench-app/${app.name}`, runs: "2" });
        if (app.world) query.append("world", app.world);
        await page.goto(new URL(`tests/browser/page/index.html?${query}`, server.url).href, { timeout: 60_000 });
        await page.waitForFunction(() => window.pageResults && window.pageResults.state !== "running", null, {
          timeout: 10 * 60_000,
          polling: 100,
        });
        const r = await page.evaluate(() => ({ state: window.pageResults.state, builds: window.pageResults.builds, error: window.pageResults.error }));
        if (r.state !== "done") throw new Error(`${app.name}: the page ended in state ${r.state}: ${r.error}`);
        results[app.name].cold_ms.push(r.builds[0].ms);
        results[app.name].second_ms.push(r.builds[1].ms);
        results[app.name].sizes.push(r.builds[0].size);
        console.error(`[browser] ${app.name} run ${run + 1}: cold ${r.builds[0].ms.toFixed(0)} ms, second ${r.builds[1].ms.toFixed(0)} ms`);
      } finally {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      }
    }
  }
} finally {
  await server.close();
}
console.log(JSON.stringify(results));
