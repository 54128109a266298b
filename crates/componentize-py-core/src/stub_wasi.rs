//! `--stub-wasi`: replaces every WASI preview1 import of the linked module with a local stub, so
//! the component imports nothing but its world. The argument and environment queries report
//! none (the runtime asks for them on its first call); every other function fails with `ENOSYS`,
//! which Python reports as an `OSError`.

use anyhow::Result;
use wasm_encoder::{Function, Instruction as I};

use crate::rewrite::{self, memory0};

const WASI: &str = "wasi_snapshot_preview1";
const ENOSYS: i32 = 52;

/// Functions that succeed, writing zero to each of their (pointer) parameters: "no arguments",
/// "no environment variables".
const EMPTY: [&str; 2] = ["args_sizes_get", "environ_sizes_get"];
/// Functions that succeed without writing anything (there is nothing to list).
const NOTHING: [&str; 2] = ["args_get", "environ_get"];

/// Returns `module` with its WASI preview1 imports replaced by stubs.
pub fn stub(module: &[u8]) -> Result<Vec<u8>> {
    rewrite::replace_imports(module, &|import, params| {
        (import.module == WASI).then(|| stub_body(&import.name, params))
    })
}

/// The body of the stub for WASI function `name` with `params` parameters.
fn stub_body(name: &str, params: usize) -> Function {
    let mut f = Function::new([]);
    if EMPTY.contains(&name) {
        for param in 0..params as u32 {
            f.instruction(&I::LocalGet(param));
            f.instruction(&I::I32Const(0));
            f.instruction(&I::I32Store(memory0(0, 2)));
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
