//! Builds every case of `tests/cases/` with the native CLI and checks it in wasmtime.

use std::path::Path;

use componentize_py_test_host::cases::{case_dirs, run_case};
use componentize_py_test_host::cli_binary;

#[test]
fn corpus() {
    let cli = cli_binary();
    let cases = case_dirs();
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

#[test]
fn identical_inputs_give_identical_bytes() {
    let cli = cli_binary();
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases/compound");
    let dir = std::env::temp_dir().join(format!("componentize-py-twice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let outputs: Vec<Vec<u8>> = ["first.wasm", "second.wasm"]
        .iter()
        .map(|name| {
            let output = dir.join(name);
            let built =
                componentize_py_test_host::cases::build(&case, &cli, None, false, &output).unwrap();
            assert!(
                built.status.success(),
                "{}",
                String::from_utf8_lossy(&built.stderr)
            );
            std::fs::read(&output).unwrap()
        })
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        outputs[0] == outputs[1],
        "two builds of the same inputs differ"
    );
}
