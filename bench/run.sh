#!/usr/bin/env bash
# Benchmarks against componentize-py 0.25.1 (issue #6): builds the same apps (bench/apps) with
# both tools and measures build time (native CLI, `npx componentize-py`, headless chromium), output
# size, `wasmtime run` startup, per-call cost (a Rust wasmtime host and Node + jco) and peak
# memory; prints the table and writes it to bench/RESULTS.md with the date and the machine.
#
#   bash bench/run.sh [--runs N] [--skip node,browser,startup,host,jco] [--no-build]
#
# --runs N     build figures are medians of N runs, per-call figures of N processes per tool
#              (default 5; $BENCH_RUNS)
# --skip LIST  leaves sections out (the native builds, sizes and peak memory always run)
# --no-build   uses the release CLI, npm/ and bench/host as already built
# --report-only  rewrites RESULTS.md from the last run's raw figures (bench/.work/results.json)
#
# Installs what is missing: the peer (PyPI componentize-py==0.25.1) into a venv at
# $COMPONENTIZE_PY_CACHE/tools/peer (default ~/.cache/componentize-py), the wasmtime CLI
# (tests/wasmtime-cli.sh), jco (tests/jco), playwright-core (tests/browser) and Debian's chromium
# (tests/chromium.sh). Builds: the runtime, the release CLI, the npm package (npm/build.sh, packed
# and installed into a scratch project), the Rust bench host (bench/host, in the main target
# directory so it shares compiled crates) and the floor (bench/floor: the same worlds in Rust, whose
# figures show what a host costs with no Python behind the calls). Scratch files go to bench/.work
# (ignored by git).
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
cache="${COMPONENTIZE_PY_CACHE:-$HOME/.cache/componentize-py}"
work="$bench/.work"
runs="${BENCH_RUNS:-5}"
skip=""
build=1
report_only=0
command="bash bench/run.sh${*:+ $*}"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --skip) skip="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --report-only) report_only=1; shift ;;
    *) echo "usage: bash bench/run.sh [--runs N] [--skip LIST] [--no-build] [--report-only]" >&2; exit 2 ;;
  esac
done
skipped() { [[ ",$skip," == *",$1,"* ]]; }
step() { echo "[bench] $*" >&2; }

if [ "$report_only" = 1 ]; then
  source "$repo/tests/wasmtime-cli.sh"
  exec python3 "$bench/bench.py" --report-only --work "$work" --ours "$repo/target/release/componentize-py" \
    --peer "$cache/tools/peer/bin/componentize-py" --npm-project "$work/project" \
    --wasmtime "$COMPONENTIZE_PY_WASMTIME" --jco "$repo/tests/jco/node_modules/@bytecodealliance/jco/dist/jco.js"
fi

# The peer.
peer="$cache/tools/peer/bin/componentize-py"
if ! "$peer" --version 2>/dev/null | grep -q '^componentize-py 0\.25\.1$'; then
  step "installing the peer (componentize-py 0.25.1 from PyPI) into $cache/tools/peer"
  python3 -m venv "$cache/tools/peer"
  "$cache/tools/peer/bin/pip" install --quiet componentize-py==0.25.1
fi

# Our tools.
if [ "$build" = 1 ]; then
  step "runtime (runtime/build.sh)"
  bash "$repo/runtime/build.sh"
  step "release CLI (cargo build --release -p componentize-py)"
  (cd "$repo" && cargo build --release -p componentize-py)
  if ! { skipped node && skipped browser; }; then
    step "npm package (npm/build.sh)"
    bash "$repo/npm/build.sh"
  fi
  if ! skipped host; then
    step "Rust bench host (bench/host; ~10 min the first time)"
    CARGO_TARGET_DIR="$repo/target" cargo build --release --manifest-path "$bench/host/Cargo.toml"
  fi
  if ! { skipped startup && skipped host && skipped jco; }; then
    step "the hosts' floor (bench/floor: the worlds in Rust, for wasm32-wasip2)"
    rustup target add wasm32-wasip2 >/dev/null
    CARGO_TARGET_DIR="$repo/target" cargo build --release --locked --target wasm32-wasip2 \
      --manifest-path "$bench/floor/Cargo.toml"
  fi
fi
ours="$repo/target/release/componentize-py"
host="$repo/target/release/componentize-py-bench-host"
[ -x "$ours" ] || { echo "[bench] error: $ours is missing (run without --no-build)" >&2; exit 1; }
if ! skipped host && [ ! -x "$host" ]; then
  echo "[bench] error: $host is missing (run without --no-build)" >&2; exit 1
fi

# Measuring tools.
source "$repo/tests/wasmtime-cli.sh"
jco="$repo/tests/jco/node_modules/@bytecodealliance/jco/dist/jco.js"
if [ ! -f "$jco" ]; then
  step "installing jco (tests/jco)"
  (cd "$repo/tests/jco" && npm install --no-save --no-audit --no-fund --loglevel=error)
fi
if ! skipped browser; then
  source "$repo/tests/chromium.sh"
  if [ ! -d "$repo/tests/browser/node_modules/playwright-core" ]; then
    step "installing playwright-core (tests/browser)"
    (cd "$repo/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# The apps, with the WASI 0.2 WIT (for the peer, which has none built in) copied from the
# wasmtime-wasi crate's sources, in a project that has the npm package installed.
step "preparing $work"
rm -rf "$work/project" "$work/jco"
mkdir -p "$work/project" "$work/jco"
wasi_wit="$(cargo metadata --format-version 1 --manifest-path "$repo/Cargo.toml" 2>/dev/null | python3 -c '
import json, pathlib, sys
meta = json.load(sys.stdin)
pkg = next(p for p in meta["packages"] if p["name"] == "wasmtime-wasi")
print(pathlib.Path(pkg["manifest_path"]).parent / "src/p2/wit/deps")')"
cp -r "$bench/apps/hello" "$bench/apps/rich" "$work/project/"
mkdir -p "$work/project/hello/wit/deps"
cp "$wasi_wit"/*.wit "$work/project/hello/wit/deps/"
floor="$repo/target/wasm32-wasip2/release"
if [ -f "$floor/hello.wasm" ] && [ -f "$floor/componentize_py_bench_floor.wasm" ]; then
  cp "$floor/hello.wasm" "$work/floor-hello.wasm"
  cp "$floor/componentize_py_bench_floor.wasm" "$work/floor-rich.wasm"
else
  rm -f "$work/floor-hello.wasm" "$work/floor-rich.wasm"
fi
echo '{"private": true, "type": "module"}' > "$work/jco/package.json"
ln -s "$repo/tests/jco/node_modules" "$work/jco/node_modules"
if ! skipped node; then
  echo '{"name": "componentize-py-bench", "private": true}' > "$work/project/package.json"
  rm -f "$work"/componentize-py-*.tgz
  tarball="$(cd "$repo/npm" && npm pack --silent --pack-destination "$work" | tail -1)"
  (cd "$work/project" && npm install --no-audit --no-fund --loglevel=error "$work/$tarball")
fi

python3 "$bench/bench.py" --work "$work" --ours "$ours" --peer "$peer" --npm-project "$work/project" \
  --wasmtime "$COMPONENTIZE_PY_WASMTIME" --host "$host" --jco "$jco" --runs "$runs" --skip "$skip" \
  --command "$command"
