# Sourced by test.sh: installs Debian's chromium when missing (never a downloaded browser) and
# exports its path as COMPONENTIZE_PY_CHROMIUM for the playwright-core tests.
if ! command -v chromium >/dev/null 2>&1; then
  echo "[chromium] installing Debian's chromium" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
COMPONENTIZE_PY_CHROMIUM="$(command -v chromium)"
export COMPONENTIZE_PY_CHROMIUM
