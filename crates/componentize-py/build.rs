//! Embeds the guest runtime artifacts (runtime.wasm, stdlib.zip) built by runtime/build.sh, so the
//! binary alone is enough to componentize.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=COMPONENTIZE_PY_RUNTIME_DIR");
    let dir = match std::env::var_os("COMPONENTIZE_PY_RUNTIME_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../target/runtime")
        }
    };
    for name in ["runtime.wasm", "stdlib.zip"] {
        let path = dir.join(name);
        assert!(
            path.is_file(),
            "{} is missing: run runtime/build.sh first",
            path.display()
        );
        // Through the link, so a rebuilt runtime (a new cache entry) is noticed.
        println!("cargo:rerun-if-changed={}", path.display());
        let path = path.canonicalize().unwrap();
        let var = name.replace('.', "_").to_uppercase();
        println!("cargo:rustc-env=COMPONENTIZE_PY_{var}={}", path.display());
    }
}
