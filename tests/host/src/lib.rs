//! A wasmtime host for the test suites: runs the guest runtime (`runtime.wasm`) under WASI
//! preview1 with its init directory, captures its output, and drives its export entry points
//! the way the componentizer's glue does.

pub mod cases;
pub mod index;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result, anyhow, bail};
use componentize_py_abi::{
    ARG_SLOTS, CALL_EXPORT, EXPORT_ARGS, INIT_ARGS, INIT_DIR, INIT_EXPORT, InitConfig, POST_RETURN,
    encode_config,
};
use wasmtime::{Config, Engine, Instance, Linker, Memory, Module, Store, TypedFunc};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

/// Guest path of the standard-library bundle inside [`INIT_DIR`].
pub const STDLIB_BUNDLE: &str = "/componentize-py/stdlib.zip";
/// Guest path of the app bundle inside [`INIT_DIR`].
pub const APP_BUNDLE: &str = "/componentize-py/app.zip";

/// The directory holding `runtime.wasm` and `stdlib.zip`: `$COMPONENTIZE_PY_RUNTIME_DIR`, or
/// `target/runtime` as linked by `runtime/build.sh`.
pub fn runtime_dir() -> Result<PathBuf> {
    let dir = match std::env::var_os("COMPONENTIZE_PY_RUNTIME_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/runtime"),
    };
    if !dir.join("runtime.wasm").is_file() {
        bail!(
            "no runtime.wasm in {}: run runtime/build.sh first",
            dir.display()
        );
    }
    Ok(dir)
}

/// The native CLI built by `cargo build --workspace`, next to the test binaries.
pub fn cli_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let cli = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps")
        .join("componentize-py");
    assert!(
        cli.is_file(),
        "{} is missing: run `cargo build --workspace` first",
        cli.display()
    );
    cli
}

/// The runtime's bytes.
pub fn runtime_wasm() -> Result<Vec<u8>> {
    let path = runtime_dir()?.join("runtime.wasm");
    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
}

/// The standard-library bundle's bytes.
pub fn stdlib_bundle() -> Result<Vec<u8>> {
    let path = runtime_dir()?.join("stdlib.zip");
    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
}

/// The engine and the compiled runtime, shared by every test of a process.
fn compiled() -> Result<&'static (Engine, Module)> {
    static COMPILED: OnceLock<(Engine, Module)> = OnceLock::new();
    if let Some(compiled) = COMPILED.get() {
        return Ok(compiled);
    }
    let engine = Engine::new(&Config::new())?;
    let module = Module::new(&engine, runtime_wasm()?)?;
    Ok(COMPILED.get_or_init(|| (engine, module)))
}

/// A zip archive of `(name, contents)` entries, stored uncompressed.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, contents) in entries {
        writer.start_file(*name, options).expect("zip entry");
        writer.write_all(contents).expect("zip write");
    }
    writer.finish().expect("zip finish").into_inner()
}

/// A running, initialised runtime instance.
pub struct Guest {
    store: Store<WasiP1Ctx>,
    instance: Instance,
    memory: Memory,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
    _init_dir: TempDir,
}

/// Why init failed: the trap and what the guest printed.
#[derive(Debug)]
pub struct InitFailure {
    /// The trap or error from wasmtime.
    pub error: anyhow::Error,
    /// The guest's stderr (the Python traceback).
    pub stderr: String,
    /// The guest's stdout.
    pub stdout: String,
}

impl Guest {
    /// Instantiates the runtime with an init directory holding the encoded `config` and `files`
    /// (name → bytes), then runs `_initialize` and the init export, as pre-init does.
    pub fn initialize(config: &InitConfig, files: &[(&str, Vec<u8>)]) -> Result<Self, InitFailure> {
        let fail = |error: anyhow::Error| InitFailure {
            error,
            stderr: String::new(),
            stdout: String::new(),
        };
        let (engine, module) = compiled().map_err(fail)?;
        let dir = TempDir::new().map_err(|e| fail(e.into()))?;
        std::fs::write(dir.path().join("init.bin"), encode_config(config))
            .map_err(|e| fail(e.into()))?;
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).map_err(|e| fail(e.into()))?;
        }
        let stdout = MemoryOutputPipe::new(1 << 20);
        let stderr = MemoryOutputPipe::new(1 << 20);
        let wasi = WasiCtxBuilder::new()
            .args(INIT_ARGS)
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .preopened_dir(dir.path(), INIT_DIR, FsPerms::ReadOnly)
            .map_err(|e| fail(e.into()))?
            .build_p1();
        let mut store = Store::new(engine, wasi);
        let mut linker = Linker::new(engine);
        p1::add_to_linker_sync(&mut linker, |ctx| ctx).map_err(|e| fail(e.into()))?;
        let output = |stdout: &MemoryOutputPipe, stderr: &MemoryOutputPipe, error| InitFailure {
            error,
            stdout: String::from_utf8_lossy(&stdout.contents()).into_owned(),
            stderr: String::from_utf8_lossy(&stderr.contents()).into_owned(),
        };
        let run = |store: &mut Store<WasiP1Ctx>| -> Result<Instance> {
            let instance = linker.instantiate(&mut *store, module)?;
            instance
                .get_typed_func::<(), ()>(&mut *store, "_initialize")?
                .call(&mut *store, ())?;
            instance
                .get_typed_func::<(), ()>(&mut *store, INIT_EXPORT)?
                .call(&mut *store, ())?;
            Ok(instance)
        };
        let instance = run(&mut store).map_err(|e| output(&stdout, &stderr, e))?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| output(&stdout, &stderr, anyhow!("the runtime exports no memory")))?;
        Ok(Self {
            store,
            instance,
            memory,
            stdout,
            stderr,
            _init_dir: dir,
        })
    }

    /// What the guest wrote to stdout so far.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.contents()).into_owned()
    }

    /// What the guest wrote to stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents()).into_owned()
    }

    fn func<P: wasmtime::WasmParams, R: wasmtime::WasmResults>(
        &mut self,
        name: &str,
    ) -> Result<TypedFunc<P, R>> {
        Ok(self
            .instance
            .get_typed_func::<P, R>(&mut self.store, name)?)
    }

    /// Copies `bytes` into guest memory allocated with `cabi_realloc`, as a host lowering does.
    pub fn alloc(&mut self, bytes: &[u8], align: u32) -> Result<u32> {
        let realloc = self.func::<(u32, u32, u32, u32), u32>("cabi_realloc")?;
        let addr = realloc.call(&mut self.store, (0, 0, align, bytes.len() as u32))?;
        self.write(addr, bytes)?;
        Ok(addr)
    }

    /// Writes guest memory.
    pub fn write(&mut self, addr: u32, bytes: &[u8]) -> Result<()> {
        Ok(self.memory.write(&mut self.store, addr as usize, bytes)?)
    }

    /// Reads guest memory.
    pub fn read(&self, addr: u32, len: u32) -> Result<Vec<u8>> {
        let mut bytes = vec![0; len as usize];
        self.memory.read(&self.store, addr as usize, &mut bytes)?;
        Ok(bytes)
    }

    /// Reads a little-endian `u32` of guest memory.
    pub fn read_u32(&self, addr: u32) -> Result<u32> {
        Ok(u32::from_le_bytes(self.read(addr, 4)?.try_into().unwrap()))
    }

    /// Calls export `func` as the glue does: flat arguments (raw 64-bit slots) into the argument
    /// area, then the call. Returns the address of the results, or the call's trap together with
    /// what the guest printed to stderr.
    pub fn call_export(&mut self, func: u32, args: &[u64]) -> Result<u32> {
        assert!(args.len() <= ARG_SLOTS);
        let area = self
            .func::<(), u32>(EXPORT_ARGS)?
            .call(&mut self.store, ())?;
        let bytes: Vec<u8> = args.iter().flat_map(|a| a.to_le_bytes()).collect();
        self.write(area, &bytes)?;
        let call = self.func::<u32, u32>(CALL_EXPORT)?;
        call.call(&mut self.store, func)
            .map_err(|e| anyhow!("{e:?}\nstderr:\n{}", self.stderr()))
    }

    /// Frees the results of the last call of `func`.
    pub fn post_return(&mut self, func: u32) -> Result<()> {
        Ok(self
            .func::<u32, ()>(POST_RETURN)?
            .call(&mut self.store, func)?)
    }
}

/// A new directory under the system's temporary directory, removed when dropped.
pub use tempfile::TempDir;

/// Kills a server process the test started (with stderr piped) and returns what it wrote on
/// stderr.
pub fn stop(server: &mut std::process::Child) -> String {
    use std::io::Read;
    server.kill().expect("killing the server");
    let mut stderr = String::new();
    if let Some(mut pipe) = server.stderr.take() {
        pipe.read_to_string(&mut stderr)
            .expect("reading its stderr");
    }
    server.wait().expect("waiting for the server");
    stderr
}
