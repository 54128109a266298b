//! Host-independent file stats during pre-initialisation. Device and inode numbers, link counts
//! and timestamps differ between machines and runs, and the stat results the guest frees stay in
//! its memory, so they would reach the snapshot. The module the engine runs therefore gets a
//! wrapper around `fd_filestat_get` and `path_filestat_get` that keeps only type and size. The
//! wrapping is done here, on the module, so every engine behaves the same.

use anyhow::Result;
use wasm_encoder::{BlockType, Function, Instruction as I, MemArg, MemArgTarget, ValType};

use crate::rewrite::{self, FuncImport};

const WASI: &str = "wasi_snapshot_preview1";

/// The wrapped imports: (name, index of the `filestat` buffer parameter).
const STAT_IMPORTS: [(&str, u32); 2] = [("fd_filestat_get", 1), ("path_filestat_get", 4)];

/// Fields of a preview1 `filestat` rewritten after a successful call, as (offset, value): device,
/// inode, link count (1) and the three timestamps. Type (at 16) and size (at 32) are kept.
const NORMALIZED: [(u64, i64); 6] = [(0, 0), (8, 0), (24, 1), (40, 0), (48, 0), (56, 0)];

/// A wrapped import: its function index, type index, parameter count and buffer parameter.
struct Wrapped {
    import: u32,
    ty: u32,
    params: u32,
    buffer: u32,
}

/// Returns `module` with its stat imports wrapped.
pub fn normalize(module: &[u8]) -> Result<Vec<u8>> {
    let info = rewrite::inspect(module)?;
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
                import: i as u32,
                ty: import.ty,
                params: info.type_params[import.ty as usize] as u32,
                buffer,
            })
        })
        .collect();
    let first_wrapper = info.imports.len() as u32 + info.defined;
    let map = |func: u32| {
        wrapped
            .iter()
            .position(|w| w.import == func)
            .map_or(func, |i| first_wrapper + i as u32)
    };
    let appended: Vec<(u32, Function)> = wrapped.iter().map(|w| (w.ty, wrapper(w))).collect();
    rewrite::rewrite(module, &|_| false, &map, &appended)
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
        f.instruction(&I::I64Store(MemArg {
            offset,
            align: 3,
            target: MemArgTarget::Memory(0),
            ordering: None,
        }));
    }
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(errno));
    f.instruction(&I::End);
    f
}
