// The pre-init engine on the JS WebAssembly API: runs the Wizer-instrumented runtime's init with
// WASI preview1 from @bjorn3/browser_wasi_shim, set up to behave exactly like the native CLI's
// wasmtime engine (crates/componentize-py/src/engine.rs), so that the snapshot, and so the
// component, is byte-identical:
//
// - args from the ABI (INIT_ARGS), no environment, empty stdin, stdout and stderr captured;
// - one read-only preopen named INIT_DIR holding the files in the order given;
// - clocks, random bytes and file stats need nothing here: the module answers them itself
//   (crates/componentize-py-core/src/preinit/determinism.rs);
// - wasmtime's preview1 semantics where the shim differs and the difference reaches guest memory:
//   reads and writes use only the first non-empty iovec, new descriptors reuse the highest closed
//   number first, stdio is not a terminal (filetype unknown), and descriptor rights are
//   wasmtime's.
//
// Instantiation is synchronous (`new WebAssembly.Module`/`Instance`): fine in Node and in Web
// Workers; on a browser's main thread large modules may be refused, so run it in a worker there.
//
// The object implements the contract of crates/componentize-py-wasm/src/engine.rs:
// `initialize(module, files, abi)` returns `{ globalGet(name), memory(name) }` and throws an
// Error with `.stderr` (the guest's stderr text) on failure.

import {
  WASI,
  Fd,
  File,
  OpenFile,
  OpenDirectory,
  PreopenDirectory,
  wasi,
} from "@bjorn3/browser_wasi_shim";

const RIGHTS_ALL = (1n << 29n) - 1n;
const R = (name) => BigInt(wasi[`RIGHTS_${name}`]);

// wasmtime's rights for a preopened directory (hard-coded there too).
const PREOPEN_RIGHTS = [
  "PATH_CREATE_DIRECTORY",
  "PATH_CREATE_FILE",
  "PATH_LINK_SOURCE",
  "PATH_LINK_TARGET",
  "PATH_OPEN",
  "FD_READDIR",
  "PATH_READLINK",
  "PATH_RENAME_SOURCE",
  "PATH_RENAME_TARGET",
  "PATH_SYMLINK",
  "PATH_REMOVE_DIRECTORY",
  "PATH_UNLINK_FILE",
  "PATH_FILESTAT_GET",
  "PATH_FILESTAT_SET_TIMES",
  "FD_FILESTAT_GET",
  "FD_FILESTAT_SET_TIMES",
].reduce((acc, name) => acc | R(name), 0n);
const PREOPEN_INHERITING = [
  "FD_DATASYNC",
  "FD_READ",
  "FD_SEEK",
  "FD_FDSTAT_SET_FLAGS",
  "FD_SYNC",
  "FD_TELL",
  "FD_WRITE",
  "FD_ADVISE",
  "FD_ALLOCATE",
  "FD_FILESTAT_GET",
  "FD_FILESTAT_SET_SIZE",
  "FD_FILESTAT_SET_TIMES",
  "POLL_FD_READWRITE",
].reduce((acc, name) => acc | R(name), PREOPEN_RIGHTS);

function fdstat(filetype, rights, inheriting = rights) {
  const stat = new wasi.Fdstat(filetype, 0);
  stat.fs_rights_base = rights;
  stat.fs_rights_inherited = inheriting;
  return stat;
}

// Rights of a file or directory opened read-only, as wasmtime reports them.
function openedRights(directory) {
  let rights = RIGHTS_ALL & ~R("FD_WRITE");
  if (directory) {
    rights &= ~(R("FD_SEEK") | R("FD_FILESTAT_SET_SIZE") | R("PATH_FILESTAT_SET_SIZE"));
  }
  return rights;
}

/** stdin (empty), stdout or stderr, not a terminal, like wasmtime's memory pipes. */
class Stdio extends Fd {
  constructor(rights, write) {
    super();
    this.rights = rights;
    this.write = write;
  }
  fd_fdstat_get() {
    return { ret: 0, fdstat: fdstat(wasi.FILETYPE_UNKNOWN, this.rights) };
  }
  fd_filestat_get() {
    return { ret: 0, filestat: new wasi.Filestat(0n, wasi.FILETYPE_UNKNOWN, 0n) };
  }
  fd_seek() {
    return { ret: wasi.ERRNO_SPIPE, offset: 0n };
  }
  fd_tell() {
    return { ret: wasi.ERRNO_SPIPE, offset: 0n };
  }
  fd_read() {
    return this.write
      ? { ret: wasi.ERRNO_BADF, data: new Uint8Array() }
      : { ret: 0, data: new Uint8Array() };
  }
  fd_write(data) {
    if (!this.write) return { ret: wasi.ERRNO_BADF, nwritten: 0 };
    this.write(data);
    return { ret: 0, nwritten: data.byteLength };
  }
}

class Preopen extends PreopenDirectory {
  fd_fdstat_get() {
    return {
      ret: 0,
      fdstat: fdstat(wasi.FILETYPE_DIRECTORY, PREOPEN_RIGHTS, PREOPEN_INHERITING),
    };
  }
}

/** Concatenates captured output chunks. */
function concat(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The pre-init engine. `options.trace`, if set, is called with a line per WASI call. */
export class Engine {
  constructor(options = {}) {
    this.trace = options.trace;
  }

  /**
   * Instantiates `module` (the instrumented runtime) with the files in the preopen and runs its
   * init. `abi` is `{ dir, args, export }` from componentize-py-abi.
   */
  initialize(module, files, abi) {
    const stdout = [];
    const stderr = [];
    const contents = new Map(
      files.map(([name, bytes]) => [name, new File(bytes, { readonly: true })]),
    );
    const fds = [
      new Stdio(R("FD_READ")),
      new Stdio(R("FD_WRITE"), (b) => stdout.push(b.slice())),
      new Stdio(R("FD_WRITE"), (b) => stderr.push(b.slice())),
      new Preopen(abi.dir, contents),
    ];
    const shim = new WASI([...abi.args], [], fds, { debug: false });
    const imports = { ...shim.wasiImport, ...overrides(shim) };
    if (this.trace) traced(imports, this.trace);

    let instance;
    try {
      instance = new WebAssembly.Instance(new WebAssembly.Module(module), {
        wasi_snapshot_preview1: imports,
      });
      shim.initialize(instance);
      instance.exports[abi.export]();
    } catch (cause) {
      const text = new TextDecoder().decode(concat(stderr));
      const message =
        cause instanceof Error ? cause.message : `${cause?.code !== undefined ? "exit " + cause.code : cause}`;
      const error = new Error(message, { cause });
      error.stderr = text;
      throw error;
    }
    return {
      globalGet: (name) => instance.exports[name].value,
      memory: (name) => new Uint8Array(instance.exports[name].buffer),
      stdout: () => new TextDecoder().decode(concat(stdout)),
    };
  }
}

/** WASI functions whose shim behaviour differs from wasmtime's in ways the guest can see. */
function overrides(shim) {
  const view = () => new DataView(shim.inst.exports.memory.buffer);
  const bytes = () => new Uint8Array(shim.inst.exports.memory.buffer);
  const free = new Set();

  // The first non-empty iovec, as wasmtime uses: [ptr, len].
  const firstIovec = (ptr, count) => {
    const v = view();
    for (let i = 0; i < count; i++) {
      const buf = v.getUint32(ptr + 8 * i, true);
      const len = v.getUint32(ptr + 8 * i + 4, true);
      if (len !== 0) return [buf, len];
    }
    return [0, 0];
  };
  const fd = (n) => shim.fds[n];

  return {
    fd_read(n, iovs, count, nread_ptr) {
      if (!fd(n)) return wasi.ERRNO_BADF;
      const [buf, len] = firstIovec(iovs, count);
      const { ret, data } = fd(n).fd_read(len);
      if (ret !== wasi.ERRNO_SUCCESS) return ret;
      bytes().set(data, buf);
      view().setUint32(nread_ptr, data.length, true);
      return wasi.ERRNO_SUCCESS;
    },
    fd_pread(n, iovs, count, offset, nread_ptr) {
      if (!fd(n)) return wasi.ERRNO_BADF;
      const [buf, len] = firstIovec(iovs, count);
      const { ret, data } = fd(n).fd_pread(len, offset);
      if (ret !== wasi.ERRNO_SUCCESS) return ret;
      bytes().set(data, buf);
      view().setUint32(nread_ptr, data.length, true);
      return wasi.ERRNO_SUCCESS;
    },
    // wasmtime: seeking is for files only (stdio: ESPIPE, directories: EBADF), and the offset
    // is written on success only.
    fd_seek(n, offset, whence, offset_ptr) {
      if (!fd(n) || fd(n) instanceof OpenDirectory) return wasi.ERRNO_BADF;
      const { ret, offset: out } = fd(n).fd_seek(offset, whence);
      if (ret === wasi.ERRNO_SUCCESS) view().setBigUint64(offset_ptr, out, true);
      return ret;
    },
    fd_tell(n, offset_ptr) {
      if (!fd(n) || fd(n) instanceof OpenDirectory) return wasi.ERRNO_BADF;
      const { ret, offset } = fd(n).fd_tell();
      if (ret === wasi.ERRNO_SUCCESS) view().setBigUint64(offset_ptr, offset, true);
      return ret;
    },
    fd_write(n, iovs, count, nwritten_ptr) {
      if (!fd(n)) return wasi.ERRNO_BADF;
      const [buf, len] = firstIovec(iovs, count);
      const { ret, nwritten } = fd(n).fd_write(bytes().slice(buf, buf + len));
      if (ret !== wasi.ERRNO_SUCCESS) return ret;
      view().setUint32(nwritten_ptr, nwritten, true);
      return wasi.ERRNO_SUCCESS;
    },
    fd_close(n) {
      if (!fd(n)) return wasi.ERRNO_BADF;
      const ret = fd(n).fd_close();
      shim.fds[n] = undefined;
      free.add(n);
      while (shim.fds.length && shim.fds[shim.fds.length - 1] === undefined) shim.fds.length--;
      return ret;
    },
    fd_renumber(from, to) {
      if (!fd(from) || !fd(to)) return wasi.ERRNO_BADF;
      shim.fds[to] = fd(from);
      shim.fds[from] = undefined;
      free.add(from);
      free.delete(to);
      return wasi.ERRNO_SUCCESS;
    },
    path_open(n, dirflags, path_ptr, path_len, oflags, rights, inheriting, fdflags, fd_ptr) {
      if (!fd(n)) return wasi.ERRNO_BADF;
      const path = new TextDecoder().decode(bytes().slice(path_ptr, path_ptr + path_len));
      const { ret, fd_obj } = fd(n).path_open(dirflags, path, oflags, rights, inheriting, fdflags);
      if (ret !== wasi.ERRNO_SUCCESS) return ret;
      const directory = fd_obj instanceof OpenDirectory;
      if (directory || fd_obj instanceof OpenFile) {
        const filetype = directory ? wasi.FILETYPE_DIRECTORY : wasi.FILETYPE_REGULAR_FILE;
        const stat = fdstat(filetype, openedRights(directory));
        fd_obj.fd_fdstat_get = () => ({ ret: 0, fdstat: stat });
      }
      // wasmtime: the highest closed number, else one past the highest open one.
      let number;
      if (free.size) {
        number = Math.max(...free);
        free.delete(number);
      } else {
        number = shim.fds.length;
      }
      shim.fds[number] = fd_obj;
      view().setUint32(fd_ptr, number, true);
      return wasi.ERRNO_SUCCESS;
    },
  };
}

/** Wraps every import to report its arguments and result. */
function traced(imports, trace) {
  for (const [name, f] of Object.entries(imports)) {
    imports[name] = (...args) => {
      const result = f(...args);
      trace(`${name}(${args.join(", ")}) = ${result}`);
      return result;
    };
  }
}
