// The test page's main thread: reads the query, fetches the input files, asks the worker
// (worker.js, where componentize() runs) to build them `runs` times and shows the results.
// For the test (../test.mjs) it also keeps them in `window.pageResults` and offers
// `window.componentBase64(i)`.

const params = new URLSearchParams(location.search);
const job = {
  dir: params.get("dir") ?? "examples/cli",
  world: params.getAll("world"),
  appName: params.get("app") ?? "app",
  // More componentize() options as JSON (stubWasi, the dependency flags, indexUrl).
  options: JSON.parse(params.get("options") ?? "{}"),
};
const runs = Math.max(1, Number(params.get("runs") ?? 2));

const results = { state: "running", builds: [], error: null, components: [] };
window.pageResults = results;

const $ = (id) => document.getElementById(id);
$("input").textContent =
  `${job.dir} ${job.world.map((w) => `-w ${w} `).join("")}componentize ${job.appName} ` +
  JSON.stringify(job.options);

function setStatus(state, text) {
  results.state = state;
  $("status").dataset.state = state;
  $("status").textContent = text;
}

function log(text) {
  const item = document.createElement("li");
  item.textContent = text;
  $("log").append(item);
}

function showBuild(build) {
  $("builds").hidden = false;
  const row = document.createElement("tr");
  row.dataset.label = build.label;
  for (const [value, cls] of [
    [build.label],
    [build.ms.toFixed(0), "num ms"],
    [String(build.size), "num size"],
    [build.sha256, "sha256"],
  ]) {
    const cell = document.createElement("td");
    cell.textContent = value;
    if (cls) cell.className = cls;
    row.append(cell);
  }
  $("builds").querySelector("tbody").append(row);
}

/** The files under `dir`: path -> bytes. */
async function fetchFiles(dir) {
  const listing = await fetch(`/files?dir=${encodeURIComponent(dir)}`);
  if (!listing.ok) throw new Error(`listing ${dir}: ${listing.status} ${await listing.text()}`);
  const files = {};
  for (const path of await listing.json()) {
    const response = await fetch(`/${dir}/${path}`);
    if (!response.ok) throw new Error(`fetching ${dir}/${path}: ${response.status}`);
    files[path] = new Uint8Array(await response.arrayBuffer());
  }
  return files;
}

window.componentBase64 = async (i) => {
  const url = await new Promise((ok, fail) => {
    const reader = new FileReader();
    reader.onload = () => ok(reader.result);
    reader.onerror = () => fail(reader.error);
    reader.readAsDataURL(new Blob([results.components[i]]));
  });
  return url.slice(url.indexOf(",") + 1);
};

async function main() {
  setStatus("running", "fetching the input files");
  const files = await fetchFiles(job.dir);
  log(`input: ${Object.keys(files).join(", ")}`);

  const worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
  const workerFailed = new Promise((_, fail) => {
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      fail(new Error(`the worker failed: ${event.message || "it did not load (see the console)"}`));
    });
  });
  let pending = null;
  worker.addEventListener("message", ({ data }) => {
    if (data.type === "progress") log(`build ${data.run}: ${data.description}`);
    else pending?.(data);
  });
  const build = (run) =>
    Promise.race([
      workerFailed,
      new Promise((ok) => {
        pending = ok;
        worker.postMessage({ run, job, files });
      }),
    ]);

  for (let run = 1; run <= runs; run++) {
    const label = run === 1 ? "cold" : run === 2 ? "second" : `build ${run}`;
    setStatus("running", `build ${run} of ${runs} (${label})`);
    const reply = await build(run);
    if (reply.error !== undefined) {
      results.error = reply.error;
      $("error").hidden = false;
      $("error").textContent = reply.error;
      setStatus("failed", `componentize failed (build ${run}, after ${reply.ms.toFixed(0)} ms)`);
      worker.terminate();
      return;
    }
    const entry = {
      label,
      ms: reply.ms,
      size: reply.component.length,
      sha256: reply.sha256,
      packages: reply.dependencies?.packages ?? [],
      lock: reply.dependencies?.lock?.text ?? null,
    };
    results.builds.push(entry);
    results.components.push(reply.component);
    showBuild(entry);
    if (reply.dependencies) {
      log(`build ${run}: packages ${entry.packages.map((p) => `${p.name} ${p.version}`).join(", ")}; ` +
        reply.dependencies.summary);
    }
    log(`build ${run} (${label}): ${reply.ms.toFixed(0)} ms, stages: ` +
      reply.events.map((e) => `${e.stage} ${Math.round(e.elapsedMs)} ms`).join(", "));
  }
  worker.terminate();
  setStatus("done", `built ${runs} time(s)`);
}

main().catch((error) => {
  results.error = String(error?.stack ?? error);
  $("error").hidden = false;
  $("error").textContent = results.error;
  setStatus("broken", "the page itself failed");
});
