//! Links the cross-built CPython (found through `COMPONENTIZE_PY_CPYTHON`, set by build.sh) into
//! the runtime: wasi-libc's emulation libraries and reactor start file, and an 8 MiB stack. PyO3's
//! config file (also from build.sh) links libpython and its helper archives.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=COMPONENTIZE_PY_CPYTHON");
    let Ok(cpython) = env::var("COMPONENTIZE_PY_CPYTHON") else {
        panic!("COMPONENTIZE_PY_CPYTHON is not set: build the runtime with runtime/build.sh");
    };
    let cpython = PathBuf::from(cpython);
    let libc = cpython.join("sysroot/lib/wasm32-wasip1");
    for emulated in ["signal", "getpid", "process-clocks"] {
        let archive = libc.join(format!("libwasi-emulated-{emulated}.a"));
        println!("cargo:rustc-link-arg={}", archive.display());
    }
    // A reactor: `_initialize` runs the constructors once, instead of around every export.
    println!(
        "cargo:rustc-link-arg={}",
        libc.join("crt1-reactor.o").display()
    );
    println!("cargo:rustc-link-arg=-zstack-size=8388608");
}
