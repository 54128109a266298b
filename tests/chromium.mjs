// Debian's chromium for the browser tests (tests/browser, playground/test): where it is and how
// it is started. `tests/chromium.sh` installs it. A browser is never downloaded.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Headless, and nothing that reaches out to the network on its own. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The chromium binary: `$COMPONENTIZE_PY_CHROMIUM`, else `command -v chromium`; throws if none. */
export function chromiumPath() {
  const fromEnv = process.env.COMPONENTIZE_PY_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new Error(`COMPONENTIZE_PY_CHROMIUM=${fromEnv} does not exist; run \`source tests/chromium.sh\``);
    }
    return fromEnv;
  }
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("chromium is not installed: run `source tests/chromium.sh` (installs Debian's chromium)");
  }
}
