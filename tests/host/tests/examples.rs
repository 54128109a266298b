//! The examples, built with the native CLI and run with the `wasmtime` CLI (`wasmtime run`,
//! `wasmtime run --invoke`, `wasmtime serve`), found through `$COMPONENTIZE_PY_WASMTIME` (test.sh
//! installs it from PyPI).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use componentize_py_test_host::cases::build;
use componentize_py_test_host::cli_binary;

fn wasmtime() -> PathBuf {
    let path = std::env::var_os("COMPONENTIZE_PY_WASMTIME").expect(
        "COMPONENTIZE_PY_WASMTIME is not set: run the tests with test.sh, which installs wasmtime",
    );
    PathBuf::from(path)
}

/// Builds `examples/<name>` for `world` into a temporary file, with `--stub-wasi` if `stub_wasi`.
fn build_example(name: &str, world: Option<&str>, stub_wasi: bool) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let output = std::env::temp_dir().join(format!(
        "componentize-py-example-{}-{name}.wasm",
        std::process::id()
    ));
    let built = build(&dir, &cli_binary(), world, stub_wasi, &output).unwrap();
    assert!(
        built.status.success(),
        "building {name}: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    output
}

fn run(args: &[&str]) -> String {
    let output = Command::new(wasmtime()).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "wasmtime {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn cli_example_runs_with_wasmtime_run() {
    let wasm = build_example("cli", Some("wasi:cli/command@0.2.0"), false);
    let path = wasm.to_str().unwrap();
    assert_eq!(run(&["run", path, "Python"]), "Hello, Python!\n");
    std::fs::remove_file(&wasm).unwrap();
}

#[test]
fn calculator_example_with_stub_wasi_runs_with_wasmtime_invoke() {
    let wasm = build_example("calculator", None, true);
    let path = wasm.to_str().unwrap();
    assert_eq!(
        run(&["run", "--invoke", "eval(div, 1.0, 4.0)", path]).trim(),
        "ok(0.25)"
    );
    assert_eq!(
        run(&["run", "--invoke", "eval(div, 1.0, 0.0)", path]).trim(),
        "err(\"division by zero\")"
    );
    assert_eq!(
        run(&["run", "--invoke", "mean([1.0, 2.0, 6.0])", path]).trim(),
        "some(3)"
    );
    assert_eq!(run(&["run", "--invoke", "mean([])", path]).trim(), "none");
    std::fs::remove_file(&wasm).unwrap();
}

#[test]
fn http_example_serves_requests_with_wasmtime_serve() {
    let wasm = build_example("http", Some("wasi:http/proxy@0.2.0"), false);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let mut server = Command::new(wasmtime())
        .args(["serve", "-Scli", "--addr", &address, wasm.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let response = loop {
        match TcpStream::connect(&address) {
            Ok(mut stream) => {
                stream
                    .set_read_timeout(Some(Duration::from_secs(60)))
                    .unwrap();
                write!(
                    stream,
                    "GET /hello?x=1 HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                let mut response = String::new();
                stream.read_to_string(&mut response).unwrap();
                break response;
            }
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            Err(error) => panic!("wasmtime serve never listened on {address}: {error}"),
        }
    };
    let stderr = componentize_py_test_host::stop(&mut server);
    std::fs::remove_file(&wasm).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}\n{stderr}");
    assert!(
        response.contains("Hello from Python at /hello?x=1!"),
        "{response}\n{stderr}"
    );
}
