#!/usr/bin/env bash
# Builds the guest runtime from source: the toolchain (apt, rustup), CPython for wasm32-wasip1
# (runtime/cpython.sh), the Rust runtime crate linked against it, and the standard-library bundle.
#
# Outputs go to "$CACHE_ROOT/runtime-<hash of every input>" and target/runtime links to it:
#   runtime.wasm   the runtime core module, optimised by wasm-opt -O2 and stripped
#   stdlib.zip     the standard library, deflated (bundle_stdlib.py: .pyc for what every build
#                  imports, source for the rest)
#   version        the CPython version the runtime embeds
# With unchanged inputs a second run only checks the cache. wasm-opt comes from the npm package
# binaryen, installed into "$CACHE_ROOT/tools".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
repo="$(cd "$RUNTIME_DIR/.." && pwd)"

step "toolchain"
if [ -z "${COMPONENTIZE_PY_SKIP_TOOLCHAIN:-}" ]; then
  bash "$RUNTIME_DIR/toolchain.sh"
fi
require cargo llvm-strip-19 npm

step "CPython"
cpython=$(bash "$RUNTIME_DIR/cpython.sh")

binaryen_version=132.0.0
# What the runtime's bytes depend on: the CPython entry (its key covers cpython.sh, common.sh and
# runtime/c-libs), the compilers and the sources; not how tools and sources are fetched.
inputs=("$cpython" "$(rustc --version)" "binaryen $binaryen_version")
while IFS= read -r f; do inputs+=("$f"); done < <(
  cd "$repo" && find runtime crates/componentize-py-abi -type f \
    \( -name '*.rs' -o -name '*.py' -o -name '*.sh' -o -name 'Cargo.*' \) -not -path '*/target/*' \
    -not -path 'runtime/c-libs/*' -not -name toolchain.sh -not -name debian.sh | sort)
key=$(cd "$repo" && inputs_hash "${inputs[@]}")
out="$CACHE_ROOT/runtime-$key"
link() { mkdir -p "$repo/target"; ln -sfn "$out" "$repo/target/runtime.tmp"; mv -T "$repo/target/runtime.tmp" "$repo/target/runtime"; }
hold_lock "$CACHE_ROOT/locks/runtime-$key"
if [ -f "$out/.complete" ]; then
  step "runtime is cached in $out"
  link
  exit 0
fi
rm -rf "$out"
mkdir -p "$out"

step "runtime crate for wasm32-wasip1"
pyo3_config="$out/pyo3-config.txt"
minor=$(cut -d. -f1,2 "$cpython/version")
{
  printf '%s\n' implementation=CPython "version=$minor" shared=false abi3=false "lib_name=python$minor" \
    "lib_dir=$cpython/lib" pointer_width=32 build_flags= suppress_build_script_link_lines=false
  while read -r lib; do
    echo "extra_build_script_line=cargo:rustc-link-lib=static=$lib"
  done <"$cpython/link-libs"
} >"$pyo3_config"
target_dir="$CACHE_ROOT/runtime-target"
(cd "$RUNTIME_DIR" && PYO3_CONFIG_FILE="$pyo3_config" COMPONENTIZE_PY_CPYTHON="$cpython" \
  CARGO_TARGET_DIR="$target_dir" \
  RUSTFLAGS="--remap-path-prefix=$repo=/componentize-py --remap-path-prefix=$HOME=/home" \
  logged "$out/cargo.log" cargo build --locked --release --target wasm32-wasip1)
rm "$pyo3_config"

# About 14 % less code than LLVM's output, at the same speed; it reads the module's features from
# its target_features section, so it runs before the strip.
step "wasm-opt -O2"
binaryen="$CACHE_ROOT/tools/binaryen-$binaryen_version"
if [ ! -x "$binaryen/node_modules/.bin/wasm-opt" ]; then
  logged "$out/npm.log" npm install --prefix "$binaryen" --no-audit --no-fund --loglevel=error \
    "binaryen@$binaryen_version"
fi
logged "$out/wasm-opt.log" "$binaryen/node_modules/.bin/wasm-opt" -O2 \
  "$target_dir/wasm32-wasip1/release/componentize_py_runtime.wasm" -o "$out/runtime-opt.wasm"
llvm-strip-19 --strip-all -o "$out/runtime.wasm" "$out/runtime-opt.wasm" || fail "llvm-strip failed"
rm "$out/runtime-opt.wasm"
"$cpython/host-python/bin/python$minor" "$RUNTIME_DIR/stamp_version.py" "$out/runtime.wasm" "$(cat "$cpython/version")" \
  || fail "stamp_version.py failed"

step "standard library bundle"
"$cpython/host-python/bin/python$minor" "$RUNTIME_DIR/bundle_stdlib.py" "$cpython/stdlib" "$out/stdlib.zip" "$CACHE_ROOT" \
  >"$out/stdlib.txt" \
  || fail "bundle_stdlib.py failed"
cat "$out/stdlib.txt" >&2

cp "$cpython/version" "$out/version"
touch "$out/.complete"
link
step "runtime.wasm $(stat -c %s "$out/runtime.wasm") bytes, stdlib.zip $(stat -c %s "$out/stdlib.zip") bytes, in $out"
