# Shared helpers for the runtime build scripts: step logging, failure messages, the cache root and
# the wasm32-wasip1 C toolchain settings. Sourced, not run.

CACHE_ROOT="${COMPONENTIZE_PY_CACHE:-$HOME/.cache/componentize-py}"
RUNTIME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The CPython release the runtime embeds: the newest patch release of this minor version that the
# first of these Debian suites to list it carries (cpython.sh resolves it from Debian's signed
# index on every run and keys its cache on the exact tarball; debian.sh: debian_orig_tarball).
CPYTHON_MINOR=3.14
CPYTHON_SUITES=(forky sid)
# The wasm32-wasi C library, from this suite.
WASI_LIBC_SUITE=trixie

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

# Runs the rest of the calling script holding an exclusive lock on FILE, so that concurrent builds
# of one cache entry wait for each other instead of racing.
hold_lock() {
  mkdir -p "$(dirname "$1")"
  exec {lock_fd}>"$1"
  if ! flock -n "$lock_fd"; then
    printf '[runtime] waiting for another build holding %s\n' "$1" >&2
    flock "$lock_fd"
  fi
}

# Hash of the given files' contents plus any extra words: the key of a cache entry.
inputs_hash() {
  { for f in "$@"; do
      if [ -f "$f" ]; then sha256sum "$f" | cut -d' ' -f1; else printf '%s\n' "$f"; fi
    done; } | sha256sum | cut -c1-16
}
