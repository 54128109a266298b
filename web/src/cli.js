// The `componentize-py` command line on Node: the same flags, defaults, messages and output as the
// native binary, because it runs the same Rust (componentize-py-command) over Node's file system.

import * as fs from "node:fs";
import { dirname } from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { runCli } from "./index.js";
import { wheelPath } from "./node-cache.js";

/** The fetch worker and the flag it raises when a batch is done (started on first use). */
let fetcher;

/** Fetches a batch of requests (see fetch.js) on the worker and blocks until all are answered. */
function fetchAllBlocking(requests) {
  if (!fetcher) {
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(new URL("./fetch-worker.js", import.meta.url), {
      workerData: { signal },
    });
    worker.unref();
    fetcher = { worker, signal };
  }
  const { port1, port2 } = new MessageChannel();
  Atomics.store(fetcher.signal, 0, 0);
  fetcher.worker.postMessage({ requests, port: port2 }, [port2]);
  // The worker's requests time out after 10 minutes each; a batch that takes far longer means
  // the worker is gone.
  const woken = Atomics.wait(fetcher.signal, 0, 0, 60 * 60 * 1000);
  const received = receiveMessageOnPort(port1);
  port1.close();
  if (woken === "timed-out" || !received) throw new Error("the fetch worker gave no answer");
  return received.message;
}

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
  fetchAll(requests) {
    return fetchAllBlocking(requests);
  },
  cachedWheel(sha256) {
    const path = wheelPath(sha256);
    try {
      return path ? new Uint8Array(fs.readFileSync(path)) : null;
    } catch {
      return null;
    }
  },
  cacheWheel(sha256, bytes) {
    const path = wheelPath(sha256);
    if (!path) return;
    try {
      nodeHost.writeFile(path, bytes);
    } catch {
      // A failed cache write only costs a later download.
    }
  },
};

/** Runs the command line `args` (without the program name); resolves to the exit code. */
export function main(args) {
  return runCli(args, nodeHost);
}
