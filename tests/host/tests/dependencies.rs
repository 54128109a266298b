//! The dependency flags of `componentize`, against a local index serving `tests/packages`:
//! `--locked`, `--offline`, `--no-deps`, `-p` turning discovery off, and an unreachable index.
//! What resolution gives (versions, extras, markers, errors) is covered by the corpus's `deps-*`
//! cases and the resolver's own tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use componentize_py_test_host::index::IndexServer;
use componentize_py_test_host::{TempDir, cli_binary};

const LOCK: &str = "pylock.componentize-py.toml";

fn packages() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../packages")
}

/// An app folder whose pyproject.toml asks for `dependencies`; its app imports nothing from them.
fn app(dependencies: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        format!("[project]\nname = \"t\"\nversion = \"0\"\ndependencies = [{dependencies}]\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("app.py"),
        "from wit_world import exports\n\n\nclass Run(exports.Run):\n    def run(self) -> None:\n        pass\n",
    )
    .unwrap();
    dir
}

/// Builds the app in `dir` into `out.wasm` there, with `flags` after the app name.
fn build(dir: &Path, flags: &[&str]) -> Output {
    let _ = std::fs::remove_file(dir.join("out.wasm"));
    Command::new(cli_binary())
        .current_dir(dir)
        .env_remove("VIRTUAL_ENV")
        .args([
            "-q",
            "-w",
            "wasi:cli/command@0.2.0",
            "componentize",
            "app",
            "-o",
            "out.wasm",
        ])
        .args(flags)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn locked_fails_on_a_stale_lock_and_offline_fetches_nothing() {
    let index = IndexServer::start(&packages()).unwrap();
    let url = index.url();
    let dir = app("\"colors\"");
    let error = build(dir.path(), &["--index-url", &url, "--locked"]);
    assert!(!error.status.success());
    assert_eq!(
        stderr(&error).trim(),
        format!("error: {LOCK} is missing for pyproject.toml (--locked)")
    );
    assert!(!dir.path().join("out.wasm").exists() && !dir.path().join(LOCK).exists());

    let built = build(dir.path(), &["--index-url", &url]);
    assert!(built.status.success(), "{}", stderr(&built));
    index.take_log();
    let locked = build(dir.path(), &["--index-url", &url, "--locked", "--offline"]);
    assert!(locked.status.success(), "{}", stderr(&locked));
    assert_eq!(index.take_log(), Vec::<String>::new());

    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"t\"\nversion = \"0\"\ndependencies = [\"colors<3\"]\n",
    )
    .unwrap();
    let stale = build(dir.path(), &["--index-url", &url, "--locked"]);
    assert!(!stale.status.success());
    assert_eq!(
        stderr(&stale).trim(),
        format!("error: {LOCK} is out of date with pyproject.toml (--locked)")
    );
    let offline = build(dir.path(), &["--index-url", &url, "--offline"]);
    assert_eq!(
        stderr(&offline).trim(),
        format!(
            "error: {LOCK} is out of date with pyproject.toml, and --offline forbids resolving"
        )
    );
    assert_eq!(index.take_log(), Vec::<String>::new());
    assert!(!dir.path().join("out.wasm").exists());
}

#[test]
fn no_deps_and_an_explicit_python_path_resolve_nothing() {
    let index = IndexServer::start(&packages()).unwrap();
    let url = index.url();
    let dir = app("\"colors\"");
    for flags in [vec!["--no-deps"], vec!["-p", "."]] {
        let mut all = vec!["--index-url", url.as_str()];
        all.extend(flags.iter().copied());
        let built = build(dir.path(), &all);
        assert!(built.status.success(), "{flags:?}: {}", stderr(&built));
        assert_eq!(index.take_log(), Vec::<String>::new(), "{flags:?}");
        assert!(!dir.path().join(LOCK).exists(), "{flags:?}");
    }
    // -r asks for resolution whatever the Python path.
    let built = build(
        dir.path(),
        &["--index-url", &url, "-p", ".", "-r", "pyproject.toml"],
    );
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(dir.path().join(LOCK).exists());
}

#[test]
fn an_unreachable_index_is_named_and_nothing_is_written() {
    // Nothing listens on port 9 (discard) here.
    let dir = app("\"colors\"");
    let failed = build(dir.path(), &["--index-url", "http://127.0.0.1:9/simple"]);
    assert!(!failed.status.success());
    let message = stderr(&failed);
    assert!(
        message.starts_with("error: fetching http://127.0.0.1:9/simple/colors/: "),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(!dir.path().join("out.wasm").exists() && !dir.path().join(LOCK).exists());
}

#[test]
fn find_links_paths_in_a_lock_are_relative_to_the_lock() {
    let dir = app("");
    std::fs::create_dir_all(dir.path().join("wheels")).unwrap();
    std::fs::create_dir_all(dir.path().join("reqs")).unwrap();
    let wheel = componentize_py_test_host::zip(&[
        ("tiny/__init__.py", b"VALUE = 1\n"),
        (
            "tiny-1.0.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: tiny\nVersion: 1.0\n",
        ),
        (
            "tiny-1.0.dist-info/WHEEL",
            b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\n",
        ),
    ]);
    std::fs::write(dir.path().join("wheels/tiny-1.0-py3-none-any.whl"), wheel).unwrap();
    std::fs::write(
        dir.path().join("reqs/requirements.txt"),
        "-f ../wheels\ntiny==1.0\n",
    )
    .unwrap();
    // The directory has the package, so the (unreachable) index is never asked.
    let flags = [
        "-r",
        "reqs/requirements.txt",
        "--index-url",
        "http://127.0.0.1:9/simple",
    ];
    let built = build(dir.path(), &flags);
    assert!(built.status.success(), "{}", stderr(&built));
    let lock = std::fs::read_to_string(dir.path().join("reqs").join(LOCK)).unwrap();
    assert!(
        lock.contains("path = \"../wheels/tiny-1.0-py3-none-any.whl\""),
        "{lock}"
    );
    let again = build(dir.path(), &[&flags[..], &["--offline"]].concat());
    assert!(again.status.success(), "{}", stderr(&again));
}
