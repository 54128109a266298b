//! Builds every case of `tests/cases/` with the native CLI and checks it in wasmtime.

use std::path::{Path, PathBuf};

use componentize_py_test_host::cases::run_case;

/// The native CLI next to this test binary (`cargo build -p componentize-py` builds it).
fn cli() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let cli = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("componentize-py");
    assert!(
        cli.is_file(),
        "{} is missing: run `cargo build -p componentize-py` first",
        cli.display()
    );
    cli
}

#[test]
fn corpus() {
    let cli = cli();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", root.display());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        match run_case(case, &cli) {
            Ok(()) => println!("case {name} ... ok"),
            Err(error) => {
                println!("case {name} ... FAILED");
                failures.push(format!("{name}: {error:#}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
