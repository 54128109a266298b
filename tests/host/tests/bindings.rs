//! Generates Python bindings with the native CLI's `bindings` subcommand and checks them with
//! `mypy --strict`, together with the app written against them: every corpus case whose world
//! parses, and the WASI 0.2 `wasi:cli/command` and `wasi:http/proxy` worlds with the examples' apps
//! and an app written against `poll_loop.py` (`tests/apps/poll-loop`). mypy is found through
//! `$COMPONENTIZE_PY_MYPY` (`tests/wasmtime-cli.sh` installs it).
//!
//! The same bindings are imported by host Python (3.11 or newer: `$COMPONENTIZE_PY_HOST_PYTHON`,
//! else `python3`), as an app's unit tests would: every module imports, records, variant cases,
//! enums, flags and `Err` work, and imported functions raise `NotImplementedError`.
//!
//! The poll_loop app is also built and served with `wasmtime serve` (`$COMPONENTIZE_PY_WASMTIME`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use componentize_py_test_host::cases::{build, case_dirs};
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
    /// The generated package (`--world-module`).
    world_module: String,
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
                world_module: world_module(&flags),
                flags,
                may_fail: !directives("build-fails ").is_empty(),
                // An app built with other flags, or against a local index (its packages are
                // installed nowhere mypy could read them), is left out; its world is checked.
                check_app: directives("componentize-flags ").is_empty()
                    && directives("index ").is_empty(),
                mypy_path,
                dir: case,
            }
        })
        .collect()
}

/// The package `--world-module` names in `flags`, else `wit_world`.
fn world_module(flags: &[String]) -> String {
    flags
        .iter()
        .position(|f| f == "--world-module")
        .and_then(|i| flags.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "wit_world".into())
}

/// The app written against `poll_loop.py`.
fn poll_loop_app() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/apps/poll-loop")
}

/// The WASI worlds, checked with the examples written for them (and the poll_loop app).
fn wasi_worlds() -> Vec<Check> {
    [
        ("cli", root().join("examples/cli"), "wasi:cli/command@0.2.0"),
        (
            "http",
            root().join("examples/http"),
            "wasi:http/proxy@0.2.0",
        ),
        ("poll_loop", poll_loop_app(), "wasi:http/proxy@0.2.0"),
    ]
    .into_iter()
    .map(|(label, dir, world)| Check {
        name: format!("{world} ({label})"),
        dir,
        flags: vec!["-w".into(), world.into()],
        may_fail: false,
        check_app: true,
        mypy_path: None,
        world_module: "wit_world".into(),
    })
    .collect()
}

/// What host Python runs over generated bindings: `argv[1]` is their directory, `argv[2]` the
/// package. It imports every module and uses the types each defines.
const HOST_IMPORT: &str = r#"
import dataclasses, enum, importlib, inspect, pathlib, sys

assert sys.version_info >= (3, 11), f"host Python 3.11 or newer is needed, not {sys.version}"
root, package = pathlib.Path(sys.argv[1]), sys.argv[2]
sys.dont_write_bytecode = True
sys.path.insert(0, str(root))

from componentize_py_types import Err, Ok, Some

try:
    raise Err(Some(Ok(1)))
except Err as error:
    assert error.value == Some(Ok(1)), error


def outside(call, what):
    try:
        call()
    except NotImplementedError:
        return
    raise AssertionError(f"{what} did not raise NotImplementedError outside a component")


names = []
for path in sorted(root.joinpath(*package.split(".")).rglob("*.py")):
    parts = path.relative_to(root).with_suffix("").parts
    names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
if (root / "poll_loop.py").exists():
    names.append("poll_loop")
for name in names:
    module = importlib.import_module(name)
    for attr, value in list(vars(module).items()):
        if getattr(value, "__module__", None) != name:
            continue
        what = f"{name}.{attr}"
        if isinstance(value, type) and issubclass(value, enum.Flag):
            combined = value(0)
            for member in value:
                combined |= member
            assert all(member in combined for member in value), what
        elif isinstance(value, type) and issubclass(value, enum.Enum):
            assert [value(member.value) for member in value] == list(value), what
        elif isinstance(value, type) and dataclasses.is_dataclass(value):
            # Records and variant cases: fields are not checked at run time.
            count = len(dataclasses.fields(value))
            made = value(*range(count))
            assert made == value(*range(count)) and dataclasses.astuple(made) == tuple(range(count)), what
        elif isinstance(value, type) and "finalizer" in getattr(value, "__annotations__", {}):
            # An imported resource: its constructor calls the host.
            if "__init__" in vars(value):
                count = len(inspect.signature(value.__init__).parameters) - 1
                outside(lambda: value(*[None] * count), what)
        elif inspect.isfunction(value) and name != "poll_loop" and not attr.startswith("_"):
            # An imported function.
            count = len(inspect.signature(value).parameters)
            outside(lambda: value(*[None] * count), what)
print(f"imported {len(names)} modules")
"#;

fn host_python() -> PathBuf {
    std::env::var_os("COMPONENTIZE_PY_HOST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| "python3".into())
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
    let imported = Command::new(host_python())
        .arg("-c")
        .arg(HOST_IMPORT)
        .arg(&out)
        .arg(&check.world_module)
        .output()
        .map_err(|e| format!("running {}: {e}", host_python().display()));
    match imported {
        Ok(imported) if imported.status.success() => {}
        Ok(imported) => {
            let _ = std::fs::remove_dir_all(&out);
            return Err(format!(
                "host Python cannot use the bindings:\n{}{}",
                String::from_utf8_lossy(&imported.stdout),
                String::from_utf8_lossy(&imported.stderr)
            ));
        }
        Err(error) => {
            let _ = std::fs::remove_dir_all(&out);
            return Err(error);
        }
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
            "3.14",
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

fn wasmtime() -> PathBuf {
    match std::env::var_os("COMPONENTIZE_PY_WASMTIME") {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "COMPONENTIZE_PY_WASMTIME is not set: source tests/wasmtime-cli.sh (test.sh does), \
             which installs the wasmtime CLI and exports its path"
        ),
    }
}

/// The poll_loop app runs its event loop over `wasi:io/poll` under `wasmtime serve`: it streams a
/// request body back (`Stream`, `Sink`), and sends outgoing requests concurrently (`send`).
#[test]
fn poll_loop_app_serves_with_wasmtime_serve() {
    let out = std::env::temp_dir().join(format!(
        "componentize-py-poll-loop-{}.wasm",
        std::process::id()
    ));
    let built = build(
        &poll_loop_app(),
        &cli_binary(),
        Some("wasi:http/proxy@0.2.0"),
        false,
        &out,
    )
    .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let mut server = Command::new(wasmtime())
        .args(["serve", "-Scli", "--addr", &address])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let request = |text: &str| -> std::io::Result<String> {
        let mut stream = TcpStream::connect(&address)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        stream.write_all(text.as_bytes())?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        Ok(response)
    };
    let body = "h\u{e9}llo, body";
    let echo = format!(
        "POST /echo HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    let echoed = loop {
        match request(&echo) {
            Ok(response) => break response,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            Err(error) => panic!("wasmtime serve never answered on {address}: {error}"),
        }
    };
    let sizes = request(&format!(
        "GET /sizes HTTP/1.1\r\nHost: {address}\r\nurl: http://{address}/a\r\n\
         url: http://{address}/b\r\nConnection: close\r\n\r\n"
    ))
    .unwrap();
    let stderr = componentize_py_test_host::stop(&mut server);
    std::fs::remove_file(&out).unwrap();
    assert!(echoed.starts_with("HTTP/1.1 200"), "{echoed}\n{stderr}");
    assert!(echoed.contains(body), "{echoed}\n{stderr}");
    assert!(sizes.starts_with("HTTP/1.1 200"), "{sizes}\n{stderr}");
    for path in ["a", "b"] {
        let line = format!("http://{address}/{path}: status 404");
        assert!(sizes.contains(&line), "{sizes}\n{stderr}");
    }
}
