#!/usr/bin/env bash
# Assembles the npm package: builds web/ (the wasm componentizer and the compressed runtime
# artifacts, see web/build.sh), then copies its JS into lib/ and its build into dist/.
set -euo pipefail
npm_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$npm_dir/.." && pwd)"
if [ "${1:-}" != "--no-web-build" ]; then
  bash "$repo/web/build.sh"
fi
rm -rf "$npm_dir/lib" "$npm_dir/dist"
cp -r "$repo/web/src" "$npm_dir/lib"
mkdir -p "$npm_dir/dist"
cp "$repo/web/dist/componentize_py_wasm.js" "$repo/web/dist/componentize_py_wasm_bg.wasm" \
  "$repo/web/dist/runtime.wasm.gz" "$repo/web/dist/stdlib.zip.gz" "$npm_dir/dist/"
echo "[npm] package assembled in $npm_dir (lib/, dist/)" >&2
