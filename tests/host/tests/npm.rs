//! The npm package (`npm/`, assembled by `npm/build.sh`): packed with `npm pack`, installed into an
//! empty project, and run there as `npx componentize-py`. For every corpus case its output must
//! be byte-identical to the native CLI's (and so must the lock of a case with dependencies, which
//! both resolve against the same local index), and a failing build must fail the same way; a
//! component it builds must run in wasmtime.

use std::path::{Path, PathBuf};
use std::process::Command;

use componentize_py_test_host::cases::{Case, build_with, case_dirs};
use componentize_py_test_host::cli_binary;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `npm` with `args` in `dir`, panicking with its output on failure.
fn npm(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("npm")
        .current_dir(dir)
        .args(args)
        .args(["--no-audit", "--no-fund", "--loglevel=error"])
        .output()
        .expect("running npm (is Node.js installed?)");
    assert!(
        output.status.success(),
        "npm {args:?} in {}: {}{}",
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Packs `npm/` and installs the tarball into a new project; returns the project and its
/// `node_modules/.bin/componentize-py`.
fn install_package(scratch: &Path) -> (PathBuf, PathBuf) {
    let package = repo().join("npm");
    assert!(
        package.join("dist/componentize_py_wasm_bg.wasm").is_file(),
        "npm/dist is missing: run `bash npm/build.sh` (test.sh does)"
    );
    let packed = npm(
        &package,
        &["pack", "--pack-destination", scratch.to_str().unwrap()],
    );
    let tarball = scratch.join(packed.lines().last().expect("npm pack names the tarball"));
    let project = scratch.join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("package.json"),
        r#"{ "name": "try-componentize-py", "private": true }"#,
    )
    .unwrap();
    npm(&project, &["install", tarball.to_str().unwrap()]);
    let bin = project.join("node_modules/.bin/componentize-py");
    assert!(
        bin.exists(),
        "the package installed no componentize-py binary"
    );
    (project, bin)
}

#[test]
fn npx_componentize_py_matches_the_native_cli() {
    let scratch = std::env::temp_dir().join(format!("componentize-py-npm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let (project, npx) = install_package(&scratch);
    let native = cli_binary();

    let mut failures = Vec::new();
    for dir in case_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let case = Case::read(&dir).unwrap();
        // Cases with dependencies resolve against one local index, each build in its own copy.
        let server = case.index_server().unwrap();
        let (npm_dir, args) = case
            .prepare_build(server.as_ref(), &scratch.join(format!("{name}-npm")))
            .unwrap();
        let (native_dir, _) = case
            .prepare_build(server.as_ref(), &scratch.join(format!("{name}-native")))
            .unwrap();
        let ours = scratch.join(format!("{name}-npm.wasm"));
        let theirs = scratch.join(format!("{name}-native.wasm"));
        let by_npm = build_with(&npm_dir, &npx, &args, &ours).unwrap();
        let by_native = build_with(&native_dir, &native, &args, &theirs).unwrap();
        let lock = |dir: &Path| std::fs::read(dir.join("pylock.componentize-py.toml")).ok();
        let verdict = match (by_npm.status.success(), by_native.status.success()) {
            (true, true) if lock(&npm_dir) != lock(&native_dir) => {
                Err("the locks differ".to_string())
            }
            (true, true) if std::fs::read(&ours).unwrap() == std::fs::read(&theirs).unwrap() => {
                Ok(())
            }
            (true, true) => Err("the components differ".to_string()),
            (false, false) if by_npm.stderr == by_native.stderr && !ours.exists() => Ok(()),
            (false, false) => Err(format!(
                "the errors differ:\nnpm: {}\nnative: {}",
                String::from_utf8_lossy(&by_npm.stderr),
                String::from_utf8_lossy(&by_native.stderr)
            )),
            (npm_ok, _) => Err(format!(
                "npm {} but native {}: {}{}",
                if npm_ok { "succeeded" } else { "failed" },
                if npm_ok { "failed" } else { "succeeded" },
                String::from_utf8_lossy(&by_npm.stderr),
                String::from_utf8_lossy(&by_native.stderr)
            )),
        };
        match verdict {
            Ok(()) => println!("case {name} ... identical"),
            Err(why) => failures.push(format!("{name}: {why}")),
        }
    }

    // The installed package's output runs: the cli example under `wasmtime run`.
    let example = repo().join("examples/cli");
    let output = project.join("hello.wasm");
    let built = Command::new(&npx)
        .current_dir(&example)
        .args(["-w", "wasi:cli/command@0.2.0", "componentize", "app", "-o"])
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let wasmtime = std::env::var_os("COMPONENTIZE_PY_WASMTIME").expect(
        "COMPONENTIZE_PY_WASMTIME is not set: run the tests with test.sh, which installs wasmtime",
    );
    let ran = Command::new(wasmtime)
        .arg("run")
        .arg(&output)
        .arg("npm")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout),
        "Hello, npm!\n",
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );

    std::fs::remove_dir_all(&scratch).unwrap();
    assert!(
        failures.is_empty(),
        "{} cases differ between npm and native:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
