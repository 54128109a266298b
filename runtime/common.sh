# Shared helpers for the runtime build scripts: step logging, failure messages, the cache root and
# the wasm32-wasip1 C toolchain settings. Sourced, not run.

CACHE_ROOT="${COMPONENTIZE_PY_CACHE:-$HOME/.cache/componentize-py}"
RUNTIME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The pinned inputs fetched from Debian trixie, with their checksums.
CPYTHON_VERSION=3.13.5
CPYTHON_ORIG=python3.13_3.13.5.orig.tar.xz
CPYTHON_SHA256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
ZLIB_ORIG=zlib_1.3.dfsg+really1.3.1.orig.tar.gz
ZLIB_SHA256=60dd315c07f616887caa029408308a018ace66e3d142726a97db164b3b8f69fb
WASI_LIBC_DEB=wasi-libc_0.0~git20241209.574b88d-2_all.deb
WASI_LIBC_SHA256=b7716260051d289248b7667f81fa2792c125d888ff51da3fa09c6272cc0bd11d

STEP="setup"
step() { STEP="$1"; printf '[runtime] %s\n' "$*" >&2; }
fail() { printf '[runtime] error in step "%s": %s\n' "$STEP" "$*" >&2; exit 1; }

# Runs a command with its output in a log file; on failure shows the log's tail and names the step.
logged() {
  local log="$1"; shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    fail "'$*' failed (full log: $log)"
  fi
}

require() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || fail "'$cmd' is missing: run runtime/toolchain.sh first"
  done
}

check_sha256() {
  local file="$1" want="$2" got
  got=$(sha256sum "$file" | cut -d' ' -f1)
  [ "$got" = "$want" ] || fail "checksum mismatch for $(basename "$file"): expected $want, got $got"
}

# Hash of the given files' contents plus any extra words: the key of a cache entry.
inputs_hash() {
  { for f in "$@"; do
      if [ -f "$f" ]; then sha256sum "$f" | cut -d' ' -f1; else printf '%s\n' "$f"; fi
    done; } | sha256sum | cut -c1-16
}
