// The corpus (tests/cases) as the Rust harness parses it: `case.txt` is parsed in
// tests/host/src/cases.rs only, and its `cases-json` binary (built by `cargo build --workspace`)
// prints every case as JSON. The JS tests read that instead of parsing case.txt themselves.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../", import.meta.url));
const binary = join(repo, "target/debug/cases-json");

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

/**
 * The options of `componentize()` that build `c` as the harness does: its worlds and
 * --stub-wasi. Throws for a case built with other flags or an environment, which these tests do
 * not pass on.
 */
export function componentizeOptions(c) {
  const world = c.directives.filter((d) => d.kind === "world").map((d) => d.value);
  const stubWasi = c.directives.some((d) => d.kind === "stub-wasi");
  const others = c.directives.filter((d) => ["flags", "componentize-flags", "env"].includes(d.kind));
  if (others.length) {
    throw new Error(`case ${c.name}: ${others.map((d) => `\`${d.text}\``).join(", ")} is not supported here`);
  }
  return { world, stubWasi };
}
