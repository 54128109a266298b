#!/usr/bin/env bash
# Runs every test from a fresh machine: installs the toolchain, builds the guest runtime (cached
# under ~/.cache/componentize-py), checks that the core crate builds for wasm32-unknown-unknown,
# builds the native CLI, then runs the Rust workspace's tests (unit tests, the runtime in wasmtime,
# the tests/cases corpus built with the CLI, jco on Node, mypy, the npm package), then the wasm
# componentizer's JS API in Node and in headless chromium, and the playground.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
bash runtime/build.sh

# The wasmtime CLI, to run the examples as users do.
source tests/wasmtime-cli.sh
cargo build --locked -p componentize-py-core --target wasm32-unknown-unknown
# The whole workspace at once, so wasmtime is compiled with one feature set for the CLI and tests.
cargo build --locked --workspace
# jco and its WASI shim, to run our components under Node 20 (`npm ci` cannot be used: the lockfile
# leaves out other platforms' optional binaries that the registry lacks).
(cd tests/jco && npm install --no-save --no-audit --no-fund --loglevel=error)
# The componentizer compiled to wasm (web/dist) and the npm package around it (npm/), which the
# workspace tests pack, install and compare with the native CLI.
bash web/build.sh
bash npm/build.sh --no-web-build
# Wheels from PyPI (hash-checked) that the corpus serves from a local index: no test reaches the
# public internet.
bash tests/pypi/fetch.sh
cargo test --locked --workspace
# The JS API in Node, then in a browser (headless Debian chromium via playwright-core): the same
# bytes and the same errors as the native CLI.
node --test web/test/
source tests/chromium.sh
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
node --test tests/browser/
# The playground: a static site over web/dist, built with vite and tested in the same chromium
# (`npm ci` rejects its lockfile, which lacks other platforms' optional binaries).
(cd playground && npm install --no-save --no-audit --no-fund --loglevel=error &&
  npm run build --silent && node --test test/)
