//! `--stub-wasi`: replaces every WASI preview1 import of the linked module with a local stub, so
//! the component imports nothing but its world. The argument and environment queries report
//! none (the runtime asks for them on its first call); every other function fails with `ENOSYS`,
//! which Python reports as an `OSError`.

use anyhow::Result;
use wasm_encoder::{Function, Instruction as I, MemArg, MemArgTarget};

use crate::rewrite;

const WASI: &str = "wasi_snapshot_preview1";
const ENOSYS: i32 = 52;

/// Functions that succeed, writing zero to each of their (pointer) parameters: "no arguments",
/// "no environment variables".
const EMPTY: [&str; 2] = ["args_sizes_get", "environ_sizes_get"];
/// Functions that succeed without writing anything (there is nothing to list).
const NOTHING: [&str; 2] = ["args_get", "environ_get"];

/// Returns `module` with its WASI preview1 imports replaced by stubs. Stubbed imports move after
/// the module's own functions; the kept imports and the defined functions move down.
pub fn stub(module: &[u8]) -> Result<Vec<u8>> {
    let info = rewrite::inspect(module)?;
    let stubbed: Vec<bool> = info.imports.iter().map(|i| i.module == WASI).collect();
    let kept = stubbed.iter().filter(|s| !**s).count() as u32;
    let first_stub = kept + info.defined;
    let stubbed_before = |end: usize| stubbed[..end].iter().filter(|s| **s).count() as u32;
    let map = |func: u32| match stubbed.get(func as usize) {
        Some(true) => first_stub + stubbed_before(func as usize),
        Some(false) => func - stubbed_before(func as usize),
        None => func - stubbed_before(stubbed.len()),
    };
    let appended: Vec<(u32, Function)> = info
        .imports
        .iter()
        .filter(|i| i.module == WASI)
        .map(|i| (i.ty, stub_body(&i.name, info.type_params[i.ty as usize])))
        .collect();
    rewrite::rewrite(module, &|i| stubbed[i], &map, &appended)
}

/// The body of the stub for WASI function `name` with `params` parameters.
fn stub_body(name: &str, params: usize) -> Function {
    let mut f = Function::new([]);
    if EMPTY.contains(&name) {
        for param in 0..params as u32 {
            f.instruction(&I::LocalGet(param));
            f.instruction(&I::I32Const(0));
            f.instruction(&I::I32Store(MemArg {
                offset: 0,
                align: 2,
                target: MemArgTarget::Memory(0),
                ordering: None,
            }));
        }
        f.instruction(&I::I32Const(0));
    } else if NOTHING.contains(&name) {
        f.instruction(&I::I32Const(0));
    } else if name == "proc_exit" {
        f.instruction(&I::Unreachable);
    } else {
        f.instruction(&I::I32Const(ENOSYS));
    }
    f.instruction(&I::End);
    f
}
