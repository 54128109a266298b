//! Embeds the WASI 0.2 WIT packages from the sources of the wasmtime-wasi and wasmtime-wasi-http
//! crates this workspace depends on (found with `cargo metadata`), so they are never hand-written
//! and always match the WASI that wasmtime hosts.

use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasmtime release whose WASI the tool targets.
const WASMTIME_VERSION: &str = "48.0.8";

/// WASI packages in dependency order, and the crate whose sources hold each.
const PACKAGES: &[(&str, &str, &str)] = &[
    ("io.wit", "wasmtime-wasi", "src/p2/wit/deps"),
    ("clocks.wit", "wasmtime-wasi", "src/p2/wit/deps"),
    ("random.wit", "wasmtime-wasi", "src/p2/wit/deps"),
    ("filesystem.wit", "wasmtime-wasi", "src/p2/wit/deps"),
    ("sockets.wit", "wasmtime-wasi", "src/p2/wit/deps"),
    ("cli.wit", "wasmtime-wasi", "src/p2/wit/deps"),
    ("http.wit", "wasmtime-wasi-http", "wit/deps"),
];

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let output = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
        ])
        .arg(env::var("HOST").unwrap())
        .arg("--manifest-path")
        .arg(manifest_dir.join("Cargo.toml"))
        .output()
        .expect("running cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata JSON");
    let mut code = String::from("&[\n");
    for (file, krate, dir) in PACKAGES {
        let root = crate_root(&metadata, krate);
        let path = root.join(dir).join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let contents = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        writeln!(code, "    ({file:?}, {contents:?}),").unwrap();
    }
    code.push(']');
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("wasi_wit.rs");
    std::fs::write(out, code).unwrap();
}

/// The source directory of the workspace's dependency `name` at the wasmtime version in use.
fn crate_root(metadata: &serde_json::Value, name: &str) -> PathBuf {
    let package = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == name && p["version"] == WASMTIME_VERSION)
        .unwrap_or_else(|| {
            panic!("{name} {WASMTIME_VERSION} is not in the workspace's dependency graph")
        });
    let manifest = package["manifest_path"].as_str().expect("manifest_path");
    Path::new(manifest).parent().unwrap().to_path_buf()
}
