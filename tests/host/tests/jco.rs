//! Components built by the native CLI, transpiled with jco and run on Node (`node` on `PATH`, with
//! no `--experimental-*` flag), through `tests/jco/run.mjs`; every one is also checked to use only
//! the core wasm features Node 20 runs without flags (in particular no extended-const).
//!
//! Needs `tests/jco/node_modules`: run `npm install --no-save` in `tests/jco` (it installs what
//! `package-lock.json` pins).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use componentize_py_test_host::cases::build;
use componentize_py_test_host::cli_binary;
use wasmparser::{Validator, WasmFeatures};

/// The core wasm features Node 20's V8 enables by default: WebAssembly 2.0 (so no extended-const,
/// multi-memory, memory64, GC or relaxed SIMD), plus the component model, which jco turns into JS.
const NODE_20: WasmFeatures = WasmFeatures::WASM2.union(WasmFeatures::COMPONENT_MODEL);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `tests/jco`, checked to have its npm packages installed.
fn jco_dir() -> PathBuf {
    let dir = repo().join("tests/jco");
    assert!(
        dir.join("node_modules/@bytecodealliance/jco/package.json")
            .is_file()
            && dir
                .join("node_modules/@bytecodealliance/preview2-shim/package.json")
                .is_file(),
        "{}/node_modules lacks jco or preview2-shim: run `npm install --no-save` in tests/jco",
        dir.display()
    );
    dir
}

/// Validates `bytes` with the features of [`NODE_20`].
fn validate_for_node_20(bytes: &[u8]) -> Result<(), wasmparser::BinaryReaderError> {
    Validator::new_with_features(NODE_20)
        .validate_all(bytes)
        .map(drop)
}

/// Builds the app in `dir` (world `world`, `--stub-wasi` if `stub_wasi`) into a temporary file,
/// checks it against [`NODE_20`] and returns its path.
fn build_component(dir: &Path, world: Option<&str>, stub_wasi: bool) -> PathBuf {
    let name = dir.file_name().unwrap().to_string_lossy();
    let output = std::env::temp_dir().join(format!(
        "componentize-py-jco-{}-{name}.wasm",
        std::process::id()
    ));
    let built = build(dir, &cli_binary(), world, stub_wasi, &output).unwrap();
    assert!(
        built.status.success(),
        "building {name}: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    let bytes = std::fs::read(&output).unwrap();
    if let Err(error) = validate_for_node_20(&bytes) {
        panic!("{name} uses a wasm feature Node 20 lacks without flags: {error}");
    }
    output
}

/// Transpiles `wasm` with jco and runs the JS function body `checks` on it under Node (see
/// `tests/jco/run.mjs`), with WASI arguments `args`. Returns what it printed on stdout; removes
/// `wasm`.
fn run_jco(wasm: &Path, args: &[&str], checks: &str) -> String {
    let jco = jco_dir();
    let mut node = Command::new("node")
        .current_dir(&jco)
        .env_remove("NODE_OPTIONS")
        .arg("run.mjs")
        .arg(wasm)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running `node`: is Node (20 or later) on PATH?");
    node.stdin
        .take()
        .unwrap()
        .write_all(checks.as_bytes())
        .unwrap();
    let output = node.wait_with_output().unwrap();
    std::fs::remove_file(wasm).unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node run.mjs {}: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        wasm.display(),
        output.status
    );
    eprint!("{stderr}");
    stdout
}

fn example(name: &str) -> PathBuf {
    repo().join("examples").join(name)
}

fn case(name: &str) -> PathBuf {
    repo().join("tests/cases").join(name)
}

#[test]
fn node_20_features_reject_extended_const() {
    // A module whose one global is initialised with `i32.const 1 i32.const 2 i32.add`.
    let module = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
        0x06, 0x09, 0x01, 0x7f, 0x00, 0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b, // globals
    ];
    Validator::new().validate_all(&module).unwrap();
    let error = validate_for_node_20(&module).unwrap_err();
    assert!(
        error.message().contains("non-constant operator: i32.add"),
        "{}",
        error.message()
    );
}

#[test]
fn cli_example_runs() {
    let wasm = build_component(&example("cli"), Some("wasi:cli/command@0.2.0"), false);
    let stdout = run_jco(&wasm, &["Python"], "component.run.run();");
    assert_eq!(stdout, "Hello, Python!\n");
}

#[test]
fn calculator_example_with_stub_wasi_runs() {
    let wasm = build_component(&example("calculator"), None, true);
    run_jco(
        &wasm,
        &[],
        r#"
        assert.equal(component.eval({ tag: "div" }, 1.0, 4.0), 0.25);
        assert.equal(component.eval({ tag: "add" }, 1.5, 2.0), 3.5);
        assert.throws(() => component.eval({ tag: "div" }, 1.0, 0.0), { payload: "division by zero" });
        assert.equal(component.mean([1.0, 2.0, 6.0]), 3);
        assert.equal(component.mean([]), undefined);
        "#,
    );
}

#[test]
fn http_example_serves_a_request() {
    let wasm = build_component(&example("http"), Some("wasi:http/proxy@0.2.0"), false);
    run_jco(
        &wasm,
        &[],
        r#"
        const server = new shim.http.HTTPServer(component.incomingHandler);
        server.listen(0, "127.0.0.1");
        try {
          const { port } = server.address();
          const response = await fetch(`http://127.0.0.1:${port}/hello?x=1`);
          assert.equal(response.status, 200);
          assert.equal(response.headers.get("content-type"), "text/plain");
          assert.equal(await response.text(), "Hello from Python at /hello?x=1!\n");
        } finally {
          server.stop();
        }
        "#,
    );
}

#[test]
fn scalars_case_runs() {
    let wasm = build_component(&case("scalars"), None, false);
    run_jco(
        &wasm,
        &[],
        r#"
        const c = component;
        assert.equal(c.negate(true), false);
        assert.equal(c.wrapS8(-127), 127);
        assert.equal(c.addU8(200, 100), 44);
        assert.equal(c.mulS16(-300, 100), -30000);
        assert.equal(c.halfU16(65535), 32767);
        assert.equal(c.addS32(-2147483647, -1), -2147483648);
        assert.equal(c.addU32(4000000000, 294967295), 4294967295);
        assert.equal(c.addS64(-9223372036854775807n, -1n), -9223372036854775808n);
        assert.equal(c.maxU64(), 18446744073709551615n);
        assert.equal(c.scaleF32(1.5, 2.0), 3.0);
        assert.equal(c.sqrtF64(2.25), 1.5);
        assert.equal(c.nextChar("y"), "z");
        assert.equal(c.nextChar("🙂"), "🙃");
        assert.equal(c.shout("héllo, wörld"), "HÉLLO, WÖRLD!");
        assert.equal(c.shout(""), "!");
        "#,
    );
}

#[test]
fn compound_case_runs() {
    let wasm = build_component(&case("compound"), None, false);
    run_jco(
        &wasm,
        &[],
        r#"
        const s = component.shapes;
        const p = (x, y) => ({ x, y });
        assert.equal(s.area({ tag: "dot" }), 0.0);
        assert.equal(s.area({ tag: "rect", val: [p(0, 0), p(3, 4)] }), 12.0);
        assert.deepEqual(s.movePoint(p(1, 2), -3, 10), p(-2, 12));
        assert.equal(s.nextColor("blue"), "red");
        assert.deepEqual(
          s.toggleWrite({ read: true, write: false, exec: true }),
          { read: true, write: true, exec: true },
        );
        assert.deepEqual(
          s.toggleWrite({ read: false, write: true, exec: false }),
          { read: false, write: false, exec: false },
        );
        assert.deepEqual(s.centre({ tag: "rect", val: [p(0, 0), p(4, 8)] }), p(2, 4));
        assert.equal(s.centre({ tag: "circle", val: 1.0 }), undefined);
        assert.equal(s.parseU32("42"), 42);
        assert.throws(() => s.parseU32("x"), { payload: "not a number: x" });
        assert.equal(s.check(true), undefined);
        assert.throws(() => s.check(false), { payload: "not ok" });
        assert.deepEqual(s.maybeMaybe({ tag: "none" }), { tag: "some", val: undefined });
        assert.deepEqual(s.maybeMaybe({ tag: "some", val: undefined }), { tag: "none" });
        assert.deepEqual(s.maybeMaybe({ tag: "some", val: 41 }), { tag: "some", val: 42 });
        assert.equal(s.sumBytes(new Uint8Array([1, 2, 3, 250])), 256);
        assert.deepEqual(s.reverseBytes(new Uint8Array([1, 2, 3])), new Uint8Array([3, 2, 1]));
        assert.deepEqual(s.reverseBytes(new Uint8Array([])), new Uint8Array([]));
        assert.deepEqual(
          s.sortPoints([p(2, 0), p(1, 5), p(1, -5)]),
          [p(1, -5), p(1, 5), p(2, 0)],
        );
        assert.deepEqual(s.splitWords("the quick  brown fox"), ["the", "quick", "brown", "fox"]);
        assert.deepEqual(s.swap(["answer", 42n]), [42n, "answer"]);
        assert.deepEqual(
          s.results([{ tag: "ok", val: 7 }, { tag: "err", val: "four" }, { tag: "ok", val: 0 }]),
          new Uint8Array([7, 4, 0]),
        );
        "#,
    );
}

#[test]
fn resources_case_runs() {
    let wasm = build_component(&case("resources"), None, false);
    run_jco(
        &wasm,
        &[],
        r#"
        const { Counter, total } = component.counters;
        const a = new Counter(5);
        assert.equal(a.increment(3), 8);
        assert.equal(a.increment(2), 10);
        const b = new Counter(100);
        assert.equal(b.get(), 100);
        const c = Counter.merge(a, b);
        assert.equal(c.get(), 110);
        assert.equal(a.get(), 10);
        assert.equal(total([a, b, c]), 220);
        a[Symbol.dispose]();
        assert.throws(() => a.get(), /resource/);
        assert.equal(b.get(), 100);
        "#,
    );
}

#[test]
fn stub_wasi_case_runs() {
    let wasm = build_component(&case("stub-wasi"), None, true);
    run_jco(
        &wasm,
        &[],
        r#"
        assert.equal(component.fib(90), 2880067194370816120n);
        assert.equal(component.tryPrint(), "no stdout: errno 52");
        "#,
    );
}

#[test]
fn utf8_output_case_runs() {
    let wasm = build_component(&case("utf8-output"), Some("wasi:cli/command@0.2.0"), false);
    let stdout = run_jco(&wasm, &[], "component.run.run();");
    assert!(stdout.contains("café, héllo, 😀, 中文, Ω"), "{stdout}");
    assert!(
        stdout.contains("run time: (1, 'utf-8', 'utf-8', 'utf-8')"),
        "{stdout}"
    );
}

#[test]
fn cli_exit_case_runs() {
    // The app's first three runs end with sys.exit(), sys.exit(0) and sys.exit(None), the fourth
    // with sys.exit(3): `err`, which jco throws.
    let wasm = build_component(&case("cli-exit"), Some("wasi:cli/command@0.2.0"), false);
    let stdout = run_jco(
        &wasm,
        &[],
        r#"
        component.run.run();
        component.run.run();
        component.run.run();
        assert.throws(() => component.run.run());
        "#,
    );
    assert!(stdout.contains("atexit after sys.exit(None)"), "{stdout}");
    assert!(stdout.contains("atexit after sys.exit(3)"), "{stdout}");
}

#[test]
fn asyncio_run_case_runs() {
    let wasm = build_component(&case("asyncio-run"), Some("wasi:cli/command@0.2.0"), false);
    let stdout = run_jco(&wasm, &[], "component.run.run();");
    assert!(
        stdout.contains("gather: ['slow', 'fast', 'now']"),
        "{stdout}"
    );
    assert!(stdout.contains("queue: [0, 1, 2]"), "{stdout}");
}
