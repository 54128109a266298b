//! The built-in WASI WIT (`crates/componentize-py-core/wit/wasi-0.2/`) is the WIT of the
//! wasmtime-wasi and wasmtime-wasi-http crates this workspace depends on, file for file, so the
//! worlds we build for are the ones wasmtime hosts. After a wasmtime upgrade, `BLESS=1` copies
//! the crates' files over.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where each vendored file comes from: (file, crate, directory in the crate).
const SOURCES: &[(&str, &str, &str)] = &[
    ("io.wit", "wasmtime-wasi", "src/p2/wit/deps"),
    ("clocks.wit", "wasmtime-wasi", "src/p2/wit/deps"),
    ("random.wit", "wasmtime-wasi", "src/p2/wit/deps"),
    ("filesystem.wit", "wasmtime-wasi", "src/p2/wit/deps"),
    ("sockets.wit", "wasmtime-wasi", "src/p2/wit/deps"),
    ("cli.wit", "wasmtime-wasi", "src/p2/wit/deps"),
    ("http.wit", "wasmtime-wasi-http", "wit/deps"),
];

/// The source directory of the workspace's dependency `name`, from `cargo metadata`.
fn crate_root(metadata: &serde_json::Value, name: &str) -> PathBuf {
    let package = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the workspace's dependency graph"));
    let manifest = package["manifest_path"].as_str().expect("manifest_path");
    Path::new(manifest).parent().unwrap().to_path_buf()
}

#[test]
fn builtin_wasi_wit_is_wasmtimes() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--manifest-path",
        ])
        .arg(workspace.join("Cargo.toml"))
        .output()
        .expect("running cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let vendored = workspace.join("crates/componentize-py-core/wit/wasi-0.2");
    let bless = std::env::var_os("BLESS").is_some_and(|value| value == "1");
    let mut stale = Vec::new();
    for (file, krate, dir) in SOURCES {
        let source = crate_root(&metadata, krate).join(dir).join(file);
        let expected = std::fs::read(&source).unwrap();
        let path = vendored.join(file);
        if std::fs::read(&path).ok().as_ref() != Some(&expected) {
            if bless {
                std::fs::write(&path, &expected).unwrap();
            } else {
                stale.push(format!("{} (from {})", path.display(), source.display()));
            }
        }
    }
    let mut files: Vec<String> = std::fs::read_dir(&vendored)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut expected: Vec<&str> = SOURCES.iter().map(|(file, ..)| *file).collect();
    expected.sort();
    assert_eq!(files, expected, "{} holds other files", vendored.display());
    assert!(
        stale.is_empty(),
        "the built-in WASI WIT differs from wasmtime's; rerun with BLESS=1 to copy it over:\n{}",
        stale.join("\n")
    );
}
