#!/usr/bin/env bash
# Downloads the wheels of tests/pypi/requirements.txt (hash-checked, pure Python only) into
# $COMPONENTIZE_PY_CACHE/pypi-wheels (default ~/.cache/componentize-py), once per version of that
# file; the corpus case deps-pypi-packages serves them from a local index.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${COMPONENTIZE_PY_CACHE:-$HOME/.cache/componentize-py}/pypi-wheels"
stamp="$dir/.complete-$(sha256sum "$here/requirements.txt" | cut -c1-16)"
[ -f "$stamp" ] && exit 0
echo "[pypi] downloading the wheels of tests/pypi/requirements.txt into $dir" >&2
mkdir -p "$dir"
python3 -m pip download --quiet --no-deps --require-hashes --only-binary=:all: \
  --implementation py --python-version 3.14 --abi none --platform any \
  -r "$here/requirements.txt" -d "$dir" ||
  { echo "[pypi] error: downloading the test wheels failed" >&2; exit 1; }
touch "$stamp"
