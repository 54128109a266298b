// A tiny static server for the browser test (node:http only, no dependencies), bound to
// 127.0.0.1 on an ephemeral port. It serves, from the repository root, with the same URL paths:
//
//   /web/src/, /web/dist/               the componentizer for browsers (web/README.md); index.js
//                                       fetches ../dist/* relative to itself
//   /web/node_modules/@bjorn3/browser_wasi_shim/
//                                       the WASI shim that web/src/engine.js imports
//   /tests/browser/page/                the test page and its worker
//   /examples/, /tests/cases/           the inputs the page builds
//   /files?dir=DIR                      JSON list of the files under DIR (one of the two above),
//                                       relative to it, sorted: what the page fetches and builds
//   /                                   redirects to the page
//
// Bare specifiers: web/src/engine.js imports "@bjorn3/browser_wasi_shim". Browsers cannot resolve
// that, and an import map in the page does not help, because import maps do not apply to module
// workers (where componentize() has to run). So, as any dev server or bundler does, JavaScript
// under /web/src/ is served with bare specifiers rewritten to the package's ES module entry under
// /web/node_modules/ (resolved from its package.json). The files on disk are left as they are.
//
// Nothing is cached (Cache-Control: no-store), so every page load is a cold start. .gz files are
// served as application/gzip bytes (no Content-Encoding): index.js gunzips them itself.
//
// Standalone, for a look in a browser: `node tests/browser/server.mjs [PORT]` prints the URL.

import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { readFile, readdir, stat } from "node:fs/promises";
import { extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = fileURLToPath(new URL("../../", import.meta.url));

const PAGE = "/tests/browser/page/index.html";
const SERVED = [
  "web/src/",
  "web/dist/",
  "web/node_modules/@bjorn3/browser_wasi_shim/",
  "tests/browser/page/",
  "examples/",
  "tests/cases/",
];
const LISTABLE = ["examples/", "tests/cases/"];

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".gz": "application/gzip",
  ".zip": "application/zip",
  ".py": "text/x-python; charset=utf-8",
  ".wit": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".toml": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

/** `rel` (a repository-relative path with `/`) if it is inside one of `prefixes`, else null. */
function allowed(rel, prefixes) {
  const normal = relative(repo, resolve(repo, rel)).split(sep).join("/");
  if (normal.startsWith("..") || normal.includes("\0")) return null;
  return prefixes.some((p) => normal.startsWith(p) || `${normal}/` === p) ? normal : null;
}

/** The URL path of a web/node_modules package's ES module entry. */
async function packageEntry(name) {
  const dir = `web/node_modules/${name}/`;
  const manifest = JSON.parse(await readFile(join(repo, dir, "package.json"), "utf8"));
  let entry = manifest.exports?.["."] ?? manifest.exports;
  if (entry && typeof entry === "object") entry = entry.browser ?? entry.import ?? entry.default;
  entry ??= manifest.module ?? manifest.main ?? "index.js";
  return `/${dir}${entry.replace(/^\.\//, "")}`;
}

/**
 * Rewrites the bare specifiers of static and dynamic imports in `source` that name a package of
 * web/node_modules (others, such as those in comments, are left as they are).
 */
async function rewriteBare(source) {
  const pattern = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"'./][^"':]*)\2/g;
  const entries = new Map();
  for (const [, , , name] of source.matchAll(pattern)) {
    if (entries.has(name)) continue;
    const installed = existsSync(join(repo, "web/node_modules", name, "package.json"));
    entries.set(name, installed ? await packageEntry(name) : null);
  }
  return source.replace(pattern, (whole, head, quote, name) =>
    entries.get(name) ? `${head}${quote}${entries.get(name)}${quote}` : whole,
  );
}

/** Every file under `dir` (absolute), relative paths with `/`, sorted. */
async function listTree(dir, prefix = "", out = []) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = prefix + entry.name;
    if (entry.isDirectory()) await listTree(join(dir, entry.name), `${path}/`, out);
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

function send(response, status, type, body) {
  response.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  response.end(body);
}

async function handle(request, response) {
  const url = new URL(request.url, "http://127.0.0.1");
  if (request.method !== "GET" && request.method !== "HEAD") {
    return send(response, 405, MIME[".txt"], "method not allowed\n");
  }
  if (url.pathname === "/") {
    response.writeHead(302, { location: PAGE + url.search });
    return response.end();
  }
  if (url.pathname === "/favicon.ico") return send(response, 204, MIME[".txt"], "");
  if (url.pathname === "/files") {
    const dir = allowed(`${url.searchParams.get("dir") ?? ""}/`, LISTABLE);
    if (!dir) return send(response, 403, MIME[".txt"], "not a listable directory\n");
    const files = await listTree(join(repo, dir));
    return send(response, 200, MIME[".json"], JSON.stringify(files));
  }
  const rel = allowed(decodeURIComponent(url.pathname).replace(/^\/+/, ""), SERVED);
  if (!rel) return send(response, 403, MIME[".txt"], `not served: ${url.pathname}\n`);
  const path = join(repo, rel);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return send(response, 404, MIME[".txt"], `not found: ${url.pathname}\n`);
  let body = await readFile(path);
  const type = MIME[extname(path)] ?? "application/octet-stream";
  if (rel.startsWith("web/src/") && extname(path) === ".js") {
    body = await rewriteBare(body.toString("utf8"));
  }
  send(response, 200, type, body);
}

/** Starts the server: `{ url, close() }`, `url` ending in `/`. */
export async function startServer({ port = 0 } = {}) {
  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      if (!response.headersSent) send(response, 500, MIME[".txt"], `${error.stack}\n`);
      else response.destroy(error);
    });
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", ok);
  });
  const { port: bound } = server.address();
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startServer({ port: Number(process.argv[2] ?? 0) });
  console.log(`serving ${url} (page: ${new URL(PAGE, url)}?dir=examples/cli&world=wasi:cli/command@0.2.0)`);
}
