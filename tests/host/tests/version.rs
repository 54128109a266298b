//! `componentize-py --version` names the CPython release the embedded runtime was built from.

use componentize_py_test_host::{cli_binary, runtime_dir};

#[test]
fn version_names_the_embedded_cpython() {
    let output = std::process::Command::new(cli_binary())
        .arg("--version")
        .output()
        .expect("the CLI runs");
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let built = std::fs::read_to_string(runtime_dir().unwrap().join("version")).unwrap();
    let built = built.trim();
    assert!(
        built.split('.').count() == 3 && built.split('.').all(|n| n.parse::<u32>().is_ok()),
        "the runtime's version file says {built:?}"
    );
    assert_eq!(
        stdout.trim(),
        format!(
            "componentize-py {} (CPython {built})",
            env!("CARGO_PKG_VERSION")
        )
    );
}
