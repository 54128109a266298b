#!/usr/bin/env bash
# Installs the toolchain the guest runtime is built with: Debian's clang/lld/llvm 19 with the wasm32
# compiler-rt from this machine's own apt sources, and the Rust wasm targets. Other suites' files
# (wasi-libc, the CPython source) are fetched through a private apt configuration by cpython.sh,
# so this adds no apt entry. Idempotent: a second run only checks.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# gpgv checks a signed .dsc when the mirror lacks the listed CPython tarball (debian.sh); gnupg
# signs the fake ones of the fetch tests.
packages=(clang-19 lld-19 llvm-19 libclang-rt-19-dev-wasm32 xz-utils make pkg-config gpgv gnupg)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

log=$(mktemp)
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get update"
  logged "$log" as_root apt-get update
  step "installing ${missing[*]}"
  logged "$log" as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

step "rust targets wasm32-wasip1 and wasm32-unknown-unknown"
logged "$log" rustup target add wasm32-wasip1 wasm32-unknown-unknown
rm -f "$log"
