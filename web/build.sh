#!/usr/bin/env bash
# Builds the componentizer for Node and browsers into web/dist:
#   componentize_py_wasm.js, componentize_py_wasm_bg.wasm   crates/componentize-py-wasm via
#                                                           wasm-bindgen (--target web), wasm-opt -Oz
#   runtime.wasm.gz, stdlib.zip.gz                          the guest runtime (runtime/build.sh)
#
# Tools: wasm-bindgen-cli (same version as the wasm-bindgen crate) is installed with cargo into
# the cache ($COMPONENTIZE_PY_CACHE, default ~/.cache/componentize-py); wasm-opt comes from the
# npm package binaryen (pinned in package-lock.json).
set -euo pipefail
web="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$web/.." && pwd)"
cache="${COMPONENTIZE_PY_CACHE:-$HOME/.cache/componentize-py}"
bindgen_version=0.2.130
bindgen_root="$cache/tools/wasm-bindgen-$bindgen_version"
dist="$web/dist"

step() { echo "[web] $*" >&2; }
timed() {
  local start=$SECONDS
  "$@"
  step "  done in $((SECONDS - start))s"
}

step "rust target wasm32-unknown-unknown"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true

step "guest runtime (runtime/build.sh)"
timed bash "$repo/runtime/build.sh"

if [ ! -x "$bindgen_root/bin/wasm-bindgen" ]; then
  step "installing wasm-bindgen-cli $bindgen_version into $bindgen_root"
  timed cargo install wasm-bindgen-cli --version "$bindgen_version" --root "$bindgen_root"
fi

step "npm ci"
(cd "$web" && timed npm ci --no-audit --no-fund --loglevel=error)

# A size-tuned profile defined on the command line, so the workspace's release profile (and what
# others build with it) stays as it is. strip = "debuginfo" (inherited) keeps what wasm-bindgen
# needs; the name section goes with --remove-name-section.
step "cargo build componentize-py-wasm (wasm32-unknown-unknown)"
timed cargo build --manifest-path "$repo/Cargo.toml" -p componentize-py-wasm \
  --target wasm32-unknown-unknown --profile wasm-release \
  --config 'profile.wasm-release.inherits="release"' \
  --config 'profile.wasm-release.opt-level="s"' \
  --config 'profile.wasm-release.lto=true' \
  --config 'profile.wasm-release.codegen-units=1' \
  --config 'profile.wasm-release.panic="abort"'
target_dir="$(cargo metadata --manifest-path "$repo/Cargo.toml" --format-version 1 --no-deps |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
built="$target_dir/wasm32-unknown-unknown/wasm-release/componentize_py_wasm.wasm"

rm -rf "$dist"
mkdir -p "$dist"
step "wasm-bindgen"
timed "$bindgen_root/bin/wasm-bindgen" --target web --remove-name-section --out-dir "$dist" "$built"
raw_size=$(wc -c <"$dist/componentize_py_wasm_bg.wasm")

step "wasm-opt -Oz"
timed "$web/node_modules/.bin/wasm-opt" -Oz \
  --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
  -o "$dist/componentize_py_wasm_bg.wasm" "$dist/componentize_py_wasm_bg.wasm"

step "runtime artifacts"
for f in runtime.wasm stdlib.zip; do
  gzip -9 -n -c "$repo/target/runtime/$f" >"$dist/$f.gz"
done

size() { printf '%8d  %s\n' "$(wc -c <"$1")" "${1#"$web"/}"; }
step "sizes (bytes): wasm-bindgen output $raw_size before wasm-opt"
for f in "$dist"/componentize_py_wasm_bg.wasm "$dist"/componentize_py_wasm.js "$dist"/*.gz; do
  size "$f" >&2
done
printf '%8d  %s\n' "$(gzip -9 -n -c "$dist/componentize_py_wasm_bg.wasm" | wc -c)" \
  "dist/componentize_py_wasm_bg.wasm gzipped" >&2
