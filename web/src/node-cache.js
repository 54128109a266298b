// Where Node keeps wheels: the native CLI's cache, `<cache root>/wheels/<sha256>.whl`, the root
// being $COMPONENTIZE_PY_CACHE or ~/.cache/componentize-py.

import { homedir } from "node:os";
import { join } from "node:path";

/** The cache path of the wheel with SHA-256 `sha256` (lowercase hex), or `null` for a bad hash. */
export function wheelPath(sha256) {
  if (!/^[0-9a-f]{64}$/.test(sha256)) return null;
  const root = process.env.COMPONENTIZE_PY_CACHE ?? join(homedir(), ".cache", "componentize-py");
  return join(root, "wheels", `${sha256}.whl`);
}
