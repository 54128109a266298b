//! The runtime build scripts stop on bad input with one message naming the step and the cause.

use std::path::Path;
use std::process::Command;

/// Runs `script` in bash after sourcing `runtime/common.sh`; returns (success, stderr).
fn with_common(script: &str) -> (bool, String) {
    let common = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../runtime/common.sh");
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -euo pipefail; source '{}'; {script}",
            common.display()
        ))
        .output()
        .expect("bash runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn bad_checksum_names_the_step_and_the_file() {
    let dir = std::env::temp_dir().join(format!("componentize-py-sha-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("python3.13_3.13.5.orig.tar.xz");
    std::fs::write(&file, b"not the tarball").unwrap();
    let (ok, stderr) = with_common(&format!(
        "step 'fetch sources from Debian trixie'; check_sha256 '{}' \"$CPYTHON_SHA256\"",
        file.display()
    ));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!ok);
    assert!(
        stderr.contains("error in step \"fetch sources from Debian trixie\": checksum mismatch for python3.13_3.13.5.orig.tar.xz"),
        "{stderr}"
    );
}

#[test]
fn missing_tool_names_the_tool_and_the_fix() {
    let (ok, stderr) = with_common("step 'CPython'; require clang-19 no-such-compiler-xyz");
    assert!(!ok);
    assert!(
        stderr.contains("error in step \"CPython\": 'no-such-compiler-xyz' is missing: run runtime/toolchain.sh first"),
        "{stderr}"
    );
}

#[test]
fn failing_command_shows_its_log() {
    let (ok, stderr) = with_common(
        "step 'zlib for wasm32-wasip1'; logged \"$(mktemp)\" sh -c 'echo compiler exploded; exit 3'",
    );
    assert!(!ok);
    assert!(stderr.contains("compiler exploded"), "{stderr}");
    assert!(stderr.contains("error in step \"zlib for wasm32-wasip1\": 'sh -c echo compiler exploded; exit 3' failed"), "{stderr}");
}
