#!/usr/bin/env bash
# Installs the toolchain the guest runtime is built with: Debian's clang/lld/llvm 19 with the wasm32
# compiler-rt, a low-pinned trixie entry (for wasi-libc and the CPython and zlib sources), and the
# Rust wasm targets. Idempotent: a second run only checks.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages=(clang-19 lld-19 llvm-19 libclang-rt-19-dev-wasm32 xz-utils dpkg-dev make pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# A trixie entry (binaries and sources) pinned below everything, so that only what is asked for by
# release comes from it. It uses the mirror this machine's Debian entry already uses.
trixie_list=/etc/apt/sources.list.d/componentize-py-trixie.sources
if [ ! -f "$trixie_list" ]; then
  step "adding a low-pinned trixie apt entry"
  mirror=$(grep -h -m1 -E '^URIs:' /etc/apt/sources.list.d/debian.sources 2>/dev/null | awk '{print $2}') || true
  if [ -z "${mirror:-}" ]; then
    mirror=$(grep -h -m1 -E '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}') || true
  fi
  [ -n "${mirror:-}" ] || fail "cannot find this machine's Debian mirror in /etc/apt to add a trixie entry"
  printf 'Types: deb deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" | as_root tee "$trixie_list" >/dev/null
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 50\n' \
    | as_root tee /etc/apt/preferences.d/componentize-py-trixie >/dev/null
  need_update=1
fi

log=$(mktemp)
if [ ${#missing[@]} -gt 0 ] || [ -n "${need_update:-}" ]; then
  step "apt-get update"
  logged "$log" as_root apt-get update
fi
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  logged "$log" as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

step "rust targets wasm32-wasip1 and wasm32-unknown-unknown"
logged "$log" rustup target add wasm32-wasip1 wasm32-unknown-unknown
rm -f "$log"
