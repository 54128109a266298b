// The `componentize-py` command line on Node: the same flags, defaults, messages and output as the
// native binary, because it runs the same Rust (componentize-py-command) over Node's file system.

import * as fs from "node:fs";
import { dirname } from "node:path";
import { runCli } from "./index.js";

/** Writes a line to a file descriptor, waiting out a full pipe. */
function writeLine(fd, line) {
  const bytes = Buffer.from(`${line}\n`);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(fd, bytes, offset);
    } catch (error) {
      if (error.code !== "EAGAIN") throw error;
    }
  }
}

/** The command line's host over Node's `fs`, `process.env` and stdio. */
export const nodeHost = {
  kind(path) {
    try {
      const stat = fs.statSync(path, { throwIfNoEntry: false });
      if (!stat) return null;
      return stat.isDirectory() ? "dir" : "file";
    } catch {
      return null;
    }
  },
  read(path) {
    return new Uint8Array(fs.readFileSync(path));
  },
  list(path) {
    return fs.readdirSync(path);
  },
  writeFile(path, bytes) {
    const dir = dirname(path);
    if (dir) fs.mkdirSync(dir, { recursive: true });
    const partial = `${path}.partial-${process.pid}`;
    try {
      fs.writeFileSync(partial, bytes);
      fs.renameSync(partial, path);
    } finally {
      fs.rmSync(partial, { force: true });
    }
  },
  env(name) {
    return process.env[name];
  },
  print(line) {
    writeLine(1, line);
  },
  eprint(line) {
    writeLine(2, line);
  },
  now() {
    return performance.now();
  },
};

/** Runs the command line `args` (without the program name); resolves to the exit code. */
export function main(args) {
  return runCli(args, nodeHost);
}
