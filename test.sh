#!/usr/bin/env bash
# Runs every test from a fresh machine: installs the toolchain, builds the guest runtime (cached
# under ~/.cache/componentize-py), checks that the contract crate builds for
# wasm32-unknown-unknown, then runs the Rust workspace's tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
bash runtime/build.sh
cargo build --locked -p componentize-py-abi --target wasm32-unknown-unknown
cargo test --locked --workspace
