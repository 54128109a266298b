// Per-call cost of a component built from bench/apps/rich, transpiled by jco, on Node.
//
//   node [--experimental-wasm-extended-const] percall.mjs TRANSPILED_DIR [BATCHES]
//
// TRANSPILED_DIR holds jco's output (`component.js`, name "component"); its folder needs
// {"type":"module"} and @bytecodealliance/preview2-shim resolvable (bench/run.sh arranges both).
// Checks each benchmarked export once, then, after one warm-up batch, times BATCHES (default 7)
// batches of calls of each and prints one JSON object like the Rust host's (bench/host): per-call
// microseconds, median over the batches.

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dir, batchesArg] = process.argv.slice(2);
const batches = Number(batchesArg ?? 7);
const { api } = await import(pathToFileURL(join(dir, "component.js")).href);
const dispose = Symbol.dispose ?? Symbol.for("dispose");

const bytes = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
const strings = Array.from({ length: 10_000 }, (_, i) => `string number ${i}`);

// Check once.
assert.equal(api.add(40, 2), 42);
assert.deepEqual(api.echoBytes(bytes), bytes);
assert.deepEqual(api.echoStrings(strings), strings);
{
  const c = new api.Counter(5);
  assert.equal(c.increment(3), 8);
  c[dispose]();
}

const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  const n = v.length;
  return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
};

function time(calls, f) {
  for (let i = 0; i < calls; i++) f(); // warm-up: one batch
  const out = [];
  for (let b = 0; b < batches; b++) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) f();
    out.push(((performance.now() - start) * 1000) / calls);
  }
  return out;
}

const result = {};
const record = (name, calls, xs) => {
  result[name] = { median_us: median(xs), batches_us: xs.map((x) => Number(x.toFixed(3))), calls_per_batch: calls };
};
let sink = 0;
record("add", 20000, time(20000, () => (sink += api.add(1, 2))));
record("echo_bytes", 10, time(10, () => (sink += api.echoBytes(bytes).length)));
record("echo_strings", 5, time(5, () => (sink += api.echoStrings(strings).length)));
record(
  "resource",
  5000,
  time(5000, () => {
    const c = new api.Counter(1);
    sink += c.increment(1);
    c[dispose]();
  }),
);
if (sink === 0) console.error("unreachable");
console.log(JSON.stringify(result));
