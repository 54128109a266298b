// The corpus (tests/cases) as the Rust harness parses it: `case.txt` is parsed in
// tests/host/src/cases.rs only, and its `cases-json` binary (built by `cargo build --workspace`)
// prints every case as JSON. The JS tests read that instead of parsing case.txt themselves.

import { execFileSync, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../", import.meta.url));
const binary = join(repo, "target/debug/cases-json");
const indexServer = join(repo, "target/debug/index-server");

/**
 * Every case, by name (`get(name)` throws for a name that is no case). A case is `{ name, dir,
 * build: { global, componentize, env }, directives }`: `build` is the command line the harness
 * builds it with (`-q ...global componentize app -o OUT ...componentize` in `dir`, with the
 * `[name, value]` pairs of `env` set) and each directive is `{ line, text, kind, value }`.
 */
export function corpus() {
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: run \`cargo build --workspace\``);
  }
  const cases = JSON.parse(execFileSync(binary, { encoding: "utf8", maxBuffer: 1 << 26 }));
  const byName = new Map(cases.map((c) => [c.name, c]));
  return {
    get(name) {
      const found = byName.get(name);
      if (!found) throw new Error(`tests/cases has no case ${name}`);
      return found;
    },
  };
}

/** The `componentize()` options of the CLI's `componentize` flags, by flag: [option, takes a value]. */
const DEPENDENCY_FLAGS = {
  "-r": ["requirements", true],
  "--requirements": ["requirements", true],
  "--extra": ["extras", true],
  "--group": ["groups", true],
  "--no-deps": ["noDeps", false],
  "--locked": ["locked", false],
  "--offline": ["offline", false],
  "--stub-wasi": ["stubWasi", false],
};

/**
 * The options of `componentize()` that build `c` as the harness does: its worlds and its
 * `componentize` flags (--stub-wasi, the dependency flags). Throws for a case built with other flags or an
 * environment, which these tests do not pass on.
 */
export function componentizeOptions(c) {
  const options = {
    world: c.directives.filter((d) => d.kind === "world").map((d) => d.value),
    stubWasi: false,
  };
  const flags = [...c.build.componentize];
  while (flags.length) {
    const flag = flags.shift();
    const known = DEPENDENCY_FLAGS[flag];
    if (!known) throw new Error(`case ${c.name}: the flag \`${flag}\` is not supported here`);
    const [option, takesValue] = known;
    if (!takesValue) options[option] = true;
    else (options[option] ??= []).push(flags.shift());
  }
  const others = c.directives.filter((d) => ["flags", "env"].includes(d.kind));
  if (others.length) {
    throw new Error(`case ${c.name}: ${others.map((d) => `\`${d.text}\``).join(", ")} is not supported here`);
  }
  return options;
}

/**
 * Serves the local index of case `c` (its `index` line) with target/debug/index-server, with CORS
 * headers unless `cors` is false, answering 401 to requests without the `Authorization` header
 * `authorization` if given. Resolves to `{ url, requests, settled(), clear(), stop() }`:
 * `requests` collects the paths requested as the server reports them, a little later; `settled()`
 * resolves to all of them up to now, and `clear()` forgets them.
 */
export function startIndex(c, { cors = true, authorization } = {}) {
  if (!existsSync(indexServer)) {
    throw new Error(`${indexServer} is missing: run \`cargo build --workspace\``);
  }
  const args = [...(cors ? [] : ["--no-cors"]), ...(authorization ? ["--authorization", authorization] : []), c.dir];
  const child = spawn(indexServer, args, { stdio: ["pipe", "pipe", "inherit"] });
  const requests = [];
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`index-server ${args.join(" ")} exited with ${code}`)));
    const lines = createInterface({ input: child.stdout });
    let url;
    let marks = 0;
    // The requests so far, once the server's log (which it prints every 20 ms) has caught up
    // with them: a request of its own marks the end.
    const settled = async () => {
      const mark = `/log-mark-${marks++}`;
      await fetch(new URL(mark, url)).then((answer) => answer.arrayBuffer());
      while (!requests.includes(mark)) await new Promise((wake) => setTimeout(wake, 10));
      requests.splice(requests.indexOf(mark), 1);
      return [...requests];
    };
    const clear = async () => {
      await settled();
      requests.length = 0;
    };
    lines.on("line", (line) => {
      if (url) return requests.push(line);
      url = line;
      resolve({ url, requests, settled, clear, stop: () => child.stdin.end() });
    });
  });
}
