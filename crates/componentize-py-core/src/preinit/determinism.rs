//! The host-independent parts of pre-initialisation, done on the module the engine runs so that
//! every engine behaves the same (each only instantiates it and preopens the init files).
//!
//! * Clocks and random bytes: `clock_time_get`, `clock_res_get` and `random_get` become functions
//!   of the module that answer the ABI's fixed values ([`INIT_CLOCK_NS`] and friends).
//! * File stats: device and inode numbers, link counts and timestamps differ between machines and
//!   runs, and the stat results the guest frees stay in its memory, so they would reach the
//!   snapshot. `fd_filestat_get` and `path_filestat_get` get a wrapper that keeps only type and
//!   size.

use anyhow::Result;
use componentize_py_abi::{INIT_CLOCK_NS, INIT_CLOCK_RESOLUTION_NS, INIT_RANDOM_BYTE};
use wasm_encoder::{BlockType, Function, Instruction as I, ValType};

use crate::rewrite::{self, Edit, FuncImport, Localized, memory0};

const WASI: &str = "wasi_snapshot_preview1";

/// The wrapped imports: (name, index of the `filestat` buffer parameter).
const STAT_IMPORTS: [(&str, u32); 2] = [("fd_filestat_get", 1), ("path_filestat_get", 4)];

/// Fields of a preview1 `filestat` rewritten after a successful call, as (offset, value): device,
/// inode, link count (1) and the three timestamps. Type (at 16) and size (at 32) are kept.
const NORMALIZED: [(u64, i64); 6] = [(0, 0), (8, 0), (24, 1), (40, 0), (48, 0), (56, 0)];

/// A wrapped import: its function index before and after the rewrite, type index, parameter
/// count and buffer parameter.
struct Wrapped {
    old: u32,
    import: u32,
    ty: u32,
    params: u32,
    buffer: u32,
}

/// preview1 clock ids that have a reading: realtime and monotonic.
const CLOCKS: i32 = 2;
/// preview1 clock ids that exist (the CPU-time clocks, which wasmtime does not provide).
const CLOCK_IDS: i32 = 4;
const ERRNO_BADF: i32 = 8;
const ERRNO_INVAL: i32 = 28;

/// Returns `module` with fixed clocks and random bytes and with its stat imports wrapped, in one
/// pass over the module. The fixed imports become functions after the module's own, followed by
/// the stat wrappers; the kept imports and the defined functions move down.
pub fn normalize(module: &[u8]) -> Result<Vec<u8>> {
    let info = rewrite::inspect(module)?;
    let fixed = Localized::new(&info, &|import, _| {
        (import.module == WASI)
            .then(|| fixed_body(&import.name))
            .flatten()
    });
    let buffer_of = |import: &FuncImport| {
        (import.module == WASI)
            .then(|| STAT_IMPORTS.iter().find(|(name, _)| *name == import.name))
            .flatten()
            .map(|(_, buffer)| *buffer)
    };
    let wrapped: Vec<Wrapped> = info
        .imports
        .iter()
        .enumerate()
        .filter_map(|(i, import)| {
            buffer_of(import).map(|buffer| Wrapped {
                old: i as u32,
                import: fixed.map(i as u32),
                ty: import.ty,
                params: info.type_params[import.ty as usize] as u32,
                buffer,
            })
        })
        .collect();
    let map = |func: u32| match wrapped.iter().position(|w| w.old == func) {
        Some(w) => fixed.end() + w as u32,
        None => fixed.map(func),
    };
    let wrappers = wrapped.iter().map(|w| (w.ty, wrapper(w)));
    let edit = Edit {
        drop_import: &|i| fixed.is_replaced(i),
        map: &map,
        functions: fixed.functions.iter().cloned().chain(wrappers).collect(),
        ..Edit::default()
    };
    rewrite::rewrite(module, &edit)
}

/// The body answering WASI function `name` with a fixed value, for the clocks and random bytes.
fn fixed_body(name: &str) -> Option<Function> {
    let mut f = Function::new([]);
    match name {
        // (buf, len) -> errno
        "random_get" => {
            f.instruction(&I::LocalGet(0));
            f.instruction(&I::I32Const(i32::from(INIT_RANDOM_BYTE)));
            f.instruction(&I::LocalGet(1));
            f.instruction(&I::MemoryFill(0));
            f.instruction(&I::I32Const(0));
        }
        // (id, precision, out) -> errno and (id, out) -> errno
        "clock_time_get" => clock(&mut f, 2, INIT_CLOCK_NS),
        "clock_res_get" => clock(&mut f, 1, INIT_CLOCK_RESOLUTION_NS),
        _ => return None,
    }
    f.instruction(&I::End);
    Some(f)
}

/// Stores `value` at parameter `out` for the realtime and monotonic clocks, returning success;
/// other ids fail as under wasmtime.
fn clock(f: &mut Function, out: u32, value: u64) {
    f.instruction(&I::LocalGet(0));
    f.instruction(&I::I32Const(CLOCKS));
    f.instruction(&I::I32LtU);
    f.instruction(&I::If(BlockType::Result(ValType::I32)));
    f.instruction(&I::LocalGet(out));
    f.instruction(&I::I64Const(value as i64));
    f.instruction(&I::I64Store(memory0(0, 3)));
    f.instruction(&I::I32Const(0));
    f.instruction(&I::Else);
    f.instruction(&I::I32Const(ERRNO_BADF));
    f.instruction(&I::I32Const(ERRNO_INVAL));
    f.instruction(&I::LocalGet(0));
    f.instruction(&I::I32Const(CLOCK_IDS));
    f.instruction(&I::I32LtU);
    f.instruction(&I::Select);
    f.instruction(&I::End);
}

/// Calls the import with the wrapper's own parameters and, on success, rewrites the volatile
/// fields of the `filestat` its buffer parameter points to.
fn wrapper(w: &Wrapped) -> Function {
    let errno = w.params;
    let mut f = Function::new([(1, ValType::I32)]);
    for i in 0..w.params {
        f.instruction(&I::LocalGet(i));
    }
    f.instruction(&I::Call(w.import));
    f.instruction(&I::LocalTee(errno));
    f.instruction(&I::I32Eqz);
    f.instruction(&I::If(BlockType::Empty));
    for (offset, value) in NORMALIZED {
        f.instruction(&I::LocalGet(w.buffer));
        f.instruction(&I::I64Const(value));
        f.instruction(&I::I64Store(memory0(offset, 3)));
    }
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(errno));
    f.instruction(&I::End);
    f
}
