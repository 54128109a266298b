//! Generates Python bindings with the native CLI's `bindings` subcommand and checks them with
//! `mypy --strict`, together with the app written against them: every corpus case whose world
//! parses, and the WASI 0.2 `wasi:cli/command` and `wasi:http/proxy` worlds with the examples' apps.
//! mypy is found through `$COMPONENTIZE_PY_MYPY` (`tests/wasmtime-cli.sh` installs it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use componentize_py_test_host::cases::case_dirs;
use componentize_py_test_host::cli_binary;

/// One world to generate bindings for, and the app files to check with them.
struct Check {
    /// The label in the test output.
    name: String,
    /// Where the CLI runs (its default WIT path is `./wit` there).
    dir: PathBuf,
    /// Global CLI flags (`-w`, `--features`, ...).
    flags: Vec<String>,
    /// Whether the bindings may fail to generate (a corpus case with a broken world on purpose).
    may_fail: bool,
    /// Whether to check the app's `*.py` files too: not when the app imports libraries whose
    /// bindings only `componentize -m/-i` generates.
    check_app: bool,
    /// Where mypy finds the app's other modules (a case's virtualenv site-packages).
    mypy_path: Option<PathBuf>,
}

fn mypy() -> PathBuf {
    match std::env::var_os("COMPONENTIZE_PY_MYPY") {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "COMPONENTIZE_PY_MYPY is not set: source tests/wasmtime-cli.sh (test.sh does), which \
             installs mypy and exports its path"
        ),
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The corpus cases, each with the world named in its `case.txt`.
fn corpus() -> Vec<Check> {
    case_dirs()
        .into_iter()
        .map(|case| {
            let text = std::fs::read_to_string(case.join("case.txt")).unwrap();
            let directives = |word: &str| -> Vec<String> {
                text.lines()
                    .filter_map(|line| line.trim().strip_prefix(word))
                    .map(|rest| rest.trim().to_string())
                    .collect()
            };
            let mut flags = Vec::new();
            for world in directives("world ") {
                flags.extend(["-w".to_string(), world]);
            }
            for line in directives("flags ") {
                flags.extend(line.split_whitespace().map(str::to_string));
            }
            let mypy_path = directives("env VIRTUAL_ENV=").first().map(|venv| {
                let venv = PathBuf::from(venv.replace("$CASE", &case.to_string_lossy()));
                let lib = venv.join("lib");
                std::fs::read_dir(&lib)
                    .unwrap_or_else(|e| panic!("{}: {e}", lib.display()))
                    .map(|e| e.unwrap().path().join("site-packages"))
                    .find(|p| p.is_dir())
                    .expect("a lib/python*/site-packages in the virtualenv")
            });
            Check {
                name: case.file_name().unwrap().to_string_lossy().into_owned(),
                flags,
                may_fail: !directives("build-fails ").is_empty(),
                check_app: directives("componentize-flags ").is_empty(),
                mypy_path,
                dir: case,
            }
        })
        .collect()
}

/// The WASI worlds, checked with the examples written for them.
fn wasi_worlds() -> Vec<Check> {
    [
        ("cli", "wasi:cli/command@0.2.0"),
        ("http", "wasi:http/proxy@0.2.0"),
    ]
    .into_iter()
    .map(|(example, world)| Check {
        name: world.into(),
        dir: root().join("examples").join(example),
        flags: vec!["-w".into(), world.into()],
        may_fail: false,
        check_app: true,
        mypy_path: None,
    })
    .collect()
}

/// Generates the bindings of `check` and runs mypy on them and its app: `Ok(false)` when the world
/// does not parse and may not.
fn run(check: &Check, cli: &Path, mypy: &Path) -> Result<bool, String> {
    let label = check.name.replace([':', '/', '@'], "-");
    let out = std::env::temp_dir().join(format!(
        "componentize-py-bindings-{}-{label}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&out);
    let generated = Command::new(cli)
        .current_dir(&check.dir)
        .arg("-q")
        .args(&check.flags)
        .arg("bindings")
        .arg(&out)
        .output()
        .map_err(|e| format!("running {}: {e}", cli.display()))?;
    if !generated.status.success() {
        let _ = std::fs::remove_dir_all(&out);
        return if check.may_fail {
            Ok(false)
        } else {
            Err(format!(
                "bindings failed:\n{}",
                String::from_utf8_lossy(&generated.stderr)
            ))
        };
    }
    if check.check_app {
        for entry in std::fs::read_dir(&check.dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "py") {
                std::fs::copy(&path, out.join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    let mut command = Command::new(mypy);
    if let Some(path) = &check.mypy_path {
        command.env("MYPYPATH", path);
    }
    let checked = command
        .current_dir(&out)
        .args([
            "--strict",
            "--python-version",
            "3.13",
            "--no-color-output",
            ".",
        ])
        .output()
        .map_err(|e| format!("running {}: {e}", mypy.display()))?;
    let _ = std::fs::remove_dir_all(&out);
    if checked.status.success() {
        Ok(true)
    } else {
        Err(format!(
            "mypy --strict failed:\n{}{}",
            String::from_utf8_lossy(&checked.stdout),
            String::from_utf8_lossy(&checked.stderr)
        ))
    }
}

#[test]
fn bindings_and_apps_pass_mypy_strict() {
    let mypy = mypy();
    let cli = cli_binary();
    let checks: Vec<Check> = corpus().into_iter().chain(wasi_worlds()).collect();
    let next = Mutex::new(checks.iter());
    let failures = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while let Some(check) = {
                    let mut next = next.lock().unwrap();
                    next.next()
                } {
                    match run(check, &cli, &mypy) {
                        Ok(true) => println!("bindings {} ... ok", check.name),
                        Ok(false) => println!("bindings {} ... no world (build fails)", check.name),
                        Err(error) => {
                            println!("bindings {} ... FAILED", check.name);
                            failures
                                .lock()
                                .unwrap()
                                .push(format!("{}: {error}", check.name));
                        }
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} checks failed:\n\n{}",
        failures.len(),
        checks.len(),
        failures.join("\n\n")
    );
}
