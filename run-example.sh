#!/usr/bin/env bash
# The main job from a fresh machine: installs the toolchain, builds the guest runtime and the native
# CLI, componentizes examples/cli (a wasi:cli/command app) and runs it with the wasmtime CLI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
bash runtime/build.sh
source tests/wasmtime-cli.sh
cargo build --locked --workspace
out="target/examples/cli.wasm"
mkdir -p target/examples
(cd examples/cli && ../../target/debug/componentize-py -w wasi:cli/command@0.2.0 componentize app -o "../../$out")
"$COMPONENTIZE_PY_WASMTIME" run "$out" componentize-py
