// The generated bindings as one download: a deflated zip (fflate), entries dated 1980-01-01 (the
// earliest date zip stores; they carry no real time), so the same bindings give the same bytes.

import { strToU8, zipSync } from "fflate";

const MTIME = new Date(1980, 0, 1);

/** A zip archive of `{ path: text }`, as a Blob. */
export function zip(files) {
  const entries = Object.fromEntries(
    Object.entries(files).map(([path, text]) => [path, [strToU8(text), { mtime: MTIME }]]),
  );
  return new Blob([zipSync(entries, { level: 9 })], { type: "application/zip" });
}
